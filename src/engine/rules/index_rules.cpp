// create-index-blocking, reindex-blocking, concurrently-in-transaction; CREATE TRIGGER's lock.
#include "engine/rules/rules.hpp"

namespace mg {

namespace {

void concurrently_in_transaction(const char *what, const std::string &object, LockMode lock,
                                 RuleContext &ctx) {
    Finding &f = ctx.add("concurrently-in-transaction", ctx.statement_location(), object,
                         std::string(what) + " CONCURRENTLY on " + object +
                             " inside a transaction block fails at run time "
                             "(\"cannot run inside a transaction block\")",
                         "Run it on its own, outside BEGIN ... COMMIT (and tell your migration tool not to "
                         "wrap this migration in a transaction)");
    f.lock = lock;
}

bool reindex_concurrently(const ReindexStmt *stmt) {
    const ListCell *lc;
    foreach (lc, stmt->params) {
        const DefElem *opt = static_cast<const DefElem *>(lfirst(lc));
        if (opt->defname && std::string(opt->defname) == "concurrently") {
            // REINDEX (CONCURRENTLY false) is allowed syntax.
            if (!opt->arg) return true;
            if (IsA(opt->arg, Boolean)) return boolVal(opt->arg);
            if (IsA(opt->arg, Integer)) return intVal(opt->arg) != 0;
            const std::string v = str_value(opt->arg);
            return !(v == "false" || v == "off" || v == "0");
        }
    }
    return false;
}

}  // namespace

void check_create_index(const IndexStmt *stmt, RuleContext &ctx) {
    if (!stmt->relation) return;
    const QualifiedName table = ctx.qualify(qualified(stmt->relation));
    // An index lives in its table's schema.
    const std::string object =
        stmt->idxname ? QualifiedName{table.schema, stmt->idxname}.display() : table.display();
    if (stmt->concurrent) {
        if (ctx.state.in_transaction)
            concurrently_in_transaction("CREATE INDEX", object, LockMode::ShareUpdateExclusive, ctx);
        return;
    }
    if (ctx.is_new(table)) return;
    // A unique index over plain columns fails on duplicates (a partial one may not: not counted).
    std::string data;
    std::optional<DataCount> duplicates;
    std::vector<std::string> cols;
    const ListCell *lc;
    bool plain_columns = stmt->unique && !stmt->whereClause;
    foreach (lc, stmt->indexParams) {
        const IndexElem *e = static_cast<const IndexElem *>(lfirst(lc));
        if (!e->name) plain_columns = false;
        else cols.emplace_back(e->name);
    }
    if (plain_columns) duplicates = ctx.catalog.count_duplicates(ctx.state.resolved(table), cols);
    if (duplicates && duplicates->count > 0) {
        std::string list;
        for (const auto &c : cols) list += (list.empty() ? "" : ", ") + c;
        data = "; " + RuleContext::count_phrase(*duplicates, "value", "values") + " of (" + list + ") " +
               (duplicates->count == 1 && !duplicates->at_least ? "appears" : "appear") +
               " more than once: the statement will fail";
    }
    Finding &f = ctx.add("create-index-blocking", ctx.at(stmt->relation->location), object,
                         std::string("CREATE ") + (stmt->unique ? "UNIQUE " : "") + "INDEX " +
                             (stmt->idxname ? std::string(stmt->idxname) + " " : std::string()) + "on " + table.display() +
                             " without CONCURRENTLY holds a SHARE lock for the whole build: every INSERT, "
                             "UPDATE and DELETE on the table waits" + ctx.at_stake(table) + data,
                         std::string("Use CREATE ") + (stmt->unique ? "UNIQUE " : "") +
                             "INDEX CONCURRENTLY, outside a transaction block (if it fails, drop the INVALID "
                             "index and retry)");
    f.lock = LockMode::Share;
    f.scans_table = true;
    ctx.scale_by_size(f, table);
    if (duplicates && duplicates->count > 0) f.risk = max_risk(f.risk, Risk::Medium);  // it fails: nothing is built
    // As advice (low: size unknown or small), once per transaction and table: the first build's
    // SHARE lock is held to COMMIT, so the later ones add to the same wait and have the same fix.
    if (f.risk != Risk::Low) return;
    if (!ctx.state.index_build_tables.insert(ctx.state.key(table)).second)
        ctx.remove_finding(ctx.statement_findings() - 1);
}

void check_reindex(const ReindexStmt *stmt, RuleContext &ctx) {
    std::string object = stmt->relation ? ctx.qualify(qualified(stmt->relation)).display() : (stmt->name ? stmt->name : "");
    if (reindex_concurrently(stmt)) {
        if (ctx.state.in_transaction)
            concurrently_in_transaction("REINDEX", object, LockMode::ShareUpdateExclusive, ctx);
        return;
    }
    if (stmt->relation && stmt->kind == REINDEX_OBJECT_TABLE && ctx.is_new(ctx.qualify(qualified(stmt->relation)))) return;
    // System catalogs cannot be reindexed concurrently: there is no better way to advise.
    if (stmt->kind == REINDEX_OBJECT_SYSTEM) return;
    Finding &f = ctx.add("reindex-blocking", ctx.statement_location(), object,
                         "REINDEX of " + object + " without CONCURRENTLY blocks writes to the table (and reads "
                         "that use the index) until it finishes",
                         "Use REINDEX ... CONCURRENTLY (PostgreSQL 12+), outside a transaction block");
    f.lock = LockMode::Share;
    f.scans_table = true;
    if (stmt->relation && stmt->kind == REINDEX_OBJECT_TABLE) ctx.scale_by_size(f, ctx.qualify(qualified(stmt->relation)));
}

void check_create_trigger(const CreateTrigStmt *stmt, RuleContext &ctx) {
    if (stmt->relation) ctx.takes_lock(LockMode::ShareRowExclusive, ctx.qualify(qualified(stmt->relation)));
}

}  // namespace mg
