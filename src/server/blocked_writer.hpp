// The long-lived writer of blocked attempts (preloaded only). A blocked statement aborts its
// transaction, so its audit row must be committed by another process. A background worker per
// attempt needs a free worker slot at that moment, and any role can take every slot with a
// parallel query; so a preloaded server runs one writer from start-up, in a slot of its own, fed
// through a bounded queue in shared memory. A full queue falls back to a worker per attempt and
// is counted (audit_status()).
#pragma once

#include "server/pg_prelude.hpp"

namespace mg::server {

void request_blocked_queue_shmem();
void init_blocked_queue();  // from the shmem startup hook, AddinShmemInitLock held
void register_blocked_writer();  // from _PG_init, when preloaded

// Hands a pinned segment (see audit.cpp) to the writer; false when there is no queue (not
// preloaded, or migration_guard.blocked_writer = worker) or it is full.
bool enqueue_blocked(dsm_handle handle, Oid database, Oid owner);

}  // namespace mg::server
