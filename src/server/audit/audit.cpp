#include "server/audit/audit.hpp"

#include <cstring>
#include <set>

#include "server/background_worker.hpp"
#include "server/audit/audit_table.hpp"
#include "server/audit/blocked_writer.hpp"
#include "server/audit/migration_tools.hpp"
#include "server/extension_cache.hpp"
#include "server/guard_owner.hpp"
#include "server/settings.hpp"

extern "C" {
#include "access/xlog.h"
#include "access/xact.h"
#include "catalog/pg_authid.h"
#include "utils/fmgrprotos.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/dsm.h"
#include "storage/ipc.h"
#include "storage/proc.h"
#include "storage/shmem.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
}

namespace mg::server {

namespace {

// --- who, where, when: the session's side of every row --------------------------------------

using Context = AuditSession;

Context capture_context() {
    Context c;
    const char *migration = effective_migration_id();
    pg_call([&] {
        c.role_name = GetUserNameFromId(GetUserId(), false);
        c.session_role = GetUserNameFromId(GetSessionUserId(), false);
        c.application_name = application_name && application_name[0] ? pstrdup(application_name) : nullptr;
        {
            // inet_client_addr() is NULL for local connections (and for background workers).
            LOCAL_FCINFO(call, 0);
            InitFunctionCallInfoData(*call, nullptr, 0, InvalidOid, nullptr, nullptr);
            Datum addr = inet_client_addr(call);
            if (!call->isnull) c.client_addr = DatumGetCString(DirectFunctionCall1(inet_out, addr));
        }
        c.backend_pid = MyProcPid;
        FullTransactionId fxid = GetTopFullTransactionIdIfAny();
        c.xid = FullTransactionIdIsValid(fxid) ? U64FromFullTransactionId(fxid) : 0;
        c.logged_at = GetCurrentStatementStartTimestamp();
        c.migration_id = migration && migration[0] ? pstrdup(migration) : nullptr;
    });
    return c;
}

std::string joined(const std::vector<std::string> &items) {
    std::string out;
    for (const auto &i : items) out += (out.empty() ? "" : "\n") + i;
    return out;
}

// --- blocked rows: serialized into a pinned DSM segment for a background worker ----------------

constexpr int kCounters = 5;  // BlockedCounter values
struct SharedCounters {
    pg_atomic_uint64 values[kCounters];
    pg_atomic_uint64 last_row_id;  // see row_id.cpp
};
SharedCounters *counters = nullptr;
shmem_startup_hook_type previous_startup = nullptr;

// Layout: header, then the strings, each NUL-terminated, in the order of kStringFields.
struct BlockedHeader {
    uint32 magic;
    int32 backend_pid;
    uint64 xid;
    TimestampTz logged_at;
    int64 approval_id;
    int32 n_strings;
};
constexpr uint32 kMagic = 0x6d67626c;  // "mgbl"
enum StringField {
    kRole, kSession, kApplication, kClient, kTag, kObjectType, kIdentity, kStatement, kRules, kRisk, kMigration, kRowsAffected,
    kRequest, kFieldCount
};

// Serializes one blocked row into `p` (blocked_payload_size() bytes). PostgreSQL code only.
void fill_payload(char *p, const BlockedHeader &header, const char *const (&strings)[kFieldCount]) {
    memcpy(p, &header, sizeof header);
    p += sizeof header;
    for (const char *s : strings) {
        const size_t n = s ? strlen(s) : 0;
        memcpy(p, s ? s : "", n);
        p[n] = '\0';
        p += n + 1;
    }
}

// Inserts one serialized row; inside the writer's transaction.
void insert_payload(AuditTable &table, const char *p) {
    BlockedHeader header;
    memcpy(&header, p, sizeof header);
    // Entries saved by 0.2.0 (a queue file from before an update) have no rows_affected.
    if (header.magic != kMagic || header.n_strings < kRowsAffected || header.n_strings > kFieldCount)
        elog(ERROR, "migration_guard audit writer: bad entry");
    p += sizeof header;
    const char *s[kFieldCount];
    for (int i = 0; i < kFieldCount; i++) {
        s[i] = i < header.n_strings ? p : "";
        if (i < header.n_strings) p += strlen(p) + 1;
    }
    Context c;
    c.role_name = s[kRole];
    c.session_role = s[kSession];
    c.application_name = s[kApplication];
    c.client_addr = s[kClient];
    c.backend_pid = header.backend_pid;
    c.xid = header.xid;
    c.logged_at = header.logged_at;
    c.migration_id = s[kMigration];
    AuditFields f;
    f.command_tag = s[kTag];
    f.object_type = s[kObjectType];
    f.object_identity = s[kIdentity];
    f.statement = s[kStatement];
    f.rules = s[kRules];
    f.risk = s[kRisk];
    f.decision = "blocked";
    f.approval_id = header.approval_id;
    if (s[kRowsAffected][0]) f.rows_affected = strtoll(s[kRowsAffected], nullptr, 10);
    if (s[kRequest][0]) f.request_id = strtoll(s[kRequest], nullptr, 10);
    table.insert(c, f);
}

bool launch_writer(dsm_handle handle, Oid database, Oid owner) {
    BackgroundWorker worker = guard_worker("migration_guard_audit_writer", "migration_guard audit writer");
    worker.bgw_main_arg = UInt32GetDatum(handle);
    memcpy(worker.bgw_extra, &database, sizeof database);
    memcpy(worker.bgw_extra + sizeof database, &owner, sizeof owner);
    worker.bgw_notify_pid = 0;
    // Worker slots can be briefly full (parallel query uses them too): wait up to two seconds.
    for (int attempt = 0; attempt < 200; attempt++) {
        BackgroundWorkerHandle *h = nullptr;
        if (RegisterDynamicBackgroundWorker(&worker, &h)) return true;
        pg_usleep(10000L);
    }
    return false;
}

}  // namespace

std::vector<int64_t> write_audit_rows(const std::vector<AuditRow> &rows) {
    std::vector<int64_t> ids(rows.size(), 0);
    if (rows.empty()) return ids;
    const Oid relid = extension_place().audit_change;
    if (!OidIsValid(relid)) return ids;  // the extension is being dropped by this very statement
    const Context c = capture_context();
    // Built before entering PostgreSQL code: an error there must not skip C++ destructors.
    std::vector<std::string> rules;
    for (const AuditRow &r : rows) rules.push_back(joined(r.rules));
    pg_call([&] {
        AuditTable table(relid);
        for (size_t i = 0; i < rows.size(); ++i) {
            const AuditRow &r = rows[i];
            AuditFields f;
            f.command_tag = r.command_tag.c_str();
            f.object_type = r.object_type.c_str();
            f.object_identity = r.object_identity.c_str();
            f.statement = r.statement.c_str();
            f.rules = rules[i].c_str();
            f.risk = risk_name(r.risk);
            f.decision = r.decision.c_str();
            f.approval_id = r.approval_id;
            f.undo_sql = r.undo_sql.empty() ? nullptr : r.undo_sql.c_str();
            f.rows_affected = r.rows_affected;
            ids[i] = table.insert(c, f);
        }
        table.close();
    });
    note_audit_rows_written(rows.front().command_tag + " on " + rows.front().object_identity);
    return ids;
}

void record_blocked(const std::vector<AuditRow> &rows) {
    // A standby (in recovery) writes nothing and starts no writer: the attempt goes to the server
    // log and the client is told, instead of waiting for a worker that cannot start.
    bool recovering = false;
    pg_call([&] { recovering = RecoveryInProgress(); });
    if (recovering) {
        for (const AuditRow &r : rows) {
            count_blocked(BlockedCounter::Dropped);
            pg_call([&] {
                ereport(WARNING, (errmsg("migration_guard: this server is a standby (in recovery): the blocked attempt "
                                         "cannot be written to its audit log"),
                                  errdetail("The attempt was %s on %s; it is in the server log.", r.command_tag.c_str(),
                                            r.object_identity.c_str()),
                                  errhint("Run schema changes on the primary.")));
            });
        }
        return;
    }
    const Context c = capture_context();
    // The writer connects as the extension owner, or as the bootstrap superuser when the owner
    // may not log in (a background worker connection is a login).
    Oid owner = extension_owner();
    pg_call([&] {
        HeapTuple role = SearchSysCache1(AUTHOID, ObjectIdGetDatum(owner));
        if (HeapTupleIsValid(role)) {
            if (!reinterpret_cast<Form_pg_authid>(GETSTRUCT(role))->rolcanlogin) owner = BOOTSTRAP_SUPERUSERID;
            ReleaseSysCache(role);
        }
    });
    // One statement that catches a blocked DDL per row would otherwise write a row (and start a
    // worker) per row: within one transaction, a repeat of the same attempt is counted, not
    // written again.
    static LocalTransactionId seen_in = InvalidLocalTransactionId;
    static std::set<std::string> seen;
    if (mg::pg::local_transaction_id() != seen_in) {
        seen.clear();
        seen_in = mg::pg::local_transaction_id();
    }
    for (const AuditRow &r : rows) {
        const std::string rules = joined(r.rules);
        if (!seen.insert(r.command_tag + '\x1f' + r.object_identity + '\x1f' + rules + '\x1f' + r.statement).second) {
            count_blocked(BlockedCounter::Coalesced);
            continue;
        }
        const std::string affected = r.rows_affected >= 0 ? std::to_string(r.rows_affected) : "";
        const std::string request = r.request_id ? std::to_string(r.request_id) : "";
        const char *strings[kFieldCount] = {c.role_name, c.session_role, c.application_name, c.client_addr,
                                            r.command_tag.c_str(), r.object_type.c_str(), r.object_identity.c_str(),
                                            r.statement.c_str(), rules.c_str(), risk_name(r.risk), c.migration_id,
                                            affected.c_str(), request.c_str()};
        size_t size = sizeof(BlockedHeader);
        for (const char *s : strings) size += (s ? strlen(s) : 0) + 1;
        bool launched = false;
        pg_call([&] {
            const BlockedHeader header{kMagic, c.backend_pid, c.xid, c.logged_at, r.approval_id, kFieldCount};
            // The long-lived writer first: its slot cannot be taken by other workers, and its
            // queue needs no segment per attempt.
            char *payload = static_cast<char *>(palloc(size));
            fill_payload(payload, header, strings);
            launched = enqueue_blocked(payload, size, MyDatabaseId, owner);
            pfree(payload);
            if (launched) return;
            dsm_segment *seg = dsm_create(size, 0);
            fill_payload(static_cast<char *>(dsm_segment_address(seg)), header, strings);
            dsm_pin_segment(seg);  // outlives this transaction's abort; the worker unpins it
            const dsm_handle handle = dsm_segment_handle(seg);
            dsm_detach(seg);
            launched = launch_writer(handle, MyDatabaseId, owner);
            if (!launched) dsm_unpin_segment(handle);
        });
        if (launched) {
            count_blocked(BlockedCounter::Queued);
        } else {
            count_blocked(BlockedCounter::Dropped);
            pg_call([&] {
                ereport(WARNING, (errmsg("migration_guard could not record a blocked attempt in the audit log"),
                                  errdetail("No background worker slot was free (max_worker_processes)."),
                                  errhint("The attempt was %s on %s.", r.command_tag.c_str(),
                                          r.object_identity.c_str())));
            });
        }
    }
}

void count_blocked(BlockedCounter which) {
    if (counters) pg_atomic_fetch_add_u64(&counters->values[static_cast<int>(which)], 1);
}

void request_audit_shmem() {
    RequestAddinShmemSpace(MAXALIGN(sizeof(SharedCounters)));
    request_blocked_queue_shmem();
}

static void audit_shmem_startup() {
    if (previous_startup) previous_startup();
    LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
    bool found = false;
    counters = static_cast<SharedCounters *>(ShmemInitStruct("migration_guard audit counters", sizeof(SharedCounters), &found));
    if (!found) {
        for (auto &v : counters->values) pg_atomic_init_u64(&v, 0);
        pg_atomic_init_u64(&counters->last_row_id, 0);
    }
    init_blocked_queue();
    LWLockRelease(AddinShmemInitLock);
}

void init_audit_shmem() {
    previous_startup = shmem_startup_hook;
    shmem_startup_hook = audit_shmem_startup;
}

pg_atomic_uint64 *shared_row_id_clock() { return counters ? &counters->last_row_id : nullptr; }

bool audit_counters(BlockedCounts &c) {
    if (!counters) return false;
    auto read = [](BlockedCounter w) {
        return static_cast<int64_t>(pg_atomic_read_u64(&counters->values[static_cast<int>(w)]));
    };
    c.queued = read(BlockedCounter::Queued);
    c.written = read(BlockedCounter::Written);
    c.dropped = read(BlockedCounter::Dropped);
    c.coalesced = read(BlockedCounter::Coalesced);
    c.overflowed = read(BlockedCounter::Overflowed);
    return true;
}

void insert_blocked_payloads(const char *const *payloads, int n) {
    SetCurrentStatementStartTimestamp();
    StartTransactionCommand();
    PushActiveSnapshot(GetTransactionSnapshot());
    pgstat_report_activity(STATE_RUNNING, "writing blocked attempts to the audit log");
    const Oid relid = extension_place_pg().audit_blocked;
    if (!OidIsValid(relid)) elog(ERROR, "migration_guard audit writer: the extension is not installed in this database");
    AuditTable table(relid);
    for (int i = 0; i < n; i++) insert_payload(table, payloads[i]);
    table.close();
    PopActiveSnapshot();
    CommitTransactionCommand();
    pgstat_report_activity(STATE_IDLE, nullptr);
    for (int i = 0; i < n; i++) count_blocked(BlockedCounter::Written);
}

void write_blocked_segment(unsigned int handle) {
    volatile bool unpinned = false;
    PG_TRY();
    {
        dsm_segment *seg = dsm_attach(handle);
        if (!seg) elog(ERROR, "migration_guard audit writer: segment %u is gone", handle);
        const char *payload = static_cast<const char *>(dsm_segment_address(seg));
        insert_blocked_payloads(&payload, 1);
        dsm_unpin_segment(handle);
        unpinned = true;
        dsm_detach(seg);
    }
    PG_CATCH();
    {
        count_blocked(BlockedCounter::Dropped);
        // The row is lost (the error is in the server log); the memory is not.
        if (!unpinned) dsm_unpin_segment(handle);
        PG_RE_THROW();
    }
    PG_END_TRY();
}

// A background worker of its own for one blocked attempt (no preload, or the queue was full).
// PostgreSQL code only; an error ends the worker.
extern "C" PGDLLEXPORT void migration_guard_audit_writer(Datum arg);
extern "C" void migration_guard_audit_writer(Datum arg) {
    const dsm_handle handle = DatumGetUInt32(arg);
    Oid database, owner;
    memcpy(&database, MyBgworkerEntry->bgw_extra, sizeof database);
    memcpy(&owner, MyBgworkerEntry->bgw_extra + sizeof database, sizeof owner);
    BackgroundWorkerUnblockSignals();
    BackgroundWorkerInitializeConnectionByOid(database, owner, 0);
    write_blocked_segment(handle);
    proc_exit(0);
}

}  // namespace mg::server
