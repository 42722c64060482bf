// Lock-wait protection (preloaded). A schema change that must wait for a strong lock behind a
// long transaction makes every later query on the table queue behind it: a few seconds of waiting
// is an outage. So a statement that needs at least SHARE ROW EXCLUSIVE on an existing table, run
// by a session with no lock_timeout of its own, waits at most migration_guard.lock_timeout; and
// any schema change that fails for a lock names the sessions in the way.
#pragma once

#include "server/pg_prelude.hpp"

extern "C" {
#include "storage/lockdefs.h"
}

namespace mg::server {

struct LockTarget {
    Oid relid = InvalidOid;
    LOCKMODE mode = NoLock;
};

// Plain data: it lives in the utility hook's frame, which PostgreSQL errors longjmp through.
struct LockWaitPlan {
    static constexpr int kMaxTargets = 16;
    LockTarget targets[kMaxTargets];  // existing, non-temporary relations the statement locks
    int count = 0;
    bool strong = false;  // some target needs SHARE ROW EXCLUSIVE or stronger
};

// Whether the statement is one whose locks the guard knows (cheap: a switch on the node tag).
bool takes_table_locks(const Node *stmt);

// The relations the statement will lock and in which mode, as PostgreSQL computes it (e.g.
// AlterTableGetLockLevel()). Name look-ups only, no lock taken.
LockWaitPlan plan_lock_wait(Node *stmt);

// Sets lock_timeout to migration_guard.lock_timeout for this statement when the plan is strong
// and the session has none; returns the GUC nest level to pop, or -1. PostgreSQL code only.
int apply_lock_timeout(const LockWaitPlan &plan);
void restore_lock_timeout(int nest_level);

// From PG_CATCH, with the error still current: when it is a lock failure (lock_timeout or
// NOWAIT) of a statement with a plan, replaces it with one naming the sessions holding the
// conflicting locks, records the blocked attempt, and raises it. Returns only for any other
// error, which the caller re-throws.
void raise_lock_failure_if_any(const LockWaitPlan &plan, Node *stmt, bool applied);

}  // namespace mg::server
