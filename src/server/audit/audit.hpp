// The audit log: every schema change on record, blocked attempts too.
//   - Changes are written in the changing transaction (ddl_command_end, sql_drop, the utility
//     hook), so they exist exactly when the change does.
//   - A blocked attempt aborts its transaction, so its row is handed, in a pinned dynamic shared
//     memory segment, to the long-lived writer (blocked_writer.hpp) or, without preload or when
//     its queue is full, to a background worker of its own; either writes and commits it.
//     See docs/audit.md for the reasoning and the limits.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/risk.hpp"
#include "server/pg_prelude.hpp"

extern "C" {
#include "port/atomics.h"
}

namespace mg::server {

struct AuditRow {
    std::string command_tag;
    std::string object_type;
    std::string object_identity;
    std::string statement;
    std::vector<std::string> rules;
    Risk risk = Risk::Low;
    std::string decision;  // allowed | warned | approved | blocked
    int64_t approval_id = 0;
    std::string undo_sql;  // "" when none
    int64_t rows_affected = -1;  // a data change: rows it deleted or overwrote there; -1: none
    int64_t request_id = 0;      // blocked: the approval request it belongs to
};

// Written as the extension owner, in the current transaction; returns the rows' ids.
std::vector<int64_t> write_audit_rows(const std::vector<AuditRow> &rows);

// Survives the abort that follows: handed to a background worker.
void record_blocked(const std::vector<AuditRow> &rows);

// Shared-memory counters of blocked rows (when preloaded).
enum class BlockedCounter { Queued, Written, Dropped, Coalesced, Overflowed };
struct BlockedCounts {
    int64_t queued = 0, written = 0, dropped = 0, coalesced = 0, overflowed = 0;
};
void request_audit_shmem();
void init_audit_shmem();
void count_blocked(BlockedCounter which);
bool audit_counters(BlockedCounts &counts);  // false when not preloaded
// The last id row_id() gave out on this server; nullptr when not preloaded.
pg_atomic_uint64 *shared_row_id_clock();

// Serialized blocked rows (as record_blocked() makes them), written and committed in one
// transaction of the calling background worker, connected to their database. PostgreSQL code
// only; an error propagates.
void insert_blocked_payloads(const char *const *payloads, int n);
// The same for the one row in a pinned DSM segment, which is unpinned whatever happens.
void write_blocked_segment(unsigned int handle);

}  // namespace mg::server
