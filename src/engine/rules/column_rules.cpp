// ALTER TABLE column subcommands: add-not-null-column, add-column-volatile-default, drop-column,
// change-column-type, set-not-null, drop-not-null (plus constraints declared inline on a new column).
#include "engine/rules/rules.hpp"
#include "engine/undo.hpp"

namespace mg {

namespace {

struct ColumnSpec {
    bool not_null = false;
    bool primary_key = false;
    const Node *default_expr = nullptr;
    bool has_default = false;
    bool identity = false;
    bool stored_generated = false;
};

ColumnSpec spec_of(const ColumnDef *def) {
    ColumnSpec s;
    const ListCell *lc;
    foreach (lc, def->constraints) {
        const Constraint *c = static_cast<const Constraint *>(lfirst(lc));
        switch (c->contype) {
            case CONSTR_NOTNULL: s.not_null = true; break;
            case CONSTR_PRIMARY: s.not_null = s.primary_key = true; break;
            case CONSTR_DEFAULT:
                s.has_default = true;
                s.default_expr = c->raw_expr;
                break;
            case CONSTR_IDENTITY: s.identity = s.not_null = true; break;
            case CONSTR_GENERATED: s.stored_generated = !nodes::virtual_generated(c); break;
            default: break;
        }
    }
    return s;
}

std::string column_object(const QualifiedName &t, const std::string &col) {
    return t.display() + "." + col;
}

}  // namespace

void check_add_column(const AlterTableCmd *cmd, const QualifiedName &table, RuleContext &ctx) {
    const ColumnDef *def = reinterpret_cast<const ColumnDef *>(cmd->def);
    if (!def || !IsA(def, ColumnDef)) return;
    const ColumnSpec spec = spec_of(def);
    const DeclaredType type = declared_type(def->typeName);
    const std::string col = def->colname ? def->colname : "";
    const std::string object = column_object(table, col);
    const int at = ctx.at(def->location);

    check_column_type_choice(def, col, table, spec.primary_key, ctx);

    // Inline constraints are judged like ADD CONSTRAINT on this column.
    const ListCell *lc;
    foreach (lc, def->constraints) {
        const Constraint *c = static_cast<const Constraint *>(lfirst(lc));
        if (c->contype == CONSTR_CHECK || c->contype == CONSTR_UNIQUE || c->contype == CONSTR_PRIMARY ||
            c->contype == CONSTR_FOREIGN || c->contype == CONSTR_EXCLUSION)
            check_add_constraint(c, table, {col}, ctx);
    }

    if (ctx.is_new(table)) return;

    const bool old_server_default = spec.has_default && ctx.options.server_version < 110000;
    const bool volatile_default =
        type.serial || spec.identity || spec.stored_generated || old_server_default ||
        (spec.default_expr && calls_volatile_function(spec.default_expr, ctx));
    if (volatile_default) {
        const char *why = type.serial ? "a serial column fills every row from a sequence"
                          : spec.identity ? "an identity column fills every row from a sequence"
                          : spec.stored_generated ? "a stored generated column computes every row"
                          : old_server_default ? "before PostgreSQL 11 every DEFAULT is written into every row"
                                                  : "its DEFAULT is volatile and is computed for every row";
        Finding &f = ctx.add("add-column-volatile-default", at, object,
                             "ADD COLUMN " + col + " to " + table.display() + " rewrites the whole table under "
                             "an ACCESS EXCLUSIVE lock: " + why + ctx.at_stake(table),
                             "Add the column without the default (or as a plain nullable column), set the "
                             "default with ALTER COLUMN " + quote_ident(col) + " SET DEFAULT ... for new rows, and backfill "
                             "existing rows in batches (UPDATE ... WHERE id BETWEEN ...)");
        f.lock = LockMode::AccessExclusive;
        f.rewrites_table = true;
        ctx.scale_by_size(f, table, RuleContext::Impact::Rewrite);
    } else if (const std::string fn = spec.default_expr ? unknown_function_call(spec.default_expr, ctx) : "";
               !fn.empty()) {
        // Not built in, not defined where the linter can see it: CREATE FUNCTION's default is VOLATILE.
        Finding &f = ctx.add("add-column-volatile-default", at, object,
                             "ADD COLUMN " + col + " to " + table.display() + " may rewrite the whole table under "
                             "an ACCESS EXCLUSIVE lock: its DEFAULT calls " + fn + "(), whose volatility is not "
                             "known here, and a function is VOLATILE unless it is declared IMMUTABLE or STABLE" +
                                 ctx.at_stake(table),
                             "If " + fn + "() is IMMUTABLE or STABLE, let the linter see it (--schema with a "
                             "pg_dump -s, or lint the migration that creates it too); if it is volatile, add the "
                             "column without the default, set it with ALTER COLUMN " + quote_ident(col) + " SET DEFAULT for new "
                             "rows, and backfill existing rows in batches");
        f.lock = LockMode::AccessExclusive;
        f.risk = Risk::Medium;
    } else if (spec.not_null && !spec.has_default) {
        Finding &f = ctx.add("add-not-null-column", at, object,
                             "ADD COLUMN " + col + " " + type_display(type) + " NOT NULL without a DEFAULT on " +
                                 table.display() + " fails as soon as the table has a row" + ctx.at_stake(table),
                             "Add it with a constant default (ADD COLUMN " + quote_ident(col) + " " + type_display(type) +
                                 " NOT NULL DEFAULT ..., no rewrite since PostgreSQL 11), or add it nullable, "
                                 "backfill, then add CHECK (" + quote_ident(col) + " IS NOT NULL) NOT VALID, VALIDATE it and "
                                 "SET NOT NULL");
        f.lock = LockMode::AccessExclusive;
        // The data decides: on an empty table it simply works.
        if (auto facts = ctx.live(table); facts && facts->rows <= 0) f.risk = Risk::Low;
    }
}

void check_drop_column(const AlterTableCmd *cmd, const QualifiedName &table, RuleContext &ctx) {
    if (ctx.is_new(table)) return;
    const std::string col = cmd->name ? cmd->name : "";
    const std::string object = column_object(table, col);
    // No such column in the live catalog: DROP COLUMN IF EXISTS does nothing (a column added
    // earlier in the same text holds nothing yet). If one appears first, sql_drop judges it.
    if (ctx.catalog.knows_every_table() && !ctx.catalog.column(ctx.state.resolved(table), col)) return;
    // Verified to hold nothing but NULL (committed or in progress).
    const bool empty = ctx.catalog.holds_no_data(ctx.state.resolved(table), col).value_or(false);
    Finding &f = ctx.add("drop-column", ctx.statement_location(), object,
                         empty ? "DROP COLUMN " + col + " deletes column " + object + ", which holds only NULLs: "
                                     "nothing is lost, but code that reads or writes it fails"
                               : "DROP COLUMN " + col + " deletes column " + object + " and all its values" +
                                     ctx.at_stake(table),
                         "Expand/contract: stop reading and writing " + col +
                             " in the application and deploy that first; keep a copy (CREATE TABLE " +
                             quote_ident(table.name + "_" + col + "_backup") + " AS SELECT <key>, " + quote_ident(col) +
                             " FROM " + quote_name(table) + "); drop the column in a later migration");
    f.lock = LockMode::AccessExclusive;
    if (empty) f.risk = Risk::Medium;
    if (cmd->behavior == DROP_CASCADE) {
        Finding &c = ctx.add("drop-cascade", ctx.statement_location(), object,
                             "DROP COLUMN " + col + " ... CASCADE also drops the views, indexes and "
                             "constraints that use " + object,
                             "Drop without CASCADE: PostgreSQL then names each dependent object, and you "
                             "change those explicitly first");
        c.lock = LockMode::AccessExclusive;
        report_cascade(ctx.finding(ctx.statement_findings() - 1), "column", ctx.state.resolved(table), col,
                       "DROP COLUMN " + col + " CASCADE", ctx);
    }
}

namespace {
std::string display_of(const ColumnFacts &c) {
    DeclaredType t;
    t.name = c.type_name;
    t.typmod = c.typmod;
    return type_display(t);
}

// USING col::type, CAST(col AS type): the very conversion ALTER COLUMN applies without USING.
bool is_cast_of_column(const Node *expr, const std::string &col, const DeclaredType &to) {
    if (!expr || !IsA(expr, TypeCast)) return false;
    const TypeCast *cast = reinterpret_cast<const TypeCast *>(expr);
    if (col.empty() || column_ref_name(cast->arg) != col) return false;
    const DeclaredType t = declared_type(cast->typeName);
    return t.name == to.name && t.array == to.array && (t.typmod == to.typmod || t.typmod < 0);
}
}  // namespace

void check_column_type_change(const AlterTableCmd *cmd, const QualifiedName &table, RuleContext &ctx) {
    const ColumnDef *def = reinterpret_cast<const ColumnDef *>(cmd->def);
    if (!def || !IsA(def, ColumnDef)) return;
    // The type chosen here is advice-worthy like one chosen in ADD COLUMN.
    if (cmd->name) check_column_type_choice(def, cmd->name, table, false, ctx);
    if (ctx.is_new(table)) return;
    const std::string col = cmd->name ? cmd->name : "";
    const std::string object = column_object(table, col);
    const DeclaredType written = declared_type(def->typeName);
    // The type PostgreSQL will resolve (the server: a shadowing "numeric" on the search_path, a
    // schema-qualified one, is not pg_catalog's), else the name as written.
    const DeclaredType to = ctx.catalog.resolve_type(def->typeName).value_or(written);
    const std::string to_sql = to.sql.empty() ? type_display(to) : to.sql;
    // USING col::type (what ORMs write) is the assignment cast itself: judged as without USING.
    const bool using_cast = def->raw_default != nullptr && is_cast_of_column(def->raw_default, col, written);
    const bool using_expr = def->raw_default != nullptr && !using_cast;
    // The type the text left the column with, else the catalog's.
    const std::string state_key = ctx.state.key(table) + "/" + col;
    const auto changed = ctx.state.changed_types.find(state_key);
    std::optional<ColumnFacts> from;
    if (changed != ctx.state.changed_types.end() && !changed->second.name.empty()) {
        from = ColumnFacts{changed->second.name, changed->second.typmod};
        from->builtin = changed->second.builtin;
    } else {
        from = ctx.catalog.column(ctx.state.resolved(table), col);
    }
    // A VIRTUAL generated column (18) stores nothing: its type changes what readers compute, no
    // stored value is converted or lost.
    if (changed == ctx.state.changed_types.end() && from && from->generated == 'v') return;
    // Beyond the engine's list, the server asks PostgreSQL's own rewrite decision (binary-coercible
    // casts, no-op length coercions, the session's TimeZone for timestamp -> timestamptz).
    const bool proven_safe = !using_expr && from && is_safe_type_change(*from, to);
    const bool kept_by_postgres = !using_expr && !proven_safe && changed == ctx.state.changed_types.end() && from &&
                                  ctx.catalog.rewrite_free(ctx.state.resolved(table), col, to_sql).value_or(false);
    const int at = ctx.at(def->location);
    const std::string hint =
        "Expand/contract: add a new column of type " + type_display(to) +
        ", keep it in sync with a trigger, backfill in batches, switch the application to it, then "
        "drop the old column in a later migration";

    if (proven_safe || kept_by_postgres) {
        Finding &f = ctx.add("change-column-type", at, object,
                             "ALTER COLUMN " + col + " TYPE " + type_display(to) + " on " + table.display() +
                                 (kept_by_postgres
                                      ? " keeps every stored value of " +
                                            display_of(*from) +
                                            " as it is (PostgreSQL needs no rewrite for it)"
                                      : " is a safe widening from " +
                                            display_of(*from)) +
                                 ": no rewrite, only a brief ACCESS EXCLUSIVE lock",
                             "Nothing to change; set a lock_timeout so the lock cannot queue behind long "
                             "transactions");
        f.risk = Risk::Low;
        f.lock = LockMode::AccessExclusive;
        f.no_action = true;
        return;
    }
    // int -> bigint and the like: a rewrite, but no value is lost or refused.
    const bool lossless = !using_expr && from && is_lossless_conversion(*from, to);
    std::string why;
    if (using_expr)
        why = "its USING expression converts every row, rewriting the table, and fails on any value it "
              "cannot convert";
    else if (!from)
        why = "the column's current type is not known here: it may rewrite the table (and every index) under an "
              "ACCESS EXCLUSIVE lock, and values that do not fit the new type would make it fail";
    else if (from->type_name == to.name)
        why = "narrowing " + display_of(*from) + " rewrites or rechecks every row and fails or truncates values "
              "that no longer fit";
    else if (lossless)
        why = "changing " + display_of(*from) + " to " + type_display(to) +
              " rewrites the table and every index under an ACCESS EXCLUSIVE lock; no value is lost or refused";
    else
        why = "changing " + display_of(*from) + " to " +
              type_display(to) +
              " rewrites the table and every index under an ACCESS EXCLUSIVE lock and may reject or alter values";
    // What the data says: nothing to convert, values that do not convert, or all of them do.
    std::string data;
    // Critical where values can be lost or rejected; a change from an unknown type is a
    // possible rewrite, not a known loss.
    Risk risk = (from && !lossless) || using_expr ? Risk::Critical : Risk::High;
    const auto facts = ctx.live(table);
    if (facts && facts->rows <= 0) {
        data = "; the table is empty, so nothing is converted";
        risk = Risk::Low;
    } else if (!using_expr) {
        if (auto failed = ctx.catalog.count_failed_casts(ctx.state.resolved(table), col, to_sql, using_cast)) {
            if (failed->impossible) {
                data = "; there is no automatic conversion to " + type_display(to) +
                       ": the statement fails unless it gets a USING clause";
            } else if (failed->count > 0) {
                data = "; " + RuleContext::count_phrase(*failed, "value", "values") + " of " + col +
                       (failed->count == 1 && !failed->at_least ? " does" : " do") + " not convert to " +
                       type_display(to) + ": the statement will fail";
            } else if (!failed->at_least && from && is_lossless_conversion(*from, to)) {
                data = "; every value converts";
                risk = Risk::Low;  // set by size below: what remains is the rewrite
            } else if (!failed->at_least) {
                data = "; every value converts, but values may be rounded or cut to fit " + type_display(to);
            }
        }
    } else {
        data = "; values are not checked through a USING expression (migration_guard.dry_run() runs it)";
    }
    Finding &f = ctx.add("change-column-type", at, object,
                         "ALTER COLUMN " + col + " TYPE " + type_display(to) + " on " + table.display() + ": " +
                             why + ctx.at_stake(table) + data,
                         hint);
    f.lock = LockMode::AccessExclusive;
    f.rewrites_table = true;
    f.risk = risk;
    if (lossless) f.category = "availability";  // a rewrite under the lock; no value is lost
    if (risk == Risk::Low && facts && facts->rows > 0) ctx.scale_by_size(f, table, RuleContext::Impact::Rewrite);
}

namespace {
// A validated CHECK (col IS NOT NULL), added earlier in the text or already in the catalog,
// lets PostgreSQL 12+ skip the scan.
bool proven_not_null(const QualifiedName &table, const std::string &col, const RuleContext &ctx) {
    const std::string prefix = ctx.state.key(table) + "/";
    for (const auto &[key, con] : ctx.state.constraints)
        if (key.compare(0, prefix.size(), prefix) == 0 && con.validated && con.not_null_column == col) return true;
    return ctx.catalog.has_validated_not_null_check(ctx.state.resolved(table), col);
}
}  // namespace

void check_set_not_null(const std::string &col, const QualifiedName &table, RuleContext &ctx) {
    if (ctx.is_new(table)) return;
    ctx.state.set_not_null.insert(ctx.state.key(table) + "/" + col);
    auto facts = ctx.catalog.column(ctx.state.resolved(table), col);
    if (facts && facts->not_null) return;  // already NOT NULL: a no-op
    if (proven_not_null(table, col, ctx)) return;
    // VALIDATE CONSTRAINT of a CHECK an earlier migration added, then SET NOT NULL: the scan-free
    // path, when the constraint is that column's (its definition is not known here).
    std::string validated;
    if (auto v = ctx.state.validated_unknown.find(ctx.state.key(table)); v != ctx.state.validated_unknown.end())
        for (const auto &name : v->second) {
            if (name.find(col) != std::string::npos) return;
            validated = name;
        }
    std::string data;
    const auto nulls = ctx.catalog.count_nulls(ctx.state.resolved(table), col);
    if (nulls && nulls->count > 0)
        data = "; " + RuleContext::count_phrase(*nulls, "row", "rows") + (nulls->count == 1 && !nulls->at_least ? " has" : " have") + " NULL " + col + ": the statement will fail";
    else if (nulls && !nulls->at_least)
        data = "; no row has NULL " + col;
    else if (nulls)
        data = "; no NULL " + col + " among the rows checked (" +
               (nulls->timed_out ? std::string("the check stopped at its time limit")
                                 : "the check stopped after " + format_count(static_cast<double>(nulls->examined)) + " rows") +
               ")";
    Finding &f = ctx.add("set-not-null", ctx.statement_location(), column_object(table, col),
                         "SET NOT NULL on " + column_object(table, col) +
                             " scans the whole table under an ACCESS EXCLUSIVE lock and fails if any row is NULL" +
                             ctx.at_stake(table) + data,
                         ctx.options.server_version >= 180000
                             ? "ADD CONSTRAINT " + quote_ident(col + "_not_null") + " NOT NULL " + quote_ident(col) +
                                   " NOT VALID (instant); then in a separate transaction VALIDATE CONSTRAINT " +
                                   quote_ident(col + "_not_null") +
                                   " (SHARE UPDATE EXCLUSIVE: writes go on): the column is then NOT NULL"
                             : "ADD CONSTRAINT " + quote_ident(col + "_not_null") + " CHECK (" + quote_ident(col) +
                                   " IS NOT NULL) NOT VALID; then in a separate transaction VALIDATE CONSTRAINT " +
                                   quote_ident(col + "_not_null") +
                                   "; then SET NOT NULL (it skips the scan) and DROP CONSTRAINT " +
                                   quote_ident(col + "_not_null"));
    f.lock = LockMode::AccessExclusive;
    f.scans_table = true;
    if (nulls && nulls->count > 0) f.risk = Risk::High;  // it will fail, whatever the size
    else ctx.scale_by_size(f, table);
    if (!validated.empty() && !(nulls && nulls->count > 0)) {
        f.risk = Risk::Low;
        f.message += "; if the constraint " + validated + " validated above is CHECK (" + col +
                     " IS NOT NULL), PostgreSQL uses it and skips the scan";
    }
}

void check_set_expression(const AlterTableCmd *cmd, const QualifiedName &table, RuleContext &ctx) {
    if (ctx.is_new(table)) return;
    const std::string col = cmd->name ? cmd->name : "";
    ctx.takes_lock(LockMode::AccessExclusive, table);
    // A virtual column (18) stores nothing: only its definition changes.
    const auto facts = ctx.catalog.column(ctx.state.resolved(table), col);
    if (facts && facts->generated == 'v') return;
    Finding &f = ctx.add("set-generated-expression", ctx.statement_location(), column_object(table, col),
                         "SET EXPRESSION on " + column_object(table, col) +
                             " recomputes the stored generated column for every row: it rewrites " + table.display() +
                             " under an ACCESS EXCLUSIVE lock" + ctx.at_stake(table),
                         ctx.options.server_version >= 180000
                             ? "On a large table add a new column instead (a VIRTUAL generated column stores "
                               "nothing and needs no rewrite), switch readers to it, then drop the old one"
                             : "On a large table add a new nullable column, fill it in batches, switch readers "
                               "to it, then drop the old one");
    f.lock = LockMode::AccessExclusive;
    f.scans_table = true;
    ctx.scale_by_size(f, table, RuleContext::Impact::Rewrite);
}

void check_drop_not_null(const AlterTableCmd *cmd, const QualifiedName &table, RuleContext &ctx) {
    if (ctx.is_new(table)) return;
    const std::string col = cmd->name ? cmd->name : "";
    Finding &f = ctx.add("drop-not-null", ctx.statement_location(), column_object(table, col),
                         "DROP NOT NULL on " + column_object(table, col) +
                             " lets NULLs in; code that assumes a value will meet them",
                         "Make sure every reader handles NULL first; if the column is being retired, stop "
                         "writing it before relaxing the constraint");
    f.lock = LockMode::AccessExclusive;
}

}  // namespace mg
