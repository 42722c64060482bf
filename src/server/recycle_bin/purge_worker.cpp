// The purge worker (preloaded only): a launcher that wakes every
// migration_guard.keep_purge_naptime, lists the databases from the shared catalog, and starts a
// short-lived worker in each; that worker purges what has outlived its retention, if the
// extension is installed there. Kept items otherwise wait for purge_kept().
#include "server/recycle_bin/purge.hpp"

#include "server/background_worker.hpp"
#include "server/boundary.hpp"
#include "server/recycle_bin/kept_store.hpp"
#include "server/settings.hpp"

extern "C" {
#include "access/heapam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/pg_database.h"
#include "commands/extension.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "utils/snapmgr.h"
}

namespace mg::server {

void register_purge_worker() {
    BackgroundWorker worker = guard_worker("migration_guard_purge_launcher", "migration_guard recycle-bin purge launcher",
                                           true, 60);
    snprintf(worker.bgw_type, BGW_MAXLEN, "migration_guard purge launcher");
    RegisterBackgroundWorker(&worker);
}

}  // namespace mg::server

namespace {

void purge_database(Oid database) {
    BackgroundWorker worker = mg::server::guard_worker("migration_guard_purge_database", "migration_guard recycle-bin purge");
    snprintf(worker.bgw_type, BGW_MAXLEN, "migration_guard purge");
    worker.bgw_main_arg = ObjectIdGetDatum(database);
    worker.bgw_notify_pid = MyProcPid;
    BackgroundWorkerHandle *handle = nullptr;
    if (!RegisterDynamicBackgroundWorker(&worker, &handle)) return;  // no free slot: next round
    pid_t pid;
    if (WaitForBackgroundWorkerStartup(handle, &pid) == BGWH_STARTED) (void) WaitForBackgroundWorkerShutdown(handle);
}

}  // namespace

extern "C" PGDLLEXPORT void migration_guard_purge_launcher(Datum arg);
extern "C" void migration_guard_purge_launcher(Datum) {
    pqsignal(SIGTERM, die);
    pqsignal(SIGHUP, SignalHandlerForConfigReload);
    BackgroundWorkerUnblockSignals();
    BackgroundWorkerInitializeConnection(nullptr, nullptr, 0);  // the shared catalogs only
    for (;;) {
        const int naptime = mg::server::keep_purge_naptime_s();
        (void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, naptime * 1000L, PG_WAIT_EXTENSION);
        ResetLatch(MyLatch);
        CHECK_FOR_INTERRUPTS();
        if (ConfigReloadPending) {
            ConfigReloadPending = false;
            ProcessConfigFile(PGC_SIGHUP);
        }
        List *databases = NIL;
        StartTransactionCommand();
        PushActiveSnapshot(GetTransactionSnapshot());
        Relation rel = table_open(DatabaseRelationId, AccessShareLock);
        TableScanDesc scan = table_beginscan_catalog(rel, 0, nullptr);
        HeapTuple tuple;
        while (HeapTupleIsValid(tuple = heap_getnext(scan, ForwardScanDirection))) {
            const Form_pg_database db = reinterpret_cast<Form_pg_database>(GETSTRUCT(tuple));
            if (db->datallowconn && !db->datistemplate) {
                MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);
                databases = lappend_oid(databases, db->oid);
                MemoryContextSwitchTo(old);
            }
        }
        table_endscan(scan);
        table_close(rel, AccessShareLock);
        PopActiveSnapshot();
        CommitTransactionCommand();
        ListCell *lc;
        foreach (lc, databases) purge_database(lfirst_oid(lc));
        list_free(databases);
    }
}

extern "C" PGDLLEXPORT void migration_guard_purge_database(Datum arg);
extern "C" void migration_guard_purge_database(Datum arg) {
    pqsignal(SIGTERM, die);
    BackgroundWorkerUnblockSignals();
    BackgroundWorkerInitializeConnectionByOid(DatumGetObjectId(arg), InvalidOid, 0);
    SetCurrentStatementStartTimestamp();
    StartTransactionCommand();
    PushActiveSnapshot(GetTransactionSnapshot());
    pgstat_report_activity(STATE_RUNNING, "migration_guard: purging the recycle bin");
    if (OidIsValid(get_extension_oid("migration_guard", true))) {
        mg::server::enter_cpp("purge worker", [] {
            for (int64_t id : mg::server::expired_kept(nullptr)) mg::server::purge_one(id, "retention passed (purge worker)");
        });
    }
    PopActiveSnapshot();
    CommitTransactionCommand();
    pgstat_report_activity(STATE_IDLE, nullptr);
    proc_exit(0);
}
