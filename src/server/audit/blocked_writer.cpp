#include "server/audit/blocked_writer.hpp"

#include "server/background_worker.hpp"
#include "server/audit/audit.hpp"
#include "server/settings.hpp"

extern "C" {
#include "access/xlog.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/fd.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "tcop/tcopprot.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"
}

namespace mg::server {

namespace {

constexpr size_t kRingBytes = 4 * 1024 * 1024;  // a few thousand typical rows
constexpr size_t kMaxEntry = kRingBytes / 8;    // larger rows go the way of a worker per attempt
constexpr int kBatch = 256;                     // rows a writer commits at once
constexpr int kMaxWriters = 4;                  // databases written to at the same time
constexpr long kIdleMs = 5000;                  // a writer with nothing to write leaves after this
constexpr long kYieldMs = 1000;                 // ... and after this when another database waits
constexpr const char *kTranche = "migration_guard blocked-attempt queue";
constexpr const char *kSaveFile = "migration_guard_blocked.queue";  // in the data directory
constexpr uint32 kSaveMagic = 0x4d475131;                          // "MGQ1"

struct EntryHeader {
    uint32 size;   // payload bytes
    uint32 taken;  // a writer has it
    Oid database;
    Oid owner;
};

struct WriterSlot {
    Oid database;      // InvalidOid: free
    pid_t pid;         // 0 until the writer runs
    Latch *latch;
    bool connected;    // it reached its database
};

// head and tail only grow: used bytes are tail - head, positions are taken modulo kRingBytes.
struct Ring {
    LWLock *lock;
    Latch *launcher_latch;  // nullptr while no launcher runs
    uint64 head;
    uint64 tail;
    int waiting;  // databases with entries and no writer (a writer yields to them)
    WriterSlot writers[kMaxWriters];
    char data[kRingBytes];
};

Ring *ring = nullptr;
volatile sig_atomic_t shutdown_requested = 0;

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

uint64 entry_bytes(const EntryHeader &h) { return MAXALIGN(sizeof h + h.size); }

// Lock held: moves the head past the entries writers have taken.
void advance_head() {
    while (ring->tail > ring->head) {
        EntryHeader h;
        copy_out(ring->head, &h, sizeof h);
        if (!h.taken) break;
        ring->head += entry_bytes(h);
    }
}

// Lock held: appends an entry; false when there is no room.
bool append(const EntryHeader &h, const char *payload) {
    if (ring->tail - ring->head + entry_bytes(h) > kRingBytes) return false;
    copy_in(ring->tail, &h, sizeof h);
    copy_in(ring->tail + sizeof h, payload, h.size);
    ring->tail += entry_bytes(h);
    return true;
}

WriterSlot *slot_of(Oid database) {
    for (WriterSlot &w : ring->writers)
        if (w.database == database) return &w;
    return nullptr;
}

// Takes up to kBatch entries of `database`, wherever they are in the ring, copied into `context`.
int take_batch(Oid database, char **payloads, MemoryContext context) {
    int n = 0;
    LWLockAcquire(ring->lock, LW_EXCLUSIVE);
    for (uint64 pos = ring->head; n < kBatch && pos < ring->tail;) {
        EntryHeader h;
        copy_out(pos, &h, sizeof h);
        if (!h.taken && h.database == database) {
            payloads[n] = static_cast<char *>(MemoryContextAlloc(context, h.size));
            copy_out(pos + sizeof h, payloads[n], h.size);
            h.taken = 1;
            copy_in(pos, &h, sizeof h);
            n++;
        }
        pos += entry_bytes(h);
    }
    advance_head();
    LWLockRelease(ring->lock);
    return n;
}

// Lock held: marks every entry of `database` taken (it cannot be written: the database is gone or
// will not take a connection); returns how many.
int discard(Oid database) {
    int n = 0;
    for (uint64 pos = ring->head; pos < ring->tail;) {
        EntryHeader h;
        copy_out(pos, &h, sizeof h);
        if (!h.taken && h.database == database) {
            h.taken = 1;
            copy_in(pos, &h, sizeof h);
            n++;
        }
        pos += entry_bytes(h);
    }
    advance_head();
    return n;
}

void forget_writer(int, Datum) {
    LWLockAcquire(ring->lock, LW_EXCLUSIVE);
    for (WriterSlot &w : ring->writers)
        if (w.pid == MyProcPid) w = WriterSlot{InvalidOid, 0, nullptr, false};
    Latch *launcher = ring->launcher_latch;
    LWLockRelease(ring->lock);
    if (launcher) SetLatch(launcher);  // entries of this database may still wait
}

void forget_launcher(int, Datum) {
    LWLockAcquire(ring->lock, LW_EXCLUSIVE);
    if (ring->launcher_latch == MyLatch) ring->launcher_latch = nullptr;
    LWLockRelease(ring->lock);
}

void on_sigterm(SIGNAL_ARGS) {
    const int saved = errno;
    shutdown_requested = 1;
    SetLatch(MyLatch);
    errno = saved;
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

bool start_writer(Oid database, Oid owner, BackgroundWorkerHandle **handle) {
    BackgroundWorker worker = guard_worker("migration_guard_blocked_db_writer", "migration_guard blocked-attempt writer");
    worker.bgw_main_arg = ObjectIdGetDatum(database);
    memcpy(worker.bgw_extra, &owner, sizeof owner);
    worker.bgw_notify_pid = MyProcPid;
    return RegisterDynamicBackgroundWorker(&worker, handle);
}

// Saves what no writer has taken (a clean shutdown), in the order it came.
void save_ring() {
    LWLockAcquire(ring->lock, LW_EXCLUSIVE);
    int entries = 0;
    for (uint64 pos = ring->head; pos < ring->tail;) {
        EntryHeader h;
        copy_out(pos, &h, sizeof h);
        entries += !h.taken;
        pos += entry_bytes(h);
    }
    if (entries == 0) {
        LWLockRelease(ring->lock);
        return;
    }
    const char *tmp = "migration_guard_blocked.queue.tmp";
    FILE *f = AllocateFile(tmp, PG_BINARY_W);
    bool ok = f && fwrite(&kSaveMagic, sizeof kSaveMagic, 1, f) == 1;
    char *payload = static_cast<char *>(palloc(kMaxEntry));
    for (uint64 pos = ring->head; ok && pos < ring->tail;) {
        EntryHeader h;
        copy_out(pos, &h, sizeof h);
        if (!h.taken) {
            copy_out(pos + sizeof h, payload, h.size);
            ok = fwrite(&h, sizeof h, 1, f) == 1 && fwrite(payload, 1, h.size, f) == h.size;
        }
        pos += entry_bytes(h);
    }
    LWLockRelease(ring->lock);
    if (f) ok = FreeFile(f) == 0 && ok;
    if (ok && durable_rename(tmp, kSaveFile, LOG) == 0)
        ereport(LOG, (errmsg("migration_guard: %d blocked attempts not yet in the audit log saved to %s; they are written "
                             "after the next start", entries, kSaveFile)));
    else
        ereport(LOG, (errmsg("migration_guard: could not save %d blocked attempts to %s: %m", entries, kSaveFile)));
}

// At start-up (postmaster, shared memory just made): queues what the last clean shutdown saved.
void load_saved() {
    FILE *f = AllocateFile(kSaveFile, PG_BINARY_R);
    if (!f) return;
    uint32 magic = 0;
    int loaded = 0, lost = 0;
    char *payload = static_cast<char *>(palloc(kMaxEntry));
    if (fread(&magic, sizeof magic, 1, f) == 1 && magic == kSaveMagic) {
        EntryHeader h;
        while (fread(&h, sizeof h, 1, f) == 1) {
            if (h.size > kMaxEntry || fread(payload, 1, h.size, f) != h.size) break;
            h.taken = 0;
            if (append(h, payload)) loaded++;
            else lost++;
        }
    }
    FreeFile(f);
    pfree(payload);
    unlink(kSaveFile);
    ereport(LOG, (errmsg("migration_guard: %d blocked attempts saved at the last shutdown queued for the audit log%s", loaded,
                         lost ? psprintf(" (%d did not fit the queue)", lost) : "")));
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
    ring->launcher_latch = nullptr;
    ring->head = ring->tail = 0;
    ring->waiting = 0;
    for (WriterSlot &w : ring->writers) w = WriterSlot{InvalidOid, 0, nullptr, false};
    if (!IsUnderPostmaster) load_saved();
}

void register_blocked_writer() {
    BackgroundWorker worker =
        guard_worker("migration_guard_blocked_writer", "migration_guard blocked-attempt launcher", false, 1);
    RegisterBackgroundWorker(&worker);
}

bool enqueue_blocked(const char *payload, size_t size, Oid database, Oid owner) {
    // A standby writes nothing: no writer runs during recovery, so nothing may wait for one.
    if (!ring || blocked_writer() != BlockedWriter::Queue || size > kMaxEntry || RecoveryInProgress()) return false;
    const EntryHeader h{static_cast<uint32>(size), 0, database, owner};
    LWLockAcquire(ring->lock, LW_EXCLUSIVE);
    const bool room = append(h, payload);
    const WriterSlot *writer = slot_of(database);
    Latch *latch = writer && writer->latch ? writer->latch : ring->launcher_latch;
    LWLockRelease(ring->lock);
    if (!room) {
        count_blocked(BlockedCounter::Overflowed);
        return false;
    }
    if (latch) SetLatch(latch);
    return true;
}

}  // namespace mg::server

using namespace mg::server;

// The launcher: starts a writer for each database with entries waiting (up to kMaxWriters at
// once), notices writers that could not reach their database (their entries are dropped, on
// record), and at a clean shutdown saves what is left. PostgreSQL code only.
extern "C" PGDLLEXPORT void migration_guard_blocked_writer(Datum arg);
extern "C" void migration_guard_blocked_writer(Datum) {
    pqsignal(SIGTERM, on_sigterm);
    BackgroundWorkerUnblockSignals();
    LWLockAcquire(ring->lock, LW_EXCLUSIVE);
    ring->launcher_latch = MyLatch;
    LWLockRelease(ring->lock);
    before_shmem_exit(forget_launcher, 0);
    BackgroundWorkerHandle *handles[kMaxWriters] = {};
    while (!shutdown_requested) {
        (void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 1000L, PG_WAIT_EXTENSION);
        ResetLatch(MyLatch);
        if (shutdown_requested) break;
        LWLockAcquire(ring->lock, LW_EXCLUSIVE);
        // Writers that ended (a writer clears its own slot when it leaves; one that never reached
        // its database cannot write its entries).
        int dropped = 0;
        for (int i = 0; i < kMaxWriters; i++) {
            if (!handles[i]) continue;
            pid_t pid;
            if (GetBackgroundWorkerPid(handles[i], &pid) != BGWH_STOPPED) continue;
            WriterSlot &w = ring->writers[i];
            if (OidIsValid(w.database)) {
                if (!w.connected) dropped += discard(w.database);
                w = WriterSlot{InvalidOid, 0, nullptr, false};
            }
            pfree(handles[i]);
            handles[i] = nullptr;
        }
        // Databases with entries and no writer.
        Oid pending[kMaxWriters * 4];
        Oid owners[kMaxWriters * 4];
        int n = 0;
        for (uint64 pos = ring->head; pos < ring->tail && n < kMaxWriters * 4;) {
            EntryHeader h;
            copy_out(pos, &h, sizeof h);
            bool listed = false;
            for (int i = 0; i < n; i++) listed = listed || pending[i] == h.database;
            if (!h.taken && !listed && !slot_of(h.database)) {
                pending[n] = h.database;
                owners[n++] = h.owner;
            }
            pos += entry_bytes(h);
        }
        int started = 0;
        for (int i = 0; i < kMaxWriters && started < n; i++) {
            WriterSlot &w = ring->writers[i];
            if (OidIsValid(w.database) || handles[i]) continue;
            w = WriterSlot{pending[started], 0, nullptr, false};
            if (!start_writer(pending[started], owners[started], &handles[i])) {
                w = WriterSlot{InvalidOid, 0, nullptr, false};
                handles[i] = nullptr;
                break;  // no free worker slot: the next round
            }
            started++;
        }
        ring->waiting = n - started;
        LWLockRelease(ring->lock);
        for (int i = 0; i < dropped; i++) count_blocked(BlockedCounter::Dropped);
        if (dropped)
            ereport(LOG, (errmsg("migration_guard: %d blocked attempts dropped: their database took no writer", dropped)));
    }
    // A clean shutdown: the writers finish their batch; what none took is saved for the next start.
    for (int tries = 0; tries < 50; tries++) {
        bool running = false;
        LWLockAcquire(ring->lock, LW_SHARED);
        for (const WriterSlot &w : ring->writers) running = running || w.pid != 0;
        LWLockRelease(ring->lock);
        if (!running) break;
        pg_usleep(100000L);
    }
    save_ring();
    proc_exit(0);
}

// A writer for one database: writes its entries in batches as they come; leaves once idle, or
// after a while when another database waits for a writer.
extern "C" PGDLLEXPORT void migration_guard_blocked_db_writer(Datum arg);
extern "C" void migration_guard_blocked_db_writer(Datum arg) {
    const Oid database = DatumGetObjectId(arg);
    Oid owner;
    memcpy(&owner, MyBgworkerEntry->bgw_extra, sizeof owner);
    pqsignal(SIGTERM, on_sigterm);
    BackgroundWorkerUnblockSignals();
    LWLockAcquire(ring->lock, LW_EXCLUSIVE);
    if (WriterSlot *w = slot_of(database)) w->pid = MyProcPid;
    LWLockRelease(ring->lock);
    before_shmem_exit(forget_writer, 0);
    BackgroundWorkerInitializeConnectionByOid(database, owner, 0);
    LWLockAcquire(ring->lock, LW_EXCLUSIVE);
    if (WriterSlot *w = slot_of(database)) {
        w->latch = MyLatch;
        w->connected = true;
    }
    LWLockRelease(ring->lock);

    MemoryContext batch_context =
        AllocSetContextCreate(TopMemoryContext, "migration_guard blocked batch", ALLOCSET_DEFAULT_SIZES);
    char *payloads[kBatch];
    const TimestampTz started = GetCurrentTimestamp();
    TimestampTz last_write = started;
    while (!shutdown_requested) {
        ResetLatch(MyLatch);
        MemoryContextReset(batch_context);
        const int n = take_batch(database, payloads, batch_context);
        const TimestampTz now = GetCurrentTimestamp();
        if (n > 0) {
            write_batch(payloads, n);
            last_write = now;
            LWLockAcquire(ring->lock, LW_SHARED);
            const bool others_wait = ring->waiting > 0;
            LWLockRelease(ring->lock);
            if (others_wait && TimestampDifferenceExceeds(started, now, kYieldMs)) break;
            continue;
        }
        if (TimestampDifferenceExceeds(last_write, now, kIdleMs)) break;
        (void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 1000L, PG_WAIT_EXTENSION);
    }
    proc_exit(0);
}
