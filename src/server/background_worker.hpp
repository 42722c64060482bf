// The guard's background workers (blocked-attempt launcher and writers, audit writer per attempt,
// purge launcher and workers) share one description: this library, started only once recovery has
// finished (a standby never gives the guard a worker slot).
#pragma once

#include "server/pg_prelude.hpp"

extern "C" {
#include "postmaster/bgworker.h"
}

namespace mg::server {

// `name` is also its type in pg_stat_activity; `database`: it connects to one.
inline BackgroundWorker guard_worker(const char *function, const char *name, bool database = true,
                                     int restart_time = BGW_NEVER_RESTART) {
    BackgroundWorker worker;
    memset(&worker, 0, sizeof worker);
    worker.bgw_flags = BGWORKER_SHMEM_ACCESS | (database ? BGWORKER_BACKEND_DATABASE_CONNECTION : 0);
    worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
    worker.bgw_restart_time = restart_time;
    snprintf(worker.bgw_library_name, BGW_MAXLEN, "migration_guard");
    snprintf(worker.bgw_function_name, BGW_MAXLEN, "%s", function);
    snprintf(worker.bgw_name, BGW_MAXLEN, "%s", name);
    snprintf(worker.bgw_type, BGW_MAXLEN, "%s", name);
    return worker;
}

}  // namespace mg::server
