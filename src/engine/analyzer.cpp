#include "engine/analyzer.hpp"

#include "engine/depth_guard.hpp"

#include <algorithm>

#include "engine/rule_context.hpp"
#include "engine/rules/rules.hpp"
#include "engine/text_position.hpp"

namespace mg {

namespace {

template <typename T>
const T *as(const Node *n) {
    return reinterpret_cast<const T *>(n);
}

void judge(const Node *stmt, RuleContext &ctx) {
    switch (nodeTag(stmt)) {
        case T_DropStmt:
            check_drop(as<DropStmt>(stmt), ctx);
            check_guard_drop(as<DropStmt>(stmt), ctx);
            break;
        case T_DropdbStmt: check_drop_database(as<DropdbStmt>(stmt), ctx); break;
        case T_DropOwnedStmt: check_drop_owned(as<DropOwnedStmt>(stmt), ctx); break;
        case T_TruncateStmt: check_truncate(as<TruncateStmt>(stmt), ctx); break;
        case T_AlterTableStmt: check_alter_table(as<AlterTableStmt>(stmt), ctx); break;
        case T_RenameStmt:
            check_rename(as<RenameStmt>(stmt), ctx);
            check_guard_weakening(stmt, ctx);
            break;
        case T_AlterEnumStmt: check_alter_enum(as<AlterEnumStmt>(stmt), ctx); break;
        case T_CreateStmt: check_create_table(as<CreateStmt>(stmt), ctx); break;
        case T_IndexStmt: check_create_index(as<IndexStmt>(stmt), ctx); break;
        case T_ReindexStmt: check_reindex(as<ReindexStmt>(stmt), ctx); break;
        case T_CreateTrigStmt:
            check_create_trigger(as<CreateTrigStmt>(stmt), ctx);
            check_trigger_lock(as<CreateTrigStmt>(stmt), ctx);
            break;
        case T_TransactionStmt: check_transaction(as<TransactionStmt>(stmt), ctx); break;
        case T_LockStmt: check_lock_table(as<LockStmt>(stmt), ctx); break;
        case T_UpdateStmt:
        case T_DeleteStmt:
        case T_InsertStmt: check_dml(stmt, ctx); break;
        case T_AlterObjectSchemaStmt: check_set_schema(as<AlterObjectSchemaStmt>(stmt), ctx); break;
        case T_CreateDomainStmt: check_create_domain(as<CreateDomainStmt>(stmt), ctx); break;
        case T_AlterDomainStmt: check_alter_domain(as<AlterDomainStmt>(stmt), ctx); break;
        case T_VacuumStmt: check_vacuum(as<VacuumStmt>(stmt), ctx); break;
        case T_ClusterStmt: check_cluster(as<ClusterStmt>(stmt), ctx); break;
        case T_RefreshMatViewStmt: check_refresh_matview(as<RefreshMatViewStmt>(stmt), ctx); break;
        case T_DropRoleStmt: check_drop_role(as<DropRoleStmt>(stmt), ctx); break;
        case T_DropTableSpaceStmt: check_drop_tablespace(as<DropTableSpaceStmt>(stmt), ctx); break;
        case T_AlterEventTrigStmt:
        case T_VariableSetStmt:
        case T_AlterRoleSetStmt:
        case T_AlterDatabaseSetStmt:
        case T_AlterOwnerStmt:
        case T_AlterSystemStmt: check_guard_weakening(stmt, ctx); break;
        default: break;
    }
}

void judge_all(const Node *stmt, const std::string &text, RuleContext &ctx) {
    judge(stmt, ctx);
    check_guard_objects(stmt, ctx);
    check_enum_values_in_use(stmt, ctx);
    check_identifiers(stmt, text, ctx);
}

// After the statement's own rules: what its place in the transaction adds.
void judge_in_transaction(const Node *stmt, RuleContext &ctx) {
    check_under_lock(stmt, ctx);
    check_statement_timeout(stmt, ctx);
    // A dropped object's lock keeps nobody waiting for anything they could still use.
    if (ctx.strongest_lock() == LockMode::AccessExclusive && ctx.state.access_exclusive_table.empty() &&
        !IsA(stmt, DropStmt))
        ctx.state.access_exclusive_table = ctx.strongest_lock_table().display();
}

// require-lock-timeout: a strong lock on an existing table with nothing bounding the wait.
void check_lock_timeout(RuleContext &ctx, const StatementReport &report) {
    if (ctx.strongest_lock() < LockMode::ShareRowExclusive) return;
    if (ctx.state.lock_timeout_set || ctx.catalog.session_lock_timeout()) return;
    if (ctx.state.lock_timeout_reported) return;  // once per transaction
    ctx.state.lock_timeout_reported = true;
    const std::string table = ctx.strongest_lock_table().display();
    const std::string mode = lock_mode_name(ctx.strongest_lock());
    Finding &f = ctx.add("require-lock-timeout", report.location, table,
                         report.command + " waits for " + (mode[0] == 'A' || mode[0] == 'E' ? "an " : "a ") + mode +
                             " lock on " +
                             table + " with no lock_timeout: behind one long transaction it queues, and every "
                             "later query on the table queues behind it",
                         "SET lock_timeout = '5s' before it (retry the migration if it times out); reported once per "
                         "transaction, at its first statement that needs it");
    f.lock = ctx.strongest_lock();
}

}  // namespace

std::vector<StatementReport> analyze(List *raw_stmts, const std::string &text, const CatalogFacts &catalog,
                                     const Options &options) {
    MigrationState state(catalog.default_schema());
    std::vector<StatementReport> reports;
    reports.reserve(list_length(raw_stmts));
    const int text_len = static_cast<int>(text.size());
    const ListCell *lc;
    foreach (lc, raw_stmts) {
        const RawStmt *raw = static_cast<const RawStmt *>(lfirst(lc));
        StatementReport report;
        report.number = static_cast<int>(reports.size()) + 1;
        const int start = skip_blanks(text, raw->stmt_location);
        const int end = raw->stmt_len > 0 ? raw->stmt_location + raw->stmt_len : text_len;
        report.location = start;
        report.length = std::max(0, std::min(end, text_len) - start);
        report.command = command_tag(raw->stmt);
        try {
            RuleContext ctx(catalog, state, options, report);
            judge_all(raw->stmt, text, ctx);
            check_lock_timeout(ctx, report);
            judge_in_transaction(raw->stmt, ctx);
        } catch (const TooDeep &e) {
            throw TooDeep(e.location >= 0 ? e.location : start);  // named by its statement
        }
        track_objects(raw->stmt, state, report);
        reports.push_back(std::move(report));
    }
    check_end_of_text(state, catalog, options, reports);
    check_open_transaction(state, reports);
    return reports;
}

}  // namespace mg
