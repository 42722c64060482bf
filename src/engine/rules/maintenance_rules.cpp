// vacuum-full, cluster, refresh-matview-blocking.
#include "engine/rules/rules.hpp"

namespace mg {

namespace {

bool option_on(const List *options, const char *name) {
    const ListCell *lc;
    foreach (lc, options) {
        const DefElem *opt = static_cast<const DefElem *>(lfirst(lc));
        if (!opt->defname || std::string(opt->defname) != name) continue;
        if (!opt->arg) return true;
        if (IsA(opt->arg, Boolean)) return boolVal(opt->arg);
        if (IsA(opt->arg, Integer)) return intVal(opt->arg) != 0;
        const std::string v = str_value(opt->arg);
        return !(v == "false" || v == "off" || v == "0" || v == "no");
    }
    return false;
}

}  // namespace

void check_vacuum(const VacuumStmt *stmt, RuleContext &ctx) {
    if (!stmt->is_vacuumcmd || !option_on(stmt->options, "full")) return;
    std::vector<QualifiedName> tables;
    const ListCell *lc;
    foreach (lc, stmt->rels) {
        const VacuumRelation *vr = static_cast<const VacuumRelation *>(lfirst(lc));
        if (vr->relation) tables.push_back(ctx.qualify(qualified(vr->relation)));
    }
    const std::string object = tables.empty() ? "every table of the database" : tables.front().display();
    Finding &f = ctx.add("vacuum-full", ctx.statement_location(), object,
                         "VACUUM FULL rewrites " + object +
                             " under an ACCESS EXCLUSIVE lock (no reads or writes) and needs free disk for a "
                             "full copy" + (tables.empty() ? std::string() : ctx.at_stake(tables.front())),
                         "Plain VACUUM (no lock on reads/writes) is usually enough; to shrink a bloated table "
                         "online use pg_repack or pg_squeeze");
    f.lock = LockMode::AccessExclusive;
    f.rewrites_table = true;
    if (tables.size() == 1) ctx.scale_by_size(f, tables.front(), RuleContext::Impact::Rewrite);
    for (const auto &t : tables) ctx.takes_lock(LockMode::AccessExclusive, t);
}

void check_cluster(const ClusterStmt *stmt, RuleContext &ctx) {
    const std::string object = stmt->relation ? ctx.qualify(qualified(stmt->relation)).display() : "every clustered table";
    if (stmt->relation && ctx.is_new(ctx.qualify(qualified(stmt->relation)))) return;
    Finding &f = ctx.add("cluster", ctx.statement_location(), object,
                         "CLUSTER rewrites " + object +
                             " in index order under an ACCESS EXCLUSIVE lock: no reads or writes until it ends" +
                             (stmt->relation ? ctx.at_stake(ctx.qualify(qualified(stmt->relation))) : std::string()),
                         "Use pg_repack --order-by for an online reorder, or accept a maintenance window");
    f.lock = LockMode::AccessExclusive;
    f.rewrites_table = true;
    if (stmt->relation) {
        ctx.scale_by_size(f, ctx.qualify(qualified(stmt->relation)), RuleContext::Impact::Rewrite);
        ctx.takes_lock(LockMode::AccessExclusive, ctx.qualify(qualified(stmt->relation)));
    }
}

void check_refresh_matview(const RefreshMatViewStmt *stmt, RuleContext &ctx) {
    if (!stmt->relation) return;
    const QualifiedName view = ctx.qualify(qualified(stmt->relation));
    const LockMode lock = stmt->concurrent ? LockMode::Exclusive : LockMode::AccessExclusive;
    if (ctx.state.is_new_object("matview", view)) return;
    ctx.takes_lock(lock, view);
    if (stmt->concurrent) return;
    Finding &f = ctx.add("refresh-matview-blocking", ctx.at(stmt->relation->location), view.display(),
                         "REFRESH MATERIALIZED VIEW " + view.display() +
                             " without CONCURRENTLY blocks every read of the view until the refresh ends",
                         "Add a unique index on the view and use REFRESH MATERIALIZED VIEW CONCURRENTLY");
    f.lock = LockMode::AccessExclusive;
}

}  // namespace mg
