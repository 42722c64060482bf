#include "server/audit/blocked_writer.hpp"

#include "server/audit/audit.hpp"
#include "server/settings.hpp"

extern "C" {
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "tcop/tcopprot.h"
#include "utils/memutils.h"
#include "utils/wait_event.h"
}

namespace mg::server {

namespace {

constexpr size_t kRingBytes = 4 * 1024 * 1024;  // a few thousand typical rows
constexpr size_t kMaxEntry = kRingBytes / 8;    // larger rows go the way of a worker per attempt
constexpr int kBatch = 256;                     // rows the writer commits at once
constexpr const char *kTranche = "migration_guard blocked-attempt queue";

struct EntryHeader {
    uint32 size;  // payload bytes
    Oid database;
    Oid owner;
};

// head and tail only grow: used bytes are tail - head, positions are taken modulo kRingBytes.
struct Ring {
    LWLock *lock;
    Latch *writer_latch;  // nullptr while no writer runs
    uint64 head;
    uint64 tail;
    char data[kRingBytes];
};

Ring *ring = nullptr;

void copy_in(uint64 pos, const void *src, size_t n) {
    const size_t at = pos % kRingBytes, first = std::min(n, kRingBytes - at);
    memcpy(ring->data + at, src, first);
    memcpy(ring->data, static_cast<const char *>(src) + first, n - first);
}

void copy_out(uint64 pos, void *dst, size_t n) {
    const size_t at = pos % kRingBytes, first = std::min(n, kRingBytes - at);
    memcpy(dst, ring->data + at, first);
    memcpy(static_cast<char *>(dst) + first, ring->data, n - first);
}

// Takes up to kBatch entries from the head that belong to `database` (or to the head's database
// when InvalidOid), copied into `context`. `other` says an entry for another database is next.
int take_batch(Oid &database, Oid &owner, char **payloads, MemoryContext context, bool &other) {
    int n = 0;
    other = false;
    LWLockAcquire(ring->lock, LW_EXCLUSIVE);
    while (n < kBatch && ring->tail > ring->head) {
        EntryHeader h;
        copy_out(ring->head, &h, sizeof h);
        if (!OidIsValid(database)) {
            database = h.database;
            owner = h.owner;
        } else if (h.database != database) {
            other = true;
            break;
        }
        payloads[n] = static_cast<char *>(MemoryContextAlloc(context, h.size));
        copy_out(ring->head + sizeof h, payloads[n], h.size);
        ring->head += MAXALIGN(sizeof h + h.size);
        n++;
    }
    LWLockRelease(ring->lock);
    return n;
}

void forget_writer(int, Datum) {
    LWLockAcquire(ring->lock, LW_EXCLUSIVE);
    if (ring->writer_latch == MyLatch) ring->writer_latch = nullptr;
    LWLockRelease(ring->lock);
}

// One row in a transaction of its own; a row that cannot be written is reported and counted.
void write_one(char *payload) {
    MemoryContext context = CurrentMemoryContext;
    PG_TRY();
    {
        insert_blocked_payloads(&payload, 1);
    }
    PG_CATCH();
    {
        MemoryContextSwitchTo(context);
        EmitErrorReport();
        FlushErrorState();
        AbortCurrentTransaction();
        count_blocked(BlockedCounter::Dropped);
    }
    PG_END_TRY();
}

// Commits the batch; when that fails, each row on its own, so one bad row costs only itself.
void write_batch(char **payloads, int n) {
    MemoryContext context = CurrentMemoryContext;
    volatile bool failed = false;
    PG_TRY();
    {
        insert_blocked_payloads(payloads, n);
    }
    PG_CATCH();
    {
        MemoryContextSwitchTo(context);
        FlushErrorState();
        AbortCurrentTransaction();
        failed = true;
    }
    PG_END_TRY();
    if (failed)
        for (int i = 0; i < n; i++) write_one(payloads[i]);
    pgstat_report_activity(STATE_IDLE, nullptr);
}

}  // namespace

void request_blocked_queue_shmem() {
    RequestAddinShmemSpace(MAXALIGN(sizeof(Ring)));
    RequestNamedLWLockTranche(kTranche, 1);
}

void init_blocked_queue() {
    bool found = false;
    ring = static_cast<Ring *>(ShmemInitStruct(kTranche, sizeof(Ring), &found));
    if (found) return;
    ring->lock = &(GetNamedLWLockTranche(kTranche))->lock;
    ring->writer_latch = nullptr;
    ring->head = ring->tail = 0;
}

void register_blocked_writer() {
    BackgroundWorker worker;
    memset(&worker, 0, sizeof worker);
    worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
    worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
    worker.bgw_restart_time = 1;  // it also exits on purpose, to connect to another database
    snprintf(worker.bgw_library_name, BGW_MAXLEN, "migration_guard");
    snprintf(worker.bgw_function_name, BGW_MAXLEN, "migration_guard_blocked_writer");
    snprintf(worker.bgw_name, BGW_MAXLEN, "migration_guard blocked-attempt writer");
    snprintf(worker.bgw_type, BGW_MAXLEN, "migration_guard blocked-attempt writer");
    RegisterBackgroundWorker(&worker);
}

bool enqueue_blocked(const char *payload, size_t size, Oid database, Oid owner) {
    if (!ring || blocked_writer() != BlockedWriter::Queue || size > kMaxEntry) return false;
    const EntryHeader h{static_cast<uint32>(size), database, owner};
    const size_t total = MAXALIGN(sizeof h + size);
    LWLockAcquire(ring->lock, LW_EXCLUSIVE);
    const bool room = ring->tail - ring->head + total <= kRingBytes;
    if (room) {
        copy_in(ring->tail, &h, sizeof h);
        copy_in(ring->tail + sizeof h, payload, size);
        ring->tail += total;
    }
    Latch *latch = ring->writer_latch;
    LWLockRelease(ring->lock);
    if (!room) {
        count_blocked(BlockedCounter::Overflowed);
        return false;
    }
    if (latch) SetLatch(latch);
    return true;
}

// The writer: connects to the database of the oldest entry and writes, in batches, the entries
// of that database as they come; when the next entry is for another database it exits, and the
// postmaster restarts it to connect there. PostgreSQL code only.
extern "C" PGDLLEXPORT void migration_guard_blocked_writer(Datum arg);
extern "C" void migration_guard_blocked_writer(Datum) {
    pqsignal(SIGTERM, die);
    BackgroundWorkerUnblockSignals();
    LWLockAcquire(ring->lock, LW_EXCLUSIVE);
    ring->writer_latch = MyLatch;
    LWLockRelease(ring->lock);
    before_shmem_exit(forget_writer, 0);

    MemoryContext batch_context =
        AllocSetContextCreate(TopMemoryContext, "migration_guard blocked batch", ALLOCSET_DEFAULT_SIZES);
    Oid connected = InvalidOid, owner = InvalidOid;
    char *payloads[kBatch];
    for (;;) {
        ResetLatch(MyLatch);
        CHECK_FOR_INTERRUPTS();
        Oid database = connected;
        bool other = false;
        MemoryContextReset(batch_context);
        const int n = take_batch(database, owner, payloads, batch_context, other);
        if (n == 0) {
            if (other) proc_exit(1);
            (void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 1000L, PG_WAIT_EXTENSION);
            continue;
        }
        if (!OidIsValid(connected)) {
            BackgroundWorkerInitializeConnectionByOid(database, owner, 0);
            connected = database;
        }
        write_batch(payloads, n);
    }
}

}  // namespace mg::server
