#include "server/blocked_writer.hpp"

#include "server/audit.hpp"
#include "server/settings.hpp"

extern "C" {
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/dsm.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "tcop/tcopprot.h"
#include "utils/wait_event.h"
}

namespace mg::server {

namespace {

constexpr int kSlots = 1024;

struct Slot {
    uint64 seq;  // 0: free; otherwise the order of arrival
    dsm_handle handle;
    Oid database;
    Oid owner;
};

struct Queue {
    slock_t mutex;
    uint64 next_seq;
    Latch *writer_latch;  // nullptr while no writer runs
    Slot slots[kSlots];
};

Queue *queue = nullptr;

// Takes the oldest entry for `database` (any database when InvalidOid); `others` says whether
// entries for other databases wait.
bool take_oldest(Oid database, Slot &out, bool &others) {
    int best = -1;
    others = false;
    SpinLockAcquire(&queue->mutex);
    for (int i = 0; i < kSlots; i++) {
        const Slot &s = queue->slots[i];
        if (s.seq == 0) continue;
        if (OidIsValid(database) && s.database != database) {
            others = true;
            continue;
        }
        if (best < 0 || s.seq < queue->slots[best].seq) best = i;
    }
    if (best >= 0) {
        out = queue->slots[best];
        queue->slots[best].seq = 0;
    }
    SpinLockRelease(&queue->mutex);
    return best >= 0;
}

void forget_writer(int, Datum) {
    SpinLockAcquire(&queue->mutex);
    if (queue->writer_latch == MyLatch) queue->writer_latch = nullptr;
    SpinLockRelease(&queue->mutex);
}

}  // namespace

void request_blocked_queue_shmem() { RequestAddinShmemSpace(MAXALIGN(sizeof(Queue))); }

void init_blocked_queue() {
    bool found = false;
    queue = static_cast<Queue *>(ShmemInitStruct("migration_guard blocked-attempt queue", sizeof(Queue), &found));
    if (found) return;
    memset(queue, 0, sizeof(Queue));
    SpinLockInit(&queue->mutex);
    queue->next_seq = 1;
}

void register_blocked_writer() {
    BackgroundWorker worker;
    memset(&worker, 0, sizeof worker);
    worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
    worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
    worker.bgw_restart_time = 1;  // it exits to reconnect to another database
    snprintf(worker.bgw_library_name, BGW_MAXLEN, "migration_guard");
    snprintf(worker.bgw_function_name, BGW_MAXLEN, "migration_guard_blocked_writer");
    snprintf(worker.bgw_name, BGW_MAXLEN, "migration_guard blocked-attempt writer");
    snprintf(worker.bgw_type, BGW_MAXLEN, "migration_guard blocked-attempt writer");
    RegisterBackgroundWorker(&worker);
}

bool enqueue_blocked(dsm_handle handle, Oid database, Oid owner) {
    if (!queue || blocked_writer() != BlockedWriter::Queue) return false;
    Latch *latch = nullptr;
    bool queued = false;
    SpinLockAcquire(&queue->mutex);
    for (int i = 0; i < kSlots; i++) {
        Slot &s = queue->slots[i];
        if (s.seq != 0) continue;
        s = {queue->next_seq++, handle, database, owner};
        queued = true;
        break;
    }
    latch = queue->writer_latch;
    SpinLockRelease(&queue->mutex);
    if (!queued) {
        count_blocked(BlockedCounter::Overflowed);
        return false;
    }
    if (latch) SetLatch(latch);
    return true;
}

// The writer: connects to the database of the oldest entry, writes every entry of that
// database as it arrives, and exits (to be restarted by the postmaster) when entries for another
// database wait and none for its own. PostgreSQL code only.
extern "C" PGDLLEXPORT void migration_guard_blocked_writer(Datum arg);
extern "C" void migration_guard_blocked_writer(Datum) {
    pqsignal(SIGTERM, die);
    BackgroundWorkerUnblockSignals();
    SpinLockAcquire(&queue->mutex);
    queue->writer_latch = MyLatch;
    SpinLockRelease(&queue->mutex);
    before_shmem_exit(forget_writer, 0);

    Oid connected = InvalidOid;
    for (;;) {
        ResetLatch(MyLatch);
        CHECK_FOR_INTERRUPTS();
        Slot entry;
        bool others = false;
        if (!take_oldest(connected, entry, others)) {
            if (others) proc_exit(1);
            (void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 1000L, PG_WAIT_EXTENSION);
            continue;
        }
        if (!OidIsValid(connected)) {
            BackgroundWorkerInitializeConnectionByOid(entry.database, entry.owner, 0);
            connected = entry.database;
        }
        // One entry that cannot be written (its database lost the extension, say) is reported in
        // the server log and counted as dropped; the writer goes on with the next.
        MemoryContext context = CurrentMemoryContext;
        PG_TRY();
        {
            write_blocked_segment(entry.handle);
        }
        PG_CATCH();
        {
            MemoryContextSwitchTo(context);
            EmitErrorReport();
            FlushErrorState();
            AbortCurrentTransaction();
            pgstat_report_activity(STATE_IDLE, nullptr);
        }
        PG_END_TRY();
        MemoryContextSwitchTo(context);
    }
}

}  // namespace mg::server
