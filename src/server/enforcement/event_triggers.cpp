// The event triggers the extension installs (ENABLE ALWAYS): ddl_command_start judges the
// statement before it runs; sql_drop judges every table and column it actually destroys
// (cascades included); table_rewrite judges rewrites of large tables the statement's own
// findings did not foresee.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "engine/node_names.hpp"
#include "engine/rule_catalog.hpp"
#include "server/boundary.hpp"
#include "server/audit/audit.hpp"
#include "server/enforcement/judged_statement.hpp"
#include "server/enforcement/decision.hpp"
#include "server/dry_run/dry_run.hpp"
#include "server/audit/recorded_commands.hpp"
#include "server/live_catalog/server_catalog.hpp"
#include "server/settings.hpp"
#include "server/recycle_bin/internal_sql.hpp"
#include "server/recycle_bin/recycle_bin.hpp"
#include "server/audit/undo_sql.hpp"
#include "server/enforcement/event_trigger_objects.hpp"
#include "server/enforcement/statement_findings.hpp"
#include "server/enforcement/statement_text.hpp"

extern "C" {
#include "commands/extension.h"
#include "utils/fmgrprotos.h"
}

namespace {

using namespace mg;
using namespace mg::server;

EventTriggerData *trigger_data(FunctionCallInfo fcinfo) {
    if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
        throw UserError(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED, "function can only be called as an event trigger");
    return reinterpret_cast<EventTriggerData *>(fcinfo->context);
}

// Statements run by an extension's own script are the extension's business; CREATE/ALTER/DROP
// EXTENSION itself is judged.
bool guard_inactive() { return mode() == Mode::Off || creating_extension; }


// The tables and columns a statement names itself were judged (or found new) at its start;
// sql_drop leaves those to that judgement and looks only at what the statement takes with it.
// Only those that exist now: one that appears before the statement runs (created by another
// session in between) was not judged, so sql_drop judges it.
void remember_named_targets(Node *stmt) {
    // Only drops have targets to remember: no catalog (a search_path look-up) for anything else.
    const bool drops_tables = IsA(stmt, DropStmt) && reinterpret_cast<DropStmt *>(stmt)->removeType == OBJECT_TABLE;
    bool drops_columns = false;
    if (IsA(stmt, AlterTableStmt)) {
        ListCell *lc;
        foreach (lc, reinterpret_cast<AlterTableStmt *>(stmt)->cmds)
            drops_columns = drops_columns || static_cast<AlterTableCmd *>(lfirst(lc))->subtype == AT_DropColumn;
    }
    if (!drops_tables && !drops_columns) return;
    ServerCatalog catalog;
    auto &judged = current_statement().judged;
    if (drops_tables) {
        ListCell *lc;
        foreach (lc, reinterpret_cast<DropStmt *>(stmt)->objects) {
            const QualifiedName table = catalog.qualify(qualified(static_cast<List *>(lfirst(lc))));
            if (catalog.schema_of(table)) judged.insert("drop-table " + table.display());  // exists (a look-up only)
        }
    } else if (IsA(stmt, AlterTableStmt) && reinterpret_cast<AlterTableStmt *>(stmt)->relation) {
        AlterTableStmt *alter = reinterpret_cast<AlterTableStmt *>(stmt);
        const QualifiedName table = catalog.qualify(qualified(alter->relation));
        ListCell *lc;
        foreach (lc, alter->cmds) {
            AlterTableCmd *cmd = static_cast<AlterTableCmd *>(lfirst(lc));
            if (cmd->subtype == AT_DropColumn && cmd->name && catalog.column(table, cmd->name))
                judged.insert("drop-column " + table.display() + "." + cmd->name);
        }
    }
}

// A column of a table created by this transaction (or a temporary one) holds nothing to lose.
bool column_of_new_table(const std::string &column_object) {
    std::string column;
    const QualifiedName table = split_object(column_object, column);
    if (column.empty()) return false;
    ServerCatalog catalog;
    auto facts = catalog.table(table);
    return facts && (facts->created_in_transaction || facts->temporary);
}

std::string table_of(const std::string &object) {
    std::string column;
    const QualifiedName table = split_object(object, column);
    return column.empty() ? object : table.display();
}

}  // namespace

MG_SQL_FUNCTION(migration_guard_on_ddl_command_start) {
    if (IsBinaryUpgrade) PG_RETURN_VOID();  // pg_upgrade restores a schema that was judged already
    EventTriggerData *trigger = trigger_data(fcinfo);
    const std::string tag = GetCommandTagName(trigger->tag);
    if (creating_extension) PG_RETURN_VOID();  // a script's statements belong to CREATE/ALTER EXTENSION
    if (dry_run_collector()) PG_RETURN_VOID();  // the dry run judges each statement itself
    if (is_internal_statement(trigger->parsetree)) PG_RETURN_VOID();  // the recycle bin's own
    if (guard_inactive()) {
        begin_statement(trigger->parsetree, {}, tag);
        PG_RETURN_VOID();
    }
    begin_statement(trigger->parsetree, running_statement_text(trigger->parsetree), tag);
    remember_named_targets(trigger->parsetree);
    ServerCatalog catalog;
    Node *judged = as_judged(trigger->parsetree);
    std::vector<Finding> findings = findings_for_statement(judged, nullptr, &catalog);
    {
        List *more = also_judged(trigger->parsetree);
        ListCell *lc;
        foreach (lc, more) {
            std::vector<Finding> also = findings_for_statement(static_cast<Node *>(lfirst(lc)), nullptr, &catalog);
            findings.insert(findings.end(), also.begin(), also.end());
        }
    }
    for (const auto &f : findings)
        if (f.rewrites_table) current_statement().foreseen_rewrites.insert(table_of(f.object));
    add_outside_migration(findings, trigger->parsetree, tag);
    current_statement().undo = undo_before(judged, catalog);
    plan_keeping(trigger->parsetree, findings);
    judge(std::move(findings), tag);
    keep_before_running(trigger->parsetree);
    PG_RETURN_VOID();
}

// What changed: one audit row per object the command created or altered.
MG_SQL_FUNCTION(migration_guard_on_ddl_command_end) {
    if (IsBinaryUpgrade) PG_RETURN_VOID();  // pg_upgrade restores a schema that was judged already
    EventTriggerData *trigger = trigger_data(fcinfo);
    if (DryRunCollector *dry = dry_run_collector()) {
        for (const CommandObject &o : ddl_command_objects())
            (o.command_tag.rfind("CREATE", 0) == 0 ? dry->created : dry->altered).push_back(o.object_type + " " + o.identity);
        PG_RETURN_VOID();
    }
    if (!resume_statement(trigger->parsetree)) PG_RETURN_VOID();
    if (guard_inactive() || !current_statement().judged_any) {
        end_statement(trigger->parsetree);
        PG_RETURN_VOID();
    }
    std::vector<AuditRow> rows;
    std::set<std::string> named;
    if (IsA(trigger->parsetree, GrantStmt) || IsA(trigger->parsetree, AlterDefaultPrivilegesStmt)) {
        // PostgreSQL reports privilege changes without an identity: what, to whom, on what.
        ServerCatalog catalog;
        for (const auto &[type, identity] : privilege_objects(trigger->parsetree, catalog))
            rows.push_back(statement_audit_row(type, identity));
    } else {
        for (const CommandObject &o : ddl_command_objects()) {
            if (o.in_extension || o.schema == "pg_temp" || o.identity.rfind("pg_temp", 0) == 0) continue;
            rows.push_back(statement_audit_row(o.object_type, o.identity));
            named.insert(o.identity);
        }
    }
    // Inheritance children and partitions an ALTER TABLE rewrote through its recursion are not
    // among the commands PostgreSQL lists: each gets its own row.
    for (const std::string &table : current_statement().rewritten) {
        std::string column;
        const QualifiedName q = split_object(table, column);
        const char *identity = nullptr;
        pg_call([&] { identity = quote_qualified_identifier(q.schema.c_str(), q.name.c_str()); });
        if (named.insert(identity).second) rows.push_back(statement_audit_row("table", table));
    }
    note_audit_ids(rows, write_audit_rows(rows));
    end_statement(trigger->parsetree);
    PG_RETURN_VOID();
}

MG_SQL_FUNCTION(migration_guard_on_sql_drop) {
    if (IsBinaryUpgrade) PG_RETURN_VOID();  // pg_upgrade restores a schema that was judged already
    EventTriggerData *trigger = trigger_data(fcinfo);
    if (DryRunCollector *dry = dry_run_collector()) {
        for (const DroppedObject &o : dropped_objects())
            if (o.original || o.normal) dry->dropped.push_back(o.object_type + " " + o.identity);
        PG_RETURN_VOID();
    }
    if (guard_inactive() || is_internal_statement(trigger->parsetree)) PG_RETURN_VOID();
    const std::string tag = GetCommandTagName(trigger->tag);
    if (!resume_statement(trigger->parsetree))
        begin_statement(trigger->parsetree, running_statement_text(trigger->parsetree), tag);
    std::vector<std::pair<std::string, std::string>> dropped;
    for (const DroppedObject &o : dropped_objects()) {
        if (o.is_temporary || o.schema == "migration_guard") continue;
        const bool table_or_column = o.object_type == "table" || o.object_type == "table column";
        dropped.emplace_back(o.object_type, table_or_column ? o.address : o.identity);
    }

    std::vector<Finding> findings;
    for (const auto &[type, object] : dropped) {
        const bool is_table = type == "table";
        if (!is_table && type != "table column") continue;
        const char *rule = is_table ? "drop-table" : "drop-column";
        if (!is_table && column_of_new_table(object)) continue;
        // The recycle bin planned before the statement ran; whatever it never looked at is gone
        // for good, even when the engine foresaw the cascade and it was judged at the start.
        if (lost_without_keeping(object))
            findings.push_back(make_finding(
                "not-kept", object,
                tag + (is_table ? " drops table " : " drops column ") + object +
                    " through a dependency the recycle bin cannot follow: it is not kept, and once it runs nothing "
                    "brings it back but a backup",
                "Take a backup first, then approve with the rule not-kept as well; or drop it by name first "
                "(DROP TABLE, ALTER TABLE ... DROP COLUMN), which keeps it"));
        if (current_statement().judged.count(std::string(rule) + " " + object)) continue;  // judged at start
        findings.push_back(make_finding(
            rule, object,
            tag + (is_table ? " drops table " + object + " and every row in it"
                            : " drops column " + object + " and all its values") +
                " as a dependent object (cascade)",
            "Drop or move what you keep explicitly first, and run the statement without CASCADE so PostgreSQL "
            "names every dependent object"));
    }
    if (!findings.empty()) judge(std::move(findings), tag);

    // Every object the statement took, cascades included, on record.
    std::vector<AuditRow> rows;
    for (const auto &[type, object] : dropped) rows.push_back(statement_audit_row(type, object));
    note_audit_ids(rows, write_audit_rows(rows));
    PG_RETURN_VOID();
}

MG_SQL_FUNCTION(migration_guard_on_table_rewrite) {
    if (IsBinaryUpgrade) PG_RETURN_VOID();  // pg_upgrade restores a schema that was judged already
    EventTriggerData *trigger = trigger_data(fcinfo);
    if (guard_inactive() || is_internal_statement(trigger->parsetree)) PG_RETURN_VOID();
    const std::string tag = GetCommandTagName(trigger->tag);

    Oid relid = InvalidOid;
    int64 bytes = 0;
    bool temporary = false;
    const char *schema = nullptr, *name = nullptr;
    pg_call([&] {
        relid = DatumGetObjectId(DirectFunctionCall1(pg_event_trigger_table_rewrite_oid, PointerGetDatum(nullptr)));
        bytes = DatumGetInt64(DirectFunctionCall1(pg_total_relation_size, ObjectIdGetDatum(relid)));
        schema = get_namespace_name(get_rel_namespace(relid));
        name = get_rel_name(relid);
        temporary = get_rel_persistence(relid) == RELPERSISTENCE_TEMP;
    });
    if (DryRunCollector *dry = dry_run_collector()) {
        if (schema && name) dry->rewritten.push_back(std::string(schema) + "." + name + " (" + format_bytes(bytes) + ")");
        PG_RETURN_VOID();
    }
    if (!resume_statement(trigger->parsetree))
        begin_statement(trigger->parsetree, running_statement_text(trigger->parsetree), tag);
    if (!schema || !name || temporary) PG_RETURN_VOID();
    const std::string object = std::string(schema) + "." + name;
    current_statement().rewritten.push_back(object);
    if (bytes < rewrite_threshold_bytes()) PG_RETURN_VOID();
    if (current_statement().foreseen_rewrites.count(object)) PG_RETURN_VOID();
    ServerCatalog catalog;
    auto facts = catalog.table({schema, name});
    if (facts && (facts->created_in_transaction || facts->temporary)) PG_RETURN_VOID();  // nobody else sees it yet
    const std::string size = facts ? "~" + format_count(facts->rows) + " rows, " + format_bytes(bytes) : format_bytes(bytes);
    std::vector<Finding> findings{make_finding(
        "table-rewrite", object,
        tag + " rewrites " + object + " (" + size + ") under an ACCESS EXCLUSIVE lock: reads and writes wait until "
              "the whole copy is written",
        "Find the part of the statement that forces the rewrite (a type change, a volatile default, SET "
        "UNLOGGED/LOGGED, a new access method) and use the expand/contract path instead")};
    findings.front().rewrites_table = true;
    findings.front().lock = LockMode::AccessExclusive;
    judge(std::move(findings), tag);
    PG_RETURN_VOID();
}
