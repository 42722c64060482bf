// What a statement does to the transaction it runs in: nested-begin, open-transaction (end of
// text), lock-table, backfill-under-lock, enum-value-in-transaction, dml-without-where, and the
// opt-in require-statement-timeout. A text without BEGIN counts as one transaction, as
// migration tools run a file.
#include <algorithm>

#include "engine/depth_guard.hpp"
#include "engine/rule_catalog.hpp"
#include "engine/rules/rules.hpp"

namespace mg {

namespace {

// String constants anywhere in a raw expression or statement fragment (enum labels in use).
void collect_strings(const Node *n, std::vector<std::string> &out);

void collect_list(const List *l, std::vector<std::string> &out) {
    const ListCell *lc;
    foreach (lc, l) collect_strings(static_cast<const Node *>(lfirst(lc)), out);
}

void collect_strings(const Node *n, std::vector<std::string> &out) {
    if (!n) return;
    const DepthGuard level;
    switch (nodeTag(n)) {
        case T_A_Const: {
            const A_Const *c = reinterpret_cast<const A_Const *>(n);
            if (!c->isnull && IsA(&c->val, String)) out.emplace_back(strVal(&c->val));
            break;
        }
        case T_List: collect_list(reinterpret_cast<const List *>(n), out); break;
        case T_TypeCast: collect_strings(reinterpret_cast<const TypeCast *>(n)->arg, out); break;
        case T_A_Expr: {
            const A_Expr *e = reinterpret_cast<const A_Expr *>(n);
            collect_strings(e->lexpr, out);
            collect_strings(e->rexpr, out);
            break;
        }
        case T_BoolExpr: collect_list(reinterpret_cast<const BoolExpr *>(n)->args, out); break;
        case T_FuncCall: collect_list(reinterpret_cast<const FuncCall *>(n)->args, out); break;
        case T_CoalesceExpr: collect_list(reinterpret_cast<const CoalesceExpr *>(n)->args, out); break;
        case T_ResTarget: collect_strings(reinterpret_cast<const ResTarget *>(n)->val, out); break;
        case T_CaseExpr: {
            const CaseExpr *c = reinterpret_cast<const CaseExpr *>(n);
            collect_list(c->args, out);
            collect_strings(reinterpret_cast<const Node *>(c->defresult), out);
            break;
        }
        case T_CaseWhen: {
            const CaseWhen *w = reinterpret_cast<const CaseWhen *>(n);
            collect_strings(reinterpret_cast<const Node *>(w->expr), out);
            collect_strings(reinterpret_cast<const Node *>(w->result), out);
            break;
        }
        case T_SelectStmt: {
            const SelectStmt *s = reinterpret_cast<const SelectStmt *>(n);
            collect_list(s->valuesLists, out);
            collect_list(s->targetList, out);
            collect_strings(s->whereClause, out);
            break;
        }
        default: break;
    }
}

std::vector<std::string> strings_of(const Node *stmt) {
    std::vector<std::string> out;
    switch (nodeTag(stmt)) {
        case T_UpdateStmt: {
            const UpdateStmt *u = reinterpret_cast<const UpdateStmt *>(stmt);
            collect_list(u->targetList, out);
            collect_strings(u->whereClause, out);
            break;
        }
        case T_DeleteStmt: collect_strings(reinterpret_cast<const DeleteStmt *>(stmt)->whereClause, out); break;
        case T_InsertStmt: collect_strings(reinterpret_cast<const InsertStmt *>(stmt)->selectStmt, out); break;
        case T_AlterTableStmt: {
            const ListCell *lc;
            foreach (lc, reinterpret_cast<const AlterTableStmt *>(stmt)->cmds) {
                const AlterTableCmd *cmd = static_cast<const AlterTableCmd *>(lfirst(lc));
                if (cmd->subtype == AT_ColumnDefault) collect_strings(cmd->def, out);
                if (cmd->subtype == AT_AddColumn && cmd->def && IsA(cmd->def, ColumnDef)) {
                    const ListCell *cc;
                    foreach (cc, reinterpret_cast<const ColumnDef *>(cmd->def)->constraints) {
                        const Constraint *con = static_cast<const Constraint *>(lfirst(cc));
                        if (con->contype == CONSTR_DEFAULT || con->contype == CONSTR_CHECK) collect_strings(con->raw_expr, out);
                    }
                }
                if (cmd->subtype == AT_AddConstraint && cmd->def && IsA(cmd->def, Constraint))
                    collect_strings(reinterpret_cast<const Constraint *>(cmd->def)->raw_expr, out);
            }
            break;
        }
        default: break;
    }
    return out;
}

const RangeVar *dml_target(const Node *stmt) {
    switch (nodeTag(stmt)) {
        case T_UpdateStmt: return reinterpret_cast<const UpdateStmt *>(stmt)->relation;
        case T_DeleteStmt: return reinterpret_cast<const DeleteStmt *>(stmt)->relation;
        case T_InsertStmt: return reinterpret_cast<const InsertStmt *>(stmt)->relation;
        default: return nullptr;
    }
}

// Columns an UPDATE sets, when each was added earlier in the text (a backfill, not an overwrite).
bool sets_only_new_columns(const UpdateStmt *u, const QualifiedName &table, const RuleContext &ctx) {
    const ListCell *lc;
    foreach (lc, u->targetList) {
        const ResTarget *rt = static_cast<const ResTarget *>(lfirst(lc));
        if (!rt->name || !ctx.state.is_added_column(table, rt->name)) return false;
    }
    return list_length(u->targetList) > 0;
}

bool opt_in(const RuleContext &ctx, const char *rule) {
    return std::find(ctx.options.opt_in_rules.begin(), ctx.options.opt_in_rules.end(), rule) !=
           ctx.options.opt_in_rules.end();
}

// Statements that can run long: scans, index builds, rewrites, bulk DML on existing tables.
// WHERE c IS NULL (AND ...): what a backfill loop or a one-shot backfill says.
bool only_null_tests(const Node *where) {
    if (!where) return false;
    if (IsA(where, NullTest)) return true;
    if (IsA(where, BoolExpr)) {
        const auto *b = reinterpret_cast<const BoolExpr *>(where);
        if (b->boolop == NOT_EXPR) return false;
        const ListCell *lc;
        foreach (lc, b->args)
            if (!only_null_tests(static_cast<const Node *>(lfirst(lc)))) return false;
        return true;
    }
    return false;
}

// Followable in any tool: a migration file is one transaction in most of them.
constexpr const char *kUnderLockHint =
    "Put the long statement in a migration of its own (most tools run each migration file in its own "
    "transaction; in a psql script, COMMIT before it), and backfill data in batches";

bool long_running(const Node *stmt, const RuleContext &ctx) {
    for (size_t i = 0; i < ctx.statement_findings(); ++i) {
        const Finding &f = ctx.finding(i);
        if (f.rewrites_table || f.scans_table) return true;
        if (f.rule == "create-index-blocking" || f.rule == "set-not-null" || f.rule == "add-foreign-key" ||
            f.rule == "add-check-constraint" || f.rule == "add-unique-constraint" || f.rule == "vacuum-full" ||
            f.rule == "cluster" || f.rule == "reindex-blocking" || f.rule == "refresh-matview-blocking" ||
            f.rule == "attach-partition-scan" || f.rule == "alter-domain-add-constraint")
            return true;
    }
    if (const RangeVar *rv = dml_target(stmt)) return !ctx.is_new(ctx.qualify(qualified(rv)));
    if (IsA(stmt, IndexStmt)) return !ctx.is_new(ctx.qualify(qualified(reinterpret_cast<const IndexStmt *>(stmt)->relation)));
    return false;
}

}  // namespace

void check_transaction(const TransactionStmt *stmt, RuleContext &ctx) {
    if ((stmt->kind == TRANS_STMT_BEGIN || stmt->kind == TRANS_STMT_START) && ctx.state.in_transaction) {
        ctx.add("nested-begin", ctx.statement_location(), "transaction",
                "BEGIN inside the transaction block opened by statement " +
                    std::to_string(ctx.state.transaction_begin_statement) +
                    ": PostgreSQL only warns, and the first COMMIT ends the whole block, so the statements "
                    "after it run outside any transaction",
                "Remove the inner BEGIN (use SAVEPOINT for a nested unit of work), or COMMIT the first block "
                "before starting the next");
    }
}

void check_lock_table(const LockStmt *stmt, RuleContext &ctx) {
    if (ctx.state.lock_timeout_set || ctx.catalog.session_lock_timeout() || stmt->nowait) return;
    std::string tables;
    QualifiedName first;
    const ListCell *lc;
    foreach (lc, stmt->relations) {
        const QualifiedName t = ctx.qualify(qualified(static_cast<const RangeVar *>(lfirst(lc))));
        if (ctx.is_new(t)) continue;
        if (tables.empty()) first = t;
        tables += (tables.empty() ? "" : ", ") + t.display();
    }
    if (tables.empty()) return;
    Finding &f = ctx.add("lock-table", ctx.statement_location(), first.display(),
                         "LOCK TABLE " + tables + " waits for its lock with no lock_timeout: behind one long "
                         "transaction it queues, and every later query on the table queues behind it",
                         "SET lock_timeout = '5s' before it (or LOCK TABLE ... NOWAIT), and retry if it gives up");
    constexpr int kAccessExclusiveLock = 8;  // storage/lockdefs.h, LOCK TABLE's default
    f.lock = stmt->mode == kAccessExclusiveLock ? LockMode::AccessExclusive : LockMode::ShareRowExclusive;
    ctx.state.lock_timeout_reported = true;  // require-lock-timeout would say the same
}

void check_dml(const Node *stmt, RuleContext &ctx) {
    const RangeVar *rv = dml_target(stmt);
    if (!rv) return;
    const QualifiedName table = ctx.qualify(qualified(rv));
    const bool existing = !ctx.is_new(table);
    // No WHERE, or WHERE true (which the planner drops, as the server sees it).
    auto passes_all = [](const Node *where) {
        if (!where) return true;
        if (!IsA(where, A_Const)) return false;
        const A_Const *c = reinterpret_cast<const A_Const *>(where);
        return !c->isnull && IsA(&c->val, Boolean) && c->val.boolval.boolval;
    };
    const bool no_where = (IsA(stmt, DeleteStmt) && passes_all(reinterpret_cast<const DeleteStmt *>(stmt)->whereClause)) ||
                          (IsA(stmt, UpdateStmt) && passes_all(reinterpret_cast<const UpdateStmt *>(stmt)->whereClause));
    const bool backfill = IsA(stmt, UpdateStmt) && sets_only_new_columns(reinterpret_cast<const UpdateStmt *>(stmt), table, ctx);
    if (existing && no_where && !backfill) {
        const bool del = IsA(stmt, DeleteStmt);
        Finding &f = ctx.add("dml-without-where", ctx.statement_location(), table.display(),
                             std::string(del ? "DELETE" : "UPDATE") + " without WHERE " +
                                 (del ? "deletes every row of " : "overwrites every row of ") + table.display() +
                                 ctx.at_stake(table),
                             del ? "Say which rows (WHERE ...), in batches; keep a copy first (CREATE TABLE ... AS SELECT)"
                                 : "Say which rows (WHERE ...) and update in batches; keep a copy of the column first");
        f.lock = LockMode::RowExclusive;
    }
    // The lock an earlier ALTER took is held until commit: this statement runs under it.
    // A backfill, not a targeted fix: every row (no WHERE, or only IS [NOT] NULL tests), or the
    // columns the migration added.
    auto touches_all = [&] {
        const Node *where = IsA(stmt, UpdateStmt)   ? reinterpret_cast<const UpdateStmt *>(stmt)->whereClause
                            : IsA(stmt, DeleteStmt) ? reinterpret_cast<const DeleteStmt *>(stmt)->whereClause
                                                    : nullptr;
        return passes_all(where) || only_null_tests(where) || backfill;
    };
    if (existing && !ctx.state.access_exclusive_table.empty() && !IsA(stmt, InsertStmt) &&
        !ctx.state.under_lock_reported && touches_all()) {
        ctx.state.under_lock_reported = true;
        Finding &f = ctx.add("backfill-under-lock", ctx.statement_location(), table.display(),
                             std::string(IsA(stmt, UpdateStmt) ? "UPDATE" : "DELETE") + " of " + table.display() +
                                 " runs in the transaction that holds an ACCESS EXCLUSIVE lock on " +
                                 ctx.state.access_exclusive_table +
                                 " until it commits: every query on that table waits for the whole backfill",
                             kUnderLockHint);
        f.lock = LockMode::AccessExclusive;
    }
}

void check_enum_values_in_use(const Node *stmt, RuleContext &ctx) {
    if (ctx.state.new_enum_values.empty()) return;
    for (const auto &s : strings_of(stmt)) {
        auto it = ctx.state.new_enum_values.find(s);
        if (it == ctx.state.new_enum_values.end()) continue;
        ctx.add("enum-value-in-transaction", ctx.statement_location(), it->second,
                "Enum value '" + s + "' of " + it->second + " is used in the transaction that added it: PostgreSQL refuses it "
                "(\"unsafe use of new value\") until that transaction commits",
                "Add the value in its own migration (or COMMIT after ALTER TYPE ... ADD VALUE), then use it");
        return;
    }
}

void check_statement_timeout(const Node *stmt, RuleContext &ctx) {
    if (!opt_in(ctx, "require-statement-timeout") || ctx.state.statement_timeout_set ||
        ctx.state.statement_timeout_reported || !long_running(stmt, ctx))
        return;
    ctx.state.statement_timeout_reported = true;
    ctx.add("require-statement-timeout", ctx.statement_location(), "statement_timeout",
            "This statement can run for a long time (a scan, rewrite, index build or bulk change) with no "
            "statement_timeout: nothing stops it if it takes far longer than planned",
            "SET statement_timeout = '15min' (what the window allows) before it; reported once per transaction");
}

void check_under_lock(const Node *stmt, RuleContext &ctx) {
    const std::string &held = ctx.state.access_exclusive_table;
    if (held.empty() || dml_target(stmt) || !long_running(stmt, ctx)) return;
    // On the locked table itself the statement's own finding says it; elsewhere the lock on
    // the first table is held while this one runs.
    if (ctx.strongest_lock() != LockMode::None && ctx.strongest_lock_table().display() == held) return;
    if (ctx.state.under_lock_reported) return;  // once per transaction and locked table
    ctx.state.under_lock_reported = true;
    ctx.add("backfill-under-lock", ctx.statement_location(), held,
            ctx.command() + " runs in the transaction that holds an ACCESS EXCLUSIVE lock on " + held +
                " until it commits: every query on " + held + " waits for this statement too (and for any later "
                "long statement of the transaction; reported once)",
            kUnderLockHint);
}

void check_open_transaction(const MigrationState &state, std::vector<StatementReport> &reports) {
    if (!state.in_transaction || state.transaction_begin_statement < 1 ||
        state.transaction_begin_statement > static_cast<int>(reports.size()))
        return;
    Finding f;
    f.rule = "open-transaction";
    const RuleInfo *info = find_rule(f.rule);
    f.risk = info->default_risk;
    f.category = info->category;
    f.statement = state.transaction_begin_statement;
    f.location = state.transaction_begin;
    f.object = "transaction";
    f.message = "The transaction opened here is never committed: psql rolls it back at the end of the file "
                "(or leaves the session idle in transaction holding its locks), so nothing of it is kept";
    f.hint = "End the file with COMMIT;";
    reports[f.statement - 1].findings.push_back(std::move(f));
}

}  // namespace mg
