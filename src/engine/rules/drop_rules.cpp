// drop-table, drop-schema, drop-view, drop-function, drop-trigger, drop-index, drop-sequence,
// drop-type, drop-cascade, drop-database, drop-owned, truncate.
#include <algorithm>
#include <set>

#include "engine/rules/rules.hpp"
#include "engine/undo.hpp"

namespace mg {

namespace {

struct DropTarget {
    QualifiedName name;
    QualifiedName table;  // for triggers: the table they belong to
    bool is_new = false;
};

DropTarget target_of(const Node *obj, ObjectType type, const RuleContext &ctx) {
    DropTarget t;
    switch (type) {
        case OBJECT_SCHEMA:
        case OBJECT_EXTENSION:
        case OBJECT_DATABASE:
            t.name.name = str_value(obj);
            if (type == OBJECT_SCHEMA) t.is_new = ctx.state.is_new_schema(t.name.name);
            break;
        case OBJECT_TYPE:
        case OBJECT_DOMAIN:
            t.name = ctx.qualify(qualified(reinterpret_cast<const TypeName *>(obj)->names));
            t.is_new = ctx.state.is_new_object("type", t.name);
            break;
        case OBJECT_FUNCTION:
        case OBJECT_PROCEDURE:
        case OBJECT_ROUTINE:
        case OBJECT_AGGREGATE:
            t.name = ctx.qualify(qualified(reinterpret_cast<const ObjectWithArgs *>(obj)->objname));
            t.is_new = ctx.state.is_new_object("function", t.name);
            break;
        case OBJECT_TRIGGER: {
            // [schema.]table.trigger: the trigger is new when its table is.
            auto parts = name_list(reinterpret_cast<const List *>(obj));
            if (!parts.empty()) {
                t.name.name = parts.back();
                parts.pop_back();
                if (!parts.empty()) t.table.name = parts.back();
                if (parts.size() >= 2) t.table.schema = parts[parts.size() - 2];
                t.is_new = ctx.is_new(t.table);
            }
            break;
        }
        default:
            if (IsA(obj, List)) t.name = ctx.qualify(qualified(reinterpret_cast<const List *>(obj)));
            else t.name.name = str_value(obj);
            break;
    }
    if (type == OBJECT_TABLE) t.is_new = ctx.is_new(t.name);
    else if (type == OBJECT_VIEW) t.is_new = ctx.state.is_new_object("view", t.name);
    else if (type == OBJECT_MATVIEW) t.is_new = ctx.state.is_new_object("matview", t.name);
    else if (type == OBJECT_INDEX) t.is_new = ctx.state.is_new_object("index", t.name);
    else if (type == OBJECT_SEQUENCE) t.is_new = ctx.state.is_new_object("sequence", t.name);
    // A temporary relation is gone at session end anyway: nobody's data.
    if (!t.is_new && (type == OBJECT_VIEW || type == OBJECT_MATVIEW || type == OBJECT_INDEX ||
                      type == OBJECT_SEQUENCE || type == OBJECT_FOREIGN_TABLE))
        t.is_new = ctx.catalog.is_temporary(t.name);
    return t;
}

// What is at stake, or, for a table that only looks empty (rows this transaction deleted, or that
// another one is writing), that those rows count. `holds_no_data` as the catalog answered it.
std::string looks_empty_suffix(const RuleContext &ctx, const QualifiedName &table, std::optional<bool> holds_no_data) {
    auto facts = ctx.live(table);
    if (facts && facts->rows <= 0 && holds_no_data == false)
        return " (it looks empty, but rows deleted by this transaction or still being written by another count)";
    return ctx.at_stake(table);
}

void drop_one(const DropStmt *stmt, const DropTarget &t, RuleContext &ctx) {
    const std::string name = t.name.display();
    const int at = ctx.statement_location();
    switch (stmt->removeType) {
        case OBJECT_TABLE: {
            // Verified empty (no row, committed or in progress): what breaks is code that reads
            // it, not data.
            const std::optional<bool> nothing = ctx.catalog.holds_no_data(t.name, "");  // one look: it may scan
            const bool empty = nothing.value_or(false);
            Finding &f = ctx.add("drop-table", at, name,
                                 empty ? "DROP TABLE " + name + " deletes the table, which holds no rows: nothing "
                                             "is lost, but every query and application that reads it fails"
                                       : "DROP TABLE " + name + " deletes the table and every row in it" +
                                             looks_empty_suffix(ctx, t.name, nothing),
                                 "Nothing brings the rows back but a backup. Keep a dump first (pg_dump -t " + shell_quote(quote_name(t.name)) +
                                     "), check that nothing reads it any more (pg_stat_user_tables.seq_scan and "
                                     "idx_scan stop growing), and have the drop reviewed and approved");
            f.lock = LockMode::AccessExclusive;
            if (empty) f.risk = Risk::Medium;
            ctx.takes_lock(LockMode::AccessExclusive, t.name);
            break;
        }
        case OBJECT_SCHEMA: {
            Finding &f = ctx.add("drop-schema", at, name,
                                 "DROP SCHEMA " + name + " removes the schema" +
                                     (stmt->behavior == DROP_CASCADE
                                          ? " and every table, view, function and type in it"
                                          : " (it fails unless the schema is empty)"),
                                 "Move what you keep out of the schema (ALTER TABLE ... SET SCHEMA), dump it "
                                 "(pg_dump -n " + shell_quote(quote_ident(name)) + "), and drop it without CASCADE so PostgreSQL "
                                 "refuses if anything is still inside");
            f.lock = LockMode::AccessExclusive;
            break;
        }
        case OBJECT_VIEW:
        case OBJECT_MATVIEW: {
            const bool mat = stmt->removeType == OBJECT_MATVIEW;
            Finding &f = ctx.add("drop-view", at, name,
                                 std::string("DROP ") + (mat ? "MATERIALIZED VIEW " : "VIEW ") + name +
                                     " breaks every query and application that reads it",
                                 "Check pg_stat_statements and your code for readers; to change a view keep "
                                 "its columns and use CREATE OR REPLACE VIEW instead of drop and create");
            f.lock = LockMode::AccessExclusive;
            break;
        }
        case OBJECT_FUNCTION:
        case OBJECT_PROCEDURE:
        case OBJECT_ROUTINE:
        case OBJECT_AGGREGATE: {
            ctx.add("drop-function", at, name,
                                 std::string("DROP ") + object_type_name(stmt->removeType) + " " + name +
                                     " breaks callers, triggers and defaults that use it",
                                 "Use CREATE OR REPLACE FUNCTION to change a body; drop only after callers "
                                 "are gone (look for it in pg_depend, triggers and application code)");
            break;
        }
        case OBJECT_TRIGGER: {
            Finding &f = ctx.add("drop-trigger", at, t.table.display() + "." + t.name.name,
                                 "DROP TRIGGER " + t.name.name + " on " + t.table.display() +
                                     " stops whatever it enforced (audit rows, derived columns, checks) "
                                     "for every later write",
                                 "Make sure the trigger's job is done elsewhere first; to pause a trigger "
                                 "for one session, prefer SET session_replication_role only in maintenance");
            f.lock = LockMode::AccessExclusive;
            ctx.takes_lock(LockMode::AccessExclusive, t.table);
            break;
        }
        case OBJECT_INDEX: {
            const LockMode lock =
                stmt->concurrent ? LockMode::ShareUpdateExclusive : LockMode::AccessExclusive;
            Finding &f = ctx.add(
                "drop-index", at, name,
                "DROP INDEX " + name + " can make queries that used it slow" +
                    (stmt->concurrent ? std::string()
                                      : std::string("; without CONCURRENTLY it takes an ACCESS EXCLUSIVE "
                                                    "lock that blocks reads and writes of its table")),
                stmt->behavior == DROP_CASCADE
                    ? "Check pg_stat_user_indexes.idx_scan first; drop what depends on " + quote_name(t.name) +
                          " first, then DROP INDEX CONCURRENTLY " + quote_name(t.name) +
                          " (outside a transaction block; CONCURRENTLY does not take CASCADE)"
                    : "Check pg_stat_user_indexes.idx_scan first; use DROP INDEX CONCURRENTLY " + quote_name(t.name) +
                          " (outside a transaction block)");
            f.lock = lock;
            ctx.takes_lock(lock, t.name);
            break;
        }
        case OBJECT_SEQUENCE: {
            Finding &f = ctx.add("drop-sequence", at, name,
                                 "DROP SEQUENCE " + name +
                                     " loses its current value; defaults that call nextval() on it fail",
                                 "Check which columns use it (pg_depend, column defaults); if ids must keep "
                                 "growing, record SELECT last_value FROM " + quote_name(t.name) + " before dropping");
            f.lock = LockMode::AccessExclusive;
            break;
        }
        case OBJECT_TYPE:
        case OBJECT_DOMAIN: {
            Finding &f = ctx.add("drop-type", at, name,
                                 std::string("DROP ") + object_type_name(stmt->removeType) + " " + name +
                                     (stmt->behavior == DROP_CASCADE
                                          ? " with CASCADE also drops every column of that type, with its data"
                                          : " breaks code that uses the type (it fails while columns use it)"),
                                 "Convert the columns that use it first (ALTER COLUMN ... TYPE), then drop "
                                 "the type without CASCADE");
            f.lock = LockMode::AccessExclusive;
            break;
        }
        default:
            break;
    }
}

const char *cascade_kind(ObjectType t) {
    switch (t) {
        case OBJECT_TABLE:
        case OBJECT_FOREIGN_TABLE: return "table";
        case OBJECT_VIEW:
        case OBJECT_MATVIEW: return "view";
        case OBJECT_SCHEMA: return "schema";
        case OBJECT_TYPE:
        case OBJECT_DOMAIN: return "type";
        case OBJECT_EXTENSION: return "extension";
        case OBJECT_SEQUENCE: return "sequence";
        default: return nullptr;
    }
}

}  // namespace

void report_cascade(Finding &cascade, const std::string &kind, const QualifiedName &object, const std::string &sub_object,
                    const std::string &statement_words, RuleContext &ctx) {
    const auto targets = ctx.catalog.cascade_targets(kind, object, sub_object);
    if (targets.empty()) return;
    // Each target is "type<TAB>identity", as pg_identify_object() names it.
    auto split = [](const std::string &t, std::string &type) {
        const auto tab = t.find('\t');
        type = tab == std::string::npos ? "" : t.substr(0, tab);
        return tab == std::string::npos ? t : t.substr(tab + 1);
    };
    std::string listed, type;
    // The guard's own objects reached: the cascade would take the extension (its audit log,
    // approvals and recycle bin) with them. That is weakening the guard, not an ordinary drop.
    for (const auto &t : targets) {
        const std::string identity = split(t, type);
        if (type != "migration_guard") continue;
        ctx.add("weaken-guard", cascade.location, "migration_guard",
                statement_words + " reaches " + identity +
                    ", an object of the guard's own: PostgreSQL would drop the extension migration_guard with it (its "
                    "audit log, approvals and recycle bin)",
                "Remove the dependency on the guard's object first (ALTER EXTENSION migration_guard DROP ... if it "
                "was added to the extension by mistake), then drop without reaching it");
        return;
    }
    const size_t shown = std::min<size_t>(targets.size(), 12);
    for (size_t i = 0; i < shown; ++i) {
        const std::string identity = split(targets[i], type);
        listed += (i ? ", " : "") + type + " " + identity;
    }
    if (targets.size() > shown) listed += ", and " + std::to_string(targets.size() - shown) + " more";
    cascade.message += "; it would take " + std::to_string(targets.size()) + " dependent object" +
                       (targets.size() == 1 ? "" : "s") + ": " + listed;
    const int at = cascade.location;
    const std::string hint = "Drop or change what depends on it explicitly first, then drop without CASCADE";
    // Copies: adding findings may move `cascade` in memory.
    for (const auto &t : targets) {
        const std::string identity = split(t, type);
        const bool column = type == "table column";
        if (!column && type != "table") continue;
        std::string column_name;
        const QualifiedName table = split_object(identity, column_name);
        Finding &f = ctx.add(column ? "drop-column" : "drop-table", at, identity,
                             statement_words + " also drops " + (column ? "column " : "table ") + identity +
                                 (column ? " with all its values" : " with every row in it") + ctx.at_stake(table),
                             hint);
        f.lock = LockMode::AccessExclusive;
    }
}

void check_drop(const DropStmt *stmt, RuleContext &ctx) {
    bool all_new = true;
    std::string first;
    std::vector<QualifiedName> existing;
    const ListCell *lc;
    foreach (lc, stmt->objects) {
        DropTarget t = target_of(static_cast<const Node *>(lfirst(lc)), stmt->removeType, ctx);
        if (first.empty()) first = t.name.display();
        if (t.is_new) continue;
        // The live catalog has no such table: DROP TABLE IF EXISTS does nothing (and without IF
        // EXISTS PostgreSQL refuses). If one appears before the statement runs, sql_drop judges it.
        if (stmt->removeType == OBJECT_TABLE && ctx.catalog.knows_every_table() && !ctx.live(t.name)) continue;
        all_new = false;
        existing.push_back(t.name);
        drop_one(stmt, t, ctx);
        if (stmt->concurrent && ctx.state.in_transaction) {
            Finding &f = ctx.add("concurrently-in-transaction", ctx.statement_location(), t.name.display(),
                                 "DROP INDEX CONCURRENTLY " + t.name.display() +
                                     " inside a transaction block fails at run time",
                                 "Run it on its own, outside BEGIN ... COMMIT (and tell your migration "
                                 "tool not to wrap this migration in a transaction)");
            f.lock = LockMode::ShareUpdateExclusive;
        }
    }
    if (stmt->behavior == DROP_CASCADE && !all_new) {
        const std::string what = object_type_name(stmt->removeType);
        Finding &f = ctx.add("drop-cascade", ctx.statement_location(), first,
                             "DROP " + what + " " + first +
                                 " ... CASCADE also drops every object that depends on it (views, foreign "
                                 "keys, columns of its type, ...)",
                             "Drop without CASCADE: PostgreSQL then names each dependent object, and you "
                             "drop or change those explicitly, one by one");
        f.lock = LockMode::AccessExclusive;
        if (const char *kind = cascade_kind(stmt->removeType)) {
            const size_t index = ctx.statement_findings() - 1;
            for (const auto &object : existing)
                report_cascade(ctx.finding(index), kind, object, "", "DROP " + what + " " + object.display() + " CASCADE",
                               ctx);
        }
    }
}

void check_drop_database(const DropdbStmt *stmt, RuleContext &ctx) {
    const std::string name = stmt->dbname ? stmt->dbname : "";
    // A tool's shadow database (Prisma's migrate dev): nothing is lost.
    if (const auto scratch = ctx.catalog.scratch_database(name)) {
        Finding &f = ctx.add("drop-database", ctx.statement_location(), name,
                             "DROP DATABASE " + name + " deletes a scratch database: " + *scratch,
                             "Nothing is lost");
        f.risk = Risk::Low;
        return;
    }
    ctx.add("drop-database", ctx.statement_location(), name,
            "DROP DATABASE " + name + " deletes the whole database: every schema, table and row",
            "Take and verify a backup (pg_dump -Fc -d " + shell_quote(name) +
                ") first; to retire a database, revoke CONNECT and rename it, and drop it later");
}

void check_drop_owned(const DropOwnedStmt *stmt, RuleContext &ctx) {
    const std::string roles = role_list(stmt->roles);
    Finding &f = ctx.add("drop-owned", ctx.statement_location(), roles,
                         "DROP OWNED BY " + roles +
                             " drops every table, view, function and schema the role owns in this "
                             "database, with their data",
                         "Use REASSIGN OWNED BY " + roles +
                             " TO <new_owner> first; then DROP OWNED only revokes privileges");
    f.lock = LockMode::AccessExclusive;
    if (stmt->behavior == DROP_CASCADE) {
        Finding &c = ctx.add("drop-cascade", ctx.statement_location(), roles,
                             "DROP OWNED BY " + roles +
                                 " CASCADE also drops objects of other roles that depend on them",
                             "Use REASSIGN OWNED, then DROP OWNED without CASCADE");
        c.lock = LockMode::AccessExclusive;
    }
}

void check_truncate(const TruncateStmt *stmt, RuleContext &ctx) {
    // What ExecuteTruncate() empties: each named relation and, unless ONLY, its inheritance
    // children and partitions; then with CASCADE every table with a foreign key (valid or NOT
    // VALID) to one already on the list, until no new one turns up. Each is judged on its own:
    // a new parent or a new referenced table does not make an existing table new.
    struct Target {
        QualifiedName table;
        std::string why;  // empty for a named relation
        int location;
    };
    std::vector<Target> targets;
    std::set<std::string> seen;
    auto add = [&](const QualifiedName &t, std::string why, int location) {
        if (seen.insert(ctx.state.key(t)).second) targets.push_back({t, std::move(why), location});
    };
    const ListCell *lc;
    foreach (lc, stmt->relations) {
        const RangeVar *rv = static_cast<const RangeVar *>(lfirst(lc));
        const QualifiedName t = ctx.qualify(qualified(rv));
        add(t, "", ctx.at(rv->location));
        if (!rv->inh) continue;
        for (const auto &d : ctx.descendants(t))
            add(d.table, "an inheritance child or partition of " + d.via.display() + ", which TRUNCATE recurses into",
                ctx.at(rv->location));
    }
    if (stmt->behavior == DROP_CASCADE) {
        for (;;) {
            std::vector<QualifiedName> all;
            for (const auto &t : targets) all.push_back(t.table);
            const auto more = ctx.referencing(all);
            if (more.empty()) break;
            for (const auto &q : more)
                add(q, "it has a foreign key to a table being truncated, and CASCADE empties it too", ctx.statement_location());
        }
    }
    for (const auto &target : targets) {
        const QualifiedName &t = target.table;
        ctx.emptied(t);
        if (ctx.is_new(t)) continue;
        // Verified empty (no row, committed or in progress): nothing is lost (pg_restore -j and
        // pgbench -i truncate the tables they have just made).
        const std::optional<bool> nothing = ctx.catalog.holds_no_data(ctx.state.resolved(t), "");
        const bool empty = nothing.value_or(false);
        const std::string what =
            empty ? "TRUNCATE " + t.display() + " empties a table that holds no rows: nothing is lost"
            : target.why.empty()
                ? "TRUNCATE " + t.display() + " deletes every row at once" + looks_empty_suffix(ctx, t, nothing) +
                      (stmt->behavior == DROP_CASCADE ? "; CASCADE also empties every table with a foreign key to it" : "")
                : "TRUNCATE also empties " + t.display() + ctx.at_stake(t) + ": " + target.why;
        Finding &f = ctx.add("truncate", target.location, t.display(), what,
                             "Keep a copy first (CREATE TABLE " + quote_ident(t.name + "_backup") + " AS TABLE " + quote_name(t) +
                                 ") and have the truncate reviewed and approved" +
                                 (target.why.empty() ? "" : "; TRUNCATE ONLY and no CASCADE limit it to the table named"));
        f.lock = LockMode::AccessExclusive;
        if (empty) f.risk = Risk::Low;
        ctx.takes_lock(LockMode::AccessExclusive, t);
    }
}

}  // namespace mg
