#include "server/usable.hpp"
#include "server/dry_run/dry_run.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include "engine/analyzer.hpp"
#include "engine/text_position.hpp"
#include "server/enforcement/judged_statement.hpp"
#include "server/audit/audit.hpp"
#include "server/boundary.hpp"
#include "server/enforcement/decision.hpp"
#include "server/classify/migration_text.hpp"
#include "server/spi_rows.hpp"
#include "server/enforcement/statement_findings.hpp"
#include "server/data_changes/data_changes.hpp"


namespace mg::server {

namespace {

DryRunCollector *active = nullptr;

// Statements that cannot run inside a transaction block are described, not run.
const char *not_runnable(const Node *stmt) {
    switch (nodeTag(stmt)) {
        case T_TransactionStmt:
            return "transaction control is not run: the dry run runs the whole text in one transaction";
        case T_IndexStmt:
            return reinterpret_cast<const IndexStmt *>(stmt)->concurrent
                       ? "CREATE INDEX CONCURRENTLY cannot run inside a transaction block: judged from its text only"
                       : nullptr;
        case T_DropStmt:
            return reinterpret_cast<const DropStmt *>(stmt)->concurrent
                       ? "DROP INDEX CONCURRENTLY cannot run inside a transaction block: judged from its text only"
                       : nullptr;
        case T_ReindexStmt: {
            const ReindexStmt *r = reinterpret_cast<const ReindexStmt *>(stmt);
            if (r->kind == REINDEX_OBJECT_SCHEMA || r->kind == REINDEX_OBJECT_SYSTEM || r->kind == REINDEX_OBJECT_DATABASE)
                return "REINDEX SCHEMA/DATABASE/SYSTEM cannot run inside a transaction block: judged from its text only";
            const ListCell *lc;
            foreach (lc, reinterpret_cast<const ReindexStmt *>(stmt)->params) {
                const DefElem *opt = static_cast<const DefElem *>(lfirst(lc));
                if (opt->defname && strcmp(opt->defname, "concurrently") == 0)
                    return "REINDEX CONCURRENTLY cannot run inside a transaction block: judged from its text only";
            }
            return nullptr;
        }
        case T_VacuumStmt:
            return reinterpret_cast<const VacuumStmt *>(stmt)->is_vacuumcmd
                       ? "VACUUM cannot run inside a transaction block: judged from its text only"
                       : nullptr;
        case T_ClusterStmt:
            return reinterpret_cast<const ClusterStmt *>(stmt)->relation
                       ? nullptr
                       : "CLUSTER without a table cannot run inside a transaction block: judged from its text only";
        case T_CopyStmt:
            return reinterpret_cast<const CopyStmt *>(stmt)->is_from && !reinterpret_cast<const CopyStmt *>(stmt)->filename
                       ? "COPY ... FROM STDIN needs the client's data: not run"
                       : nullptr;
        case T_AlterTableStmt: {
            const ListCell *lc;
            foreach (lc, reinterpret_cast<const AlterTableStmt *>(stmt)->cmds) {
                const AlterTableCmd *cmd = static_cast<const AlterTableCmd *>(lfirst(lc));
                if (cmd->subtype == AT_DetachPartition && cmd->def &&
                    reinterpret_cast<const PartitionCmd *>(cmd->def)->concurrent)
                    return "DETACH PARTITION CONCURRENTLY cannot run inside a transaction block: judged from its text only";
            }
            return nullptr;
        }
        case T_CreatedbStmt:
        case T_DropdbStmt:
        case T_AlterSystemStmt:
        case T_CreateTableSpaceStmt:
        case T_DropTableSpaceStmt:
        case T_CreateSubscriptionStmt:
        case T_AlterSubscriptionStmt:
        case T_DropSubscriptionStmt:
            return "this command cannot run inside a transaction block: judged from its text only";
        default:
            return nullptr;
    }
}

// What the event triggers would see as a schema change (drift applies to those only).
bool is_schema_change(const Node *stmt) {
    switch (nodeTag(stmt)) {
        case T_SelectStmt:
        case T_InsertStmt:
        case T_UpdateStmt:
        case T_DeleteStmt:
        case T_MergeStmt:
        case T_TransactionStmt:
        case T_VariableSetStmt:
        case T_VariableShowStmt:
        case T_ExplainStmt:
        case T_CopyStmt:
        case T_CallStmt:
        case T_DoStmt:
            return false;
        default:
            return true;
    }
}

// pg_locks names modes "ShareUpdateExclusiveLock"; the engine, as SQL's LOCK does.
LockMode pg_lock_mode(const std::string &pg_mode) {
    static const std::map<std::string, LockMode> modes = {
        {"AccessShareLock", LockMode::AccessShare},   {"RowShareLock", LockMode::RowShare},
        {"RowExclusiveLock", LockMode::RowExclusive}, {"ShareUpdateExclusiveLock", LockMode::ShareUpdateExclusive},
        {"ShareLock", LockMode::Share},               {"ShareRowExclusiveLock", LockMode::ShareRowExclusive},
        {"ExclusiveLock", LockMode::Exclusive},       {"AccessExclusiveLock", LockMode::AccessExclusive}};
    auto it = modes.find(pg_mode);
    return it == modes.end() ? LockMode::None : it->second;
}

// Relation locks this backend holds on user relations: relation → strongest mode.
std::map<std::string, LockMode> held_locks() {
    std::map<std::string, LockMode> locks;
    for (const auto &row : spi_rows(
             // Tables and views, named like the other columns (schema.name); indexes follow their
             // table's lock, and sequence locks come from drawing values: both only add noise.
             "SELECT n.nspname || '.' || c.relname, l.mode FROM pg_catalog.pg_locks l "
             "JOIN pg_catalog.pg_class c ON c.oid = l.relation "
             "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
             "WHERE l.pid = pg_catalog.pg_backend_pid() AND l.locktype = 'relation' AND l.granted "
             "AND c.relkind NOT IN ('i', 'I', 'S') "
             "AND n.nspname NOT IN ('pg_catalog', 'pg_toast', 'information_schema', 'migration_guard')")) {
        LockMode &held = locks[row.at(0)];
        held = stronger(held, pg_lock_mode(row.at(1)));
    }
    return locks;
}

// Sequences are not transactional: a dry run that draws values advances them for good. They are
// never rewound (another session may have drawn values meanwhile, and a rewound sequence would
// hand them out twice); the dry run reports which ones moved.
std::map<std::string, std::vector<std::string>> sequence_states() {
    std::map<std::string, std::vector<std::string>> states;
    for (auto &row : spi_rows("SELECT format('%I.%I', schemaname, sequencename), "
                              "coalesce(last_value, start_value)::text, (last_value IS NOT NULL)::text "
                              "FROM pg_catalog.pg_sequences"))
        states[row.at(0)] = std::move(row);
    return states;
}

std::vector<std::string> moved_sequences(const std::map<std::string, std::vector<std::string>> &before) {
    std::vector<std::string> moved;
    for (const auto &[name, state] : sequence_states()) {
        auto it = before.find(name);
        if (it != before.end() && it->second != state) moved.push_back(name);
    }
    return moved;
}

struct Outcome {
    std::string status = "ok";  // ok | error | skipped | not run
    std::string note, error;
    int error_location = -1;
    int64_t rows = -1;
    double ms = 0;
    std::vector<Finding> findings;
    Preview verdict;
    DryRunCollector objects;
    std::vector<std::string> locks;
};

// Runs one statement in its own subtransaction (inside the dry run's), so an error is reported
// with its position instead of ending the dry run's function. PostgreSQL code only inside.
ErrorData *run_statement(const char *text, int64_t *rows) {
    ErrorData *error = nullptr;
    pg_call([&] {
        error = pg_subtransaction([&] {
            const int rc = SPI_execute(text, false, 0);
            *rows = rc == SPI_OK_INSERT || rc == SPI_OK_UPDATE || rc == SPI_OK_DELETE || rc == SPI_OK_INSERT_RETURNING ||
                            rc == SPI_OK_UPDATE_RETURNING || rc == SPI_OK_DELETE_RETURNING || rc == SPI_OK_SELECT ||
                            rc == SPI_OK_MERGE
                        ? static_cast<int64_t>(SPI_processed)
                        : -1;
        });
        if (is_interrupt(error)) ReThrowError(error);  // ends the dry run itself
    });
    return error;
}

}  // namespace

DryRunCollector *dry_run_collector() { return active; }

}  // namespace mg::server

namespace {

using namespace mg;
using namespace mg::server;

// Everything inside the dry run's subtransaction; the caller rolls it back whatever happens.
std::vector<Outcome> run_all(List *stmts, const std::string &sql) {
    std::vector<Outcome> outcomes;
    bool stopped = false;
    ListCell *lc;
    foreach (lc, stmts) {
        RawStmt *raw = lfirst_node(RawStmt, lc);
        Outcome o;
        const int start = skip_blanks(sql, raw->stmt_location);
        const int end = raw->stmt_len > 0 ? raw->stmt_location + raw->stmt_len : static_cast<int>(sql.size());
        const std::string text = sql.substr(start, std::max(0, end - start));
        const char *tag = nullptr;
        pg_call([&] { tag = GetCommandTagName(CreateCommandTag(raw->stmt)); });
        // Judged against the catalog as the earlier statements left it.
        o.findings = findings_for_statement(as_judged(raw->stmt));
        if (is_schema_change(raw->stmt)) add_outside_migration(o.findings, raw->stmt, tag);
        o.verdict = preview(o.findings, tag, text);
        if (stopped) {
            o.status = "not run";
            o.note = "an earlier statement failed";
            outcomes.push_back(std::move(o));
            continue;
        }
        if (const char *why = not_runnable(raw->stmt)) {
            o.status = "skipped";
            o.note = why;
            outcomes.push_back(std::move(o));
            continue;
        }
        const auto sequences_before = sequence_states();
        const auto locks_before = held_locks();
        *active = DryRunCollector{};
        const auto t0 = std::chrono::steady_clock::now();
        if (ErrorData *error = run_statement(text.c_str(), &o.rows)) {
            o.status = "error";
            // "[SQLSTATE] message: detail": enough to tell a lock timeout from a real failure.
            o.error = std::string("[") + unpack_sql_state(error->sqlerrcode) + "] " +
                      (error->message ? error->message : "error") +
                      (error->detail ? std::string(": ") + error->detail : std::string());
            // SPI's error context moves a statement's cursor position into internalpos.
            const int pos = error->cursorpos > 0 ? error->cursorpos : error->internalpos;
            if (pos > 0) o.error_location = start + byte_offset_of_char(text, pos);
            stopped = true;
        }
        o.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        // A data change is judged by what it did: as the server judges it, from the rows it reached.
        if (o.status != "error") {
            bool added = false;
            for (Finding &f : data_change_findings_now()) {
                const bool seen = std::any_of(o.findings.begin(), o.findings.end(),
                                              [&](const Finding &g) { return g.rule == f.rule && g.object == f.object; });
                if (seen) continue;
                f.statement = o.findings.empty() ? 1 : o.findings.front().statement;
                o.findings.push_back(std::move(f));
                added = true;
            }
            if (added) o.verdict = preview(o.findings, tag, text);
        }
        o.objects = *active;
        for (const auto &seq : moved_sequences(sequences_before))
            o.note += (o.note.empty() ? "" : "; ") + ("sequence " + seq + " advanced (sequences are not rolled back)");
        for (const auto &[rel, mode] : held_locks()) {
            auto before = locks_before.find(rel);
            if (before == locks_before.end() || mode > before->second) o.locks.push_back(rel + ": " + lock_mode_name(mode));
        }
        outcomes.push_back(std::move(o));
    }
    return outcomes;
}

Datum text_array(const std::vector<std::string> &items) {
    Datum result = 0;
    pg_call([&] {
        Datum *elems = static_cast<Datum *>(palloc(sizeof(Datum) * std::max<size_t>(items.size(), 1)));
        for (size_t i = 0; i < items.size(); i++) elems[i] = CStringGetTextDatum(items[i].c_str());
        result = PointerGetDatum(construct_array(elems, static_cast<int>(items.size()), TEXTOID, -1, false, TYPALIGN_INT));
    });
    return result;
}

}  // namespace

MG_SQL_FUNCTION(migration_guard_dry_run) {
    mg::server::refuse_unusable("migration_guard.dry_run()");
    // The event triggers report to one collector; a dry run started from inside another (its
    // text calling dry_run()) would swap it out from under the outer one.
    if (active)
        throw UserError(ERRCODE_FEATURE_NOT_SUPPORTED, "migration_guard.dry_run() cannot run inside another dry run",
                        "The migration text of a dry run calls dry_run() itself.",
                        "Dry-run the inner migration text on its own.");
    const std::string sql = migration_text_arg(fcinfo);
    List *stmts = parse_migration(sql);
    pg_call([&] { InitMaterializedSRF(fcinfo, 0); });
    ReturnSetInfo *rsinfo = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);

    DryRunCollector collector;
    std::vector<Outcome> outcomes;
    pg_call([&] {
        if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
    });

    // The dry run's own subtransaction: always rolled back, so nothing it did remains.
    MemoryContext caller_context = CurrentMemoryContext;
    ResourceOwner caller_owner = CurrentResourceOwner;
    pg_call([&] { BeginInternalSubTransaction("migration_guard dry run"); });
    active = &collector;
    std::exception_ptr failure;
    try {
        outcomes = run_all(stmts, sql);
    } catch (...) {
        failure = std::current_exception();
    }
    active = nullptr;
    pg_call([&] {
        RollbackAndReleaseCurrentSubTransaction();
        MemoryContextSwitchTo(caller_context);
        CurrentResourceOwner = caller_owner;
    });
    if (failure) std::rethrow_exception(failure);
    pg_call([&] { SPI_finish(); });

    // The dry run itself is on record, as a dry run.
    AuditRow row;
    row.command_tag = "DRY RUN";
    row.object_type = "migration";
    row.statement = sql;
    row.decision = "allowed";
    for (const auto &o : outcomes)
        for (const auto &f : o.findings) {
            row.risk = max_risk(row.risk, f.risk);
            if (std::find(row.rules.begin(), row.rules.end(), f.rule) == row.rules.end()) row.rules.push_back(f.rule);
        }
    write_audit_rows({row});

    const LineIndex lines(sql);
    constexpr int kColumns = 18;
    int number = 0;
    for (const Outcome &o : outcomes) {
        ++number;
        std::vector<std::string> rules;
        Risk risk = Risk::Low;
        for (const auto &f : o.findings) {
            rules.push_back(f.rule);
            risk = max_risk(risk, f.risk);
        }
        std::string approval;
        if (o.verdict.would_block)
            approval = o.verdict.covered ? "covered by approval #" + std::to_string(o.verdict.approval_id)
                                         : o.verdict.approve_call;
        const LineCol at = lines.at(std::max(0, o.error_location));
        Datum values[kColumns];
        bool nulls[kColumns] = {};
        values[0] = Int32GetDatum(number);
        values[2] = text_array(rules);
        values[3] = text_array(o.objects.created);
        values[4] = text_array(o.objects.altered);
        values[5] = text_array(o.objects.dropped);
        values[6] = text_array(o.locks);
        values[7] = text_array(o.objects.rewritten);
        pg_call([&] {
            ListCell *lc = list_nth_cell(stmts, number - 1);
            values[1] = CStringGetTextDatum(GetCommandTagName(CreateCommandTag(lfirst_node(RawStmt, lc)->stmt)));
            values[8] = CStringGetTextDatum(o.status.c_str());
            // What the server will do: a statement an approval covers is not blocked.
            values[9] = BoolGetDatum(o.verdict.would_block && !o.verdict.covered);
            values[10] = CStringGetTextDatum(risk_name(risk));
            if (approval.empty()) nulls[11] = true;
            else values[11] = CStringGetTextDatum(approval.c_str());
            if (o.rows < 0) nulls[12] = true;
            else values[12] = Int64GetDatum(o.rows);
            if (o.error.empty()) nulls[13] = nulls[14] = nulls[15] = true;
            else {
                values[13] = CStringGetTextDatum(o.error.c_str());
                if (o.error_location < 0) nulls[14] = nulls[15] = true;
                else {
                    values[14] = Int32GetDatum(at.line);
                    values[15] = Int32GetDatum(at.column);
                }
            }
            if (o.note.empty()) nulls[16] = true;
            else values[16] = CStringGetTextDatum(o.note.c_str());
            values[17] = Float8GetDatum(o.ms);
            tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
        });
    }
    return static_cast<Datum>(0);
}
