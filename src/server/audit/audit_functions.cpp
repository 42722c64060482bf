// SQL functions of the audit log: the append-only trigger, purge_audit(), begin/end_migration(),
// audit_status().
#include <cstring>
#include <set>

#include "server/usable.hpp"
#include "server/audit/audit.hpp"
#include "server/boundary.hpp"
#include "server/guard_owner.hpp"
#include "server/role_names.hpp"
#include "server/settings.hpp"
#include "server/enforcement/statement_text.hpp"
#include "server/spi_rows.hpp"
#include "server/sqlstate.hpp"
#include "engine/text_position.hpp"

extern "C" {
#include "commands/trigger.h"
#include "replication/logicalworker.h"
#include "utils/guc.h"
}

namespace {
// Set only while purge_audit() deletes: the one way rows leave the audit tables.
bool purging = false;
}  // namespace

MG_SQL_FUNCTION(migration_guard_audit_append_only) {
    using namespace mg::server;
    if (!CALLED_AS_TRIGGER(fcinfo))
        throw UserError(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED, "function can only be called as a trigger");
    TriggerData *trigger = reinterpret_cast<TriggerData *>(fcinfo->context);
    if (purging && TRIGGER_FIRED_BY_DELETE(trigger->tg_event)) return PointerGetDatum(trigger->tg_trigtuple);
    // A publisher's purge reaching a subscriber: not this database's rows (see replicated_rows.cpp).
    if (IsLogicalWorker() && TRIGGER_FIRED_FOR_ROW(trigger->tg_event)) return PointerGetDatum(nullptr);
    const char *what = TRIGGER_FIRED_BY_UPDATE(trigger->tg_event)   ? "UPDATE"
                       : TRIGGER_FIRED_BY_DELETE(trigger->tg_event) ? "DELETE"
                                                                    : "TRUNCATE";
    throw UserError(ERRCODE_INSUFFICIENT_PRIVILEGE,
                    std::string("the migration_guard audit log is append-only: ") + what + " is refused",
                    "Audit rows are never changed or removed, whoever asks.",
                    "A superuser can remove old rows with SELECT migration_guard.purge_audit('<interval>'), which "
                    "leaves a row of its own.");
}

MG_SQL_FUNCTION(migration_guard_purge_audit) {
    mg::server::refuse_unusable("migration_guard.purge_audit()");
    using namespace mg::server;
    bool is_superuser = false;
    pg_call([&] { is_superuser = superuser(); });
    if (!is_superuser)
        throw UserError(ERRCODE_INSUFFICIENT_PRIVILEGE, "only superusers can purge the migration_guard audit log");
    if (PG_ARGISNULL(0)) throw UserError(ERRCODE_NULL_VALUE_NOT_ALLOWED, "purge_audit() needs an interval");
    int64 deleted = 0;
    Datum older_than = PG_GETARG_DATUM(0);
    purging = true;
    ErrorData *error = try_pg([&] {
        with_pinned_search_path([&] {
            if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
            Oid types[1] = {INTERVALOID};
            Datum args[1] = {older_than};
            // The tool rows go with the changes they name (not counted: they are not audit rows).
            const struct { const char *table, *column; bool counted; } purged[] = {
                {"migration_guard.audit_change", "logged_at", true},
                {"migration_guard.audit_blocked", "logged_at", true},
                {"migration_guard.tool_migration", "recorded_at", false}};
            for (const auto &p : purged) {
                const char *query = psprintf("DELETE FROM %s WHERE %s OPERATOR(pg_catalog.<) "
                                             "(pg_catalog.now() OPERATOR(pg_catalog.-) $1)", p.table, p.column);
                const int rc = SPI_execute_with_args(query, 1, types, args, nullptr, false, 0);
                if (rc != SPI_OK_DELETE) elog(ERROR, "migration_guard: purging %s failed (%d)", p.table, rc);
                if (p.counted) deleted += static_cast<int64>(SPI_processed);
            }
            SPI_finish();
        });
    });
    purging = false;
    if (error) throw PgError(error);

    AuditRow row;
    row.command_tag = "PURGE AUDIT";
    row.object_type = "audit log";
    row.object_identity = "migration_guard.audit_log (" + std::to_string(deleted) + " rows removed)";
    row.statement = running_statement_text(nullptr);
    row.decision = "allowed";
    write_audit_rows({row});
    PG_RETURN_INT64(deleted);
}

namespace mg::server {
namespace {

// With verify_after on, begin_migration() notes the problems the schema already has, so that
// end_migration() reports only the ones the migration brought. (A migration id set without
// begin_migration() has no baseline: everything found in what it changed is reported.)
std::string baseline_migration;
std::set<std::string> baseline;

void take_baseline(const std::string &id) {
    baseline_migration.clear();
    baseline.clear();
    if (verify_after() == VerifyAfter::Off) return;
    for (const auto &r : spi_rows("SELECT rule || ' ' || object FROM migration_guard.verify()")) baseline.insert(r[0]);
    baseline_migration = id;
}

// migration_guard.verify_after: verify() on what the migration changed, before it is closed, so
// that `block` leaves it open (and, in the migration's own transaction, rolls it back).
void verify_migration(const std::string &id) {
    const VerifyAfter how = verify_after();
    if (how == VerifyAfter::Off) return;
    const auto rows = spi_rows(
        "SELECT rule, risk::text, object, message FROM migration_guard.verify(NULL, $1) "
        "WHERE risk >= 'medium'",
        id.c_str());
    std::string list;
    int blocking = 0, found = 0;
    for (const auto &r : rows) {
        if (baseline_migration == id && baseline.count(r[0] + ' ' + r[2])) continue;
        ++found;
        const Risk risk = parse_risk(r[1]).value_or(Risk::Low);
        if (how == VerifyAfter::Block && risk >= block_at()) ++blocking;
        list += (list.empty() ? "" : "\n") + r[0] + " (" + r[1] + ") on " + escape_control(r[2]) + ": " +
                escape_control(r[3]) + ".";
    }
    if (found == 0) return;
    const std::string what = "migration \"" + escape_control(id) + "\" left " + std::to_string(found) +
                             (found == 1 ? " new problem" : " new problems") + " in what it changed";
    const std::string hint = "SELECT * FROM migration_guard.verify(migration_id => '" + escape_control(id) +
                             "'); shows each with its fix (docs/verify.md).";
    if (blocking > 0)
        throw UserError(MG_ERRCODE_BLOCKED, "migration_guard: " + what + ", " + std::to_string(blocking) +
                                                " at or above " + risk_name(block_at()) + "; the migration stays open",
                        list, hint + " Fix them in this migration, then end it again.");
    const std::string message = "migration_guard: " + what;
    pg_call([&] {
        ereport(WARNING, (errmsg("%s", message.c_str()), errdetail("%s", list.c_str()), errhint("%s", hint.c_str())));
    });
}

}  // namespace
}  // namespace mg::server

namespace {
constexpr const char *kBegun = "begun:";
}  // namespace

MG_SQL_FUNCTION(migration_guard_begin_migration) {
    mg::server::refuse_unusable("migration_guard.begin_migration()");
    using namespace mg::server;
    if (PG_ARGISNULL(0)) throw UserError(ERRCODE_NULL_VALUE_NOT_ALLOWED, "begin_migration() needs a migration id");
    std::string id, intent;
    pg_call([&] {
        id = TextDatumGetCString(PG_GETARG_DATUM(0));
        if (!PG_ARGISNULL(1)) intent = TextDatumGetCString(PG_GETARG_DATUM(1));
    });
    if (id.find_first_not_of(" \t\r\n") == std::string::npos)
        throw UserError(ERRCODE_INVALID_PARAMETER_VALUE, "a migration id cannot be empty");
    // A migration id set by the session or a tool (PGOPTIONS) is refined by the explicit one until
    // end_migration(); only a migration begun here and not ended is in the way.
    if (begun_migration()[0])
        throw UserError(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                        "migration \"" + std::string(migration_id()) + "\" is still open", "",
                        "Call SELECT migration_guard.end_migration(); first.");
    const std::string outer = std::string(kBegun) + migration_id();
    const std::string role = current_role_name(), session = session_role_name();
    take_baseline(id);
    pg_call([&] {
        set_config_option("migration_guard.begun_migration", outer.c_str(), PGC_SUSET, PGC_S_SESSION, GUC_ACTION_SET,
                          true, 0, false);
        set_config_option("migration_guard.migration_id", id.c_str(), PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SET,
                          true, 0, false);
    });
    as_guard_owner([&](MemoryContext) {
        Oid types[4] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID};
        Datum args[4] = {CStringGetTextDatum(id.c_str()), CStringGetTextDatum(intent.c_str()),
                         CStringGetTextDatum(role.c_str()), CStringGetTextDatum(session.c_str())};
        char nulls[4] = {' ', intent.empty() ? 'n' : ' ', ' ', ' '};
        const int rc = SPI_execute_with_args(
            "INSERT INTO migration_guard.migration_run (migration_id, intent, role_name, session_role, backend_pid) "
            "VALUES ($1, $2, $3, $4, pg_backend_pid())",
            4, types, args, nulls, false, 0);
        if (rc != SPI_OK_INSERT) elog(ERROR, "migration_guard: recording the migration failed (%d)", rc);
    });
    PG_RETURN_VOID();
}

MG_SQL_FUNCTION(migration_guard_end_migration) {
    mg::server::refuse_unusable("migration_guard.end_migration()");
    using namespace mg::server;
    const std::string open = migration_id();
    if (open.empty())
        throw UserError(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE, "no migration is open in this session", "",
                        "Start one with SELECT migration_guard.begin_migration('<id>', '<intent>');");
    verify_migration(open);
    as_guard_owner([&](MemoryContext) {
        Oid types[1] = {TEXTOID};
        Datum args[1] = {CStringGetTextDatum(open.c_str())};
        const int rc = SPI_execute_with_args(
            "UPDATE migration_guard.migration_run SET ended_at = clock_timestamp() "
            "WHERE migration_id = $1 AND backend_pid = pg_backend_pid() AND ended_at IS NULL",
            1, types, args, nullptr, false, 0);
        if (rc != SPI_OK_UPDATE) elog(ERROR, "migration_guard: closing the migration failed (%d)", rc);
    });
    // Back to the migration id it refined (none, or the one a tool or the session set).
    const std::string begun = begun_migration();
    const std::string outer = begun.rfind(kBegun, 0) == 0 ? begun.substr(std::strlen(kBegun)) : std::string();
    pg_call([&] {
        set_config_option("migration_guard.migration_id", outer.c_str(), PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SET,
                          true, 0, false);
        set_config_option("migration_guard.begun_migration", "", PGC_SUSET, PGC_S_SESSION, GUC_ACTION_SET, true, 0,
                          false);
    });
    PG_RETURN_VOID();
}

MG_SQL_FUNCTION(migration_guard_audit_status) {
    using namespace mg::server;
    BlockedCounts counts;
    const bool counted = audit_counters(counts);
    const bool queue = counted && blocked_writer() == BlockedWriter::Queue;
    TupleDesc desc = nullptr;
    Datum result = 0;
    pg_call([&] {
        if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE) elog(ERROR, "return type must be a row type");
        desc = BlessTupleDesc(desc);
        Datum values[7];
        bool nulls[7] = {false, !counted, !counted, !counted, !counted, !counted, false};
        values[0] = BoolGetDatum(preloaded());
        values[1] = Int64GetDatum(counts.queued);
        values[2] = Int64GetDatum(counts.written);
        values[3] = Int64GetDatum(counts.dropped);
        values[4] = Int64GetDatum(counts.coalesced);
        values[5] = Int64GetDatum(counts.overflowed);
        values[6] = CStringGetTextDatum(
            queue ? "blocked attempts: a writer per database fed through a shared-memory queue (a worker per attempt "
                    "when the queue is full), counted in shared memory since the server started"
            : counted ? "blocked attempts: background worker per attempt (migration_guard.blocked_writer = worker), "
                        "counted in shared memory since the server started"
                      : "blocked attempts: background worker per attempt; not counted here (not preloaded): a failure "
                        "is a WARNING to the client and in the server log");
        result = HeapTupleGetDatum(heap_form_tuple(desc, values, nulls));
    });
    return result;
}
