// ALTER TABLE: dispatches each subcommand to its rule family, records the lock each takes, and
// judges the table-level switches (set-unlogged, disable-trigger, disable-rls).
#include <functional>

#include "engine/rules/rules.hpp"

namespace mg {

namespace {

// Mirrors AlterTableGetLockLevel() in PostgreSQL 15's tablecmds.c for the subcommands rules read.
LockMode lock_for(const AlterTableCmd *cmd) {
    switch (cmd->subtype) {
        case AT_SetStatistics:
        case AT_SetOptions:
        case AT_ResetOptions:
        case AT_ClusterOn:
        case AT_DropCluster:
        case AT_ValidateConstraint:
        case AT_AttachPartition:
            return LockMode::ShareUpdateExclusive;
        case AT_EnableTrig:
        case AT_EnableAlwaysTrig:
        case AT_EnableReplicaTrig:
        case AT_EnableTrigAll:
        case AT_EnableTrigUser:
        case AT_DisableTrig:
        case AT_DisableTrigAll:
        case AT_DisableTrigUser:
            return LockMode::ShareRowExclusive;
        case AT_AddConstraint: {
            const Constraint *c = reinterpret_cast<const Constraint *>(cmd->def);
            if (c && IsA(c, Constraint) && c->contype == CONSTR_FOREIGN) return LockMode::ShareRowExclusive;
            return LockMode::AccessExclusive;
        }
        case AT_DetachPartition: {
            const PartitionCmd *p = reinterpret_cast<const PartitionCmd *>(cmd->def);
            return p && p->concurrent ? LockMode::ShareUpdateExclusive : LockMode::AccessExclusive;
        }
        case AT_DetachPartitionFinalize:
            return LockMode::ShareUpdateExclusive;
        default:
            return LockMode::AccessExclusive;
    }
}

void check_table_switch(const AlterTableCmd *cmd, const QualifiedName &table, RuleContext &ctx) {
    const std::string t = table.display();
    const int at = ctx.statement_location();
    switch (cmd->subtype) {
        case AT_SetUnLogged: {
            Finding &f = ctx.add("set-unlogged", at, t,
                                 "SET UNLOGGED on " + t + " rewrites it, and from then on a crash empties the "
                                 "table and replicas no longer receive its rows" + ctx.at_stake(table),
                                 "Keep durable data logged; use a separate unlogged staging table for bulk "
                                 "loads and copy into the logged table");
            f.lock = LockMode::AccessExclusive;
            f.rewrites_table = true;
            // The rewrite weighs by size; the lost durability does not shrink with the table.
            ctx.scale_by_size(f, table, RuleContext::Impact::Rewrite);
            f.risk = max_risk(f.risk, Risk::High);
            break;
        }
        case AT_SetLogged: {
            Finding &f = ctx.add("set-logged", at, t,
                                 "SET LOGGED on " + t + " rewrites the table and writes all of it to the WAL under "
                                 "an ACCESS EXCLUSIVE lock (replicas receive the whole table)" + ctx.at_stake(table),
                                 "Do it in a quiet window with a lock_timeout, or create a logged copy and switch to "
                                 "it; for bulk loads, load into a logged table in batches instead");
            f.lock = LockMode::AccessExclusive;
            f.rewrites_table = true;
            ctx.scale_by_size(f, table, RuleContext::Impact::Rewrite);
            break;
        }
        case AT_DetachPartition: {
            const PartitionCmd *p = reinterpret_cast<const PartitionCmd *>(cmd->def);
            if (!p || !IsA(p, PartitionCmd) || p->concurrent) break;
            const std::string part = p->name ? ctx.qualify(qualified(p->name)).display() : "the partition";
            Finding &f = ctx.add("detach-partition-blocking", at, part,
                                 "DETACH PARTITION " + part + " takes an ACCESS EXCLUSIVE lock on the parent " + t +
                                     ": every query on any partition of it waits, and waits behind long transactions",
                                 "ALTER TABLE " + t + " DETACH PARTITION " + part +
                                     " CONCURRENTLY (PostgreSQL 14+; outside a transaction block), or set a "
                                     "lock_timeout and retry");
            f.lock = LockMode::AccessExclusive;
            break;
        }
        case AT_AttachPartition: {
            const PartitionCmd *p = reinterpret_cast<const PartitionCmd *>(cmd->def);
            if (!p || !IsA(p, PartitionCmd) || !p->name) break;
            const QualifiedName part = ctx.qualify(qualified(p->name));
            if (ctx.is_new(part)) break;  // an empty table made for it: nothing to scan
            Finding &f = ctx.add("attach-partition-scan", at, part.display(),
                                 "ATTACH PARTITION " + part.display() + " to " + t +
                                     " scans every row of the partition to check the bound, under an ACCESS "
                                     "EXCLUSIVE lock on it (and a SHARE UPDATE EXCLUSIVE lock on the parent), "
                                     "unless a valid CHECK constraint already implies the bound" +
                                     ctx.at_stake(part),
                                 "First ADD a CHECK constraint matching the bound NOT VALID and VALIDATE it (no "
                                 "blocking), then ATTACH: PostgreSQL skips the scan; drop the CHECK afterwards");
            f.lock = LockMode::AccessExclusive;
            f.scans_table = true;
            ctx.scale_by_size(f, part);
            break;
        }
        case AT_DisableTrig:
        case AT_DisableTrigAll:
        case AT_DisableTrigUser: {
            const std::string which = cmd->subtype == AT_DisableTrig && cmd->name ? "trigger " + std::string(cmd->name)
                                      : cmd->subtype == AT_DisableTrigAll ? "ALL triggers (including the ones "
                                                                            "enforcing foreign keys)"
                                                                          : "all user triggers";
            Finding &f = ctx.add("disable-trigger", at, cmd->name ? t + "." + cmd->name : t,
                                 "DISABLE TRIGGER on " + t + " turns off " + which +
                                     " for every session until someone re-enables it",
                                 "Re-enable it in the same migration right after the work that needed it, or "
                                 "use SET session_replication_role = replica only inside that one session");
            f.lock = LockMode::ShareRowExclusive;
            break;
        }
        case AT_DisableRowSecurity:
        case AT_NoForceRowSecurity: {
            const bool no_force = cmd->subtype == AT_NoForceRowSecurity;
            Finding &f = ctx.add("disable-rls", at, t,
                                 std::string(no_force ? "NO FORCE ROW LEVEL SECURITY" : "DISABLE ROW LEVEL SECURITY") +
                                     " on " + t +
                                     (no_force ? " exempts the table owner from its policies"
                                               : " makes every row visible to every role with table privileges, "
                                                 "whatever the policies say"),
                                 "Fix the policy instead (CREATE POLICY / ALTER POLICY); for maintenance use a "
                                 "role with BYPASSRLS rather than switching RLS off for everyone");
            f.lock = LockMode::AccessExclusive;
            break;
        }
        default:
            break;
    }
}

// Subcommands PostgreSQL applies to every inheritance child and partition too (unless ONLY),
// among those a rule judges. A CHECK constraint recurses; a foreign key or unique constraint
// on an inheritance parent does not.
bool recurses(const AlterTableCmd *cmd) {
    switch (cmd->subtype) {
        case AT_AddColumn:
        case AT_DropColumn:
        case AT_AlterColumnType:
        case AT_SetNotNull:
        case AT_DropNotNull:
        case AT_DropConstraint:
        case AT_ValidateConstraint:
            return true;
        case AT_AddConstraint:
            return cmd->def && IsA(cmd->def, Constraint) &&
                   reinterpret_cast<const Constraint *>(cmd->def)->contype == CONSTR_CHECK;
        default:
            return false;
    }
}

// The rules of a subcommand on one table's columns and constraints; false for any other
// subcommand (table-level switches, RLS).
bool check_column_command(const AlterTableCmd *cmd, const QualifiedName &table, RuleContext &ctx) {
    switch (cmd->subtype) {
        case AT_AddColumn: check_add_column(cmd, table, ctx); break;
        case AT_DropColumn: check_drop_column(cmd, table, ctx); break;
        case AT_AlterColumnType: check_column_type_change(cmd, table, ctx); break;
        case AT_SetNotNull: check_set_not_null(cmd->name ? cmd->name : "", table, ctx); break;
        case AT_DropNotNull: check_drop_not_null(cmd, table, ctx); break;
        case AT_AddConstraint:
            if (cmd->def && IsA(cmd->def, Constraint))
                check_add_constraint(reinterpret_cast<const Constraint *>(cmd->def), table, {}, ctx);
            break;
        case AT_DropConstraint: check_drop_constraint(cmd, table, ctx); break;
        case AT_ValidateConstraint: check_validate_constraint(cmd, table, ctx); break;
        default: {
            const nodes::Enforceability enforceability = nodes::altered_enforceability(cmd);
            if (nodes::is_set_expression(cmd)) check_set_expression(cmd, table, ctx);
            else if (enforceability == nodes::Enforceability::Enforced) check_enforce_constraint(cmd, table, ctx);
            else if (enforceability == nodes::Enforceability::NotEnforced) check_stop_enforcing(cmd, table, ctx);
            else return false;
        }
    }
    return true;
}

// The subcommand judged again on each child and partition it reaches: an existing table
// attached to a new parent is as existing as ever. Advice on type choices and indexes stays
// with the table the statement names.
void check_recursion(const AlterTableCmd *cmd, const QualifiedName &table, RuleContext &ctx) {
    std::function<bool(const QualifiedName &)> follow;
    if (cmd->subtype == AT_DropColumn) {
        // A child keeps a column it defines itself or inherits from another parent too.
        const std::string col = cmd->name ? cmd->name : "";
        follow = [&ctx, col](const QualifiedName &child) {
            auto c = ctx.catalog.column(child, col);
            return c && !c->local && c->inherited_count == 1;
        };
    }
    for (const auto &reached : ctx.descendants(table, follow)) {
        ctx.takes_lock(lock_for(cmd), reached.table);
        const size_t before = ctx.statement_findings();
        check_column_command(cmd, reached.table, ctx);
        for (size_t i = ctx.statement_findings(); i-- > before;) {
            Finding &f = ctx.finding(i);
            if (f.category == "practice" || f.category == "performance") {
                ctx.remove_finding(i);  // advice the recursion would only repeat
                continue;
            }
            f.message += " (" + reached.table.display() + " is reached through " + reached.via.display() +
                         ": ALTER TABLE applies the command to every inheritance child and partition)";
        }
    }
}

}  // namespace

void check_alter_table(const AlterTableStmt *stmt, RuleContext &ctx) {
    if (!stmt->relation) return;
    const QualifiedName table = ctx.qualify(qualified(stmt->relation));
    const bool is_table = stmt->objtype == OBJECT_TABLE;
    const ListCell *lc;
    ctx.state.readded_constraints.clear();
    foreach (lc, stmt->cmds) {
        const AlterTableCmd *cmd = static_cast<const AlterTableCmd *>(lfirst(lc));
        if (IsA(cmd, AlterTableCmd) && cmd->subtype == AT_AddConstraint && cmd->def && IsA(cmd->def, Constraint) &&
            reinterpret_cast<const Constraint *>(cmd->def)->conname)
            ctx.state.readded_constraints.insert(reinterpret_cast<const Constraint *>(cmd->def)->conname);
    }
    foreach (lc, stmt->cmds) {
        const AlterTableCmd *cmd = static_cast<const AlterTableCmd *>(lfirst(lc));
        if (!IsA(cmd, AlterTableCmd)) continue;
        ctx.takes_lock(lock_for(cmd), table);
        if (!is_table && stmt->objtype != OBJECT_FOREIGN_TABLE && stmt->objtype != OBJECT_MATVIEW) continue;
        if (check_column_command(cmd, table, ctx)) {
            if (is_table && stmt->relation->inh && recurses(cmd)) check_recursion(cmd, table, ctx);
            continue;
        }
        switch (cmd->subtype) {
            case AT_EnableRowSecurity: ctx.state.enable_rls(table); break;
            case AT_DisableRowSecurity:
                ctx.state.disable_rls(table);
                if (!ctx.is_new(table)) check_table_switch(cmd, table, ctx);
                break;
            default:
                if (!ctx.is_new(table)) check_table_switch(cmd, table, ctx);
                break;
        }
    }
}

}  // namespace mg
