// The writers of blocked attempts (preloaded only). A blocked statement aborts its transaction,
// so its audit row must be committed by another process. A background worker per attempt needs a
// free worker slot at that moment (any role can take every slot with a parallel query) and a
// dynamic shared memory segment (a flood runs out of them). So a preloaded server feeds a bounded
// ring buffer in shared memory: a launcher (in a slot of its own, connected to no database) starts
// one writer per database that has entries waiting, up to kMaxWriters at once; each writer takes
// its database's entries wherever they are in the ring, in batches, and leaves once idle (or to
// make room for a database that waits). What is left in the ring at a clean shutdown is saved to
// a file in the data directory and queued again at the next start. A full ring falls back to a
// worker per attempt, and is counted (audit_status()). During recovery nothing is queued.
#pragma once

#include <cstddef>

#include "server/pg_prelude.hpp"

namespace mg::server {

void request_blocked_queue_shmem();
void init_blocked_queue();       // from the shmem startup hook, AddinShmemInitLock held
void register_blocked_writer();  // from _PG_init, when preloaded: the launcher

// Copies one serialized row into the ring for the writers; false when there is no ring (not
// preloaded, or migration_guard.blocked_writer = worker) or no room. PostgreSQL code only.
bool enqueue_blocked(const char *payload, size_t size, Oid database, Oid owner);

}  // namespace mg::server
