#include "server/enforcement/utility_hook.hpp"

#include <algorithm>
#include <cstring>

#include "engine/guard_names.hpp"
#include "server/audit/audit.hpp"
#include "server/audit/dump_without_history.hpp"
#include "server/data_changes/data_changes.hpp"
#include "server/boundary.hpp"
#include "server/enforcement/decision.hpp"
#include "server/enforcement/lock_wait.hpp"
#include "server/dry_run/dry_run.hpp"
#include "server/extension_cache.hpp"
#include "server/audit/recorded_commands.hpp"
#include "server/settings.hpp"
#include "server/audit/undo_sql.hpp"
#include "server/recycle_bin/recycle_bin.hpp"
#include "server/sqlstate.hpp"
#include "server/enforcement/statement_findings.hpp"
#include "server/enforcement/statement_text.hpp"

extern "C" {
#include "commands/extension.h"
}

namespace mg::server {

namespace {

ProcessUtility_hook_type previous_hook = nullptr;

// ALTER SYSTEM is the one SQL path to the configuration file: with the settings locked, it may
// not touch them at all, approval or not.
void refuse_locked_alter_system(const Node *stmt) {
    if (!locked() || !IsA(stmt, AlterSystemStmt)) return;
    const VariableSetStmt *set = reinterpret_cast<const AlterSystemStmt *>(stmt)->setstmt;
    if (!set || !is_guard_setting(set->name)) return;
    throw UserError(MG_ERRCODE_SETTING_LOCKED, "migration_guard settings are locked by the server configuration",
                    std::string("ALTER SYSTEM SET ") + set->name + " is refused while migration_guard.locked is on.",
                    "Edit postgresql.conf and reload.");
}

// The SET inside SET/RESET, ALTER ROLE ... SET and ALTER DATABASE ... SET; null for anything else.
const VariableSetStmt *variable_set_of(const Node *stmt) {
    if (IsA(stmt, VariableSetStmt)) return reinterpret_cast<const VariableSetStmt *>(stmt);
    if (IsA(stmt, AlterRoleSetStmt)) return reinterpret_cast<const AlterRoleSetStmt *>(stmt)->setstmt;
    if (IsA(stmt, AlterDatabaseSetStmt)) return reinterpret_cast<const AlterDatabaseSetStmt *>(stmt)->setstmt;
    return nullptr;
}

// Per-role and per-database settings of the guard are changes of its policy: on record.
bool sets_guard_setting_elsewhere(const Node *stmt) {
    if (IsA(stmt, VariableSetStmt)) return false;
    const VariableSetStmt *set = variable_set_of(stmt);
    return set && is_guard_setting(set->name);
}

// Session settings that are not policy: an approval token and a migration id are spent or
// tracked elsewhere, not recorded as setting changes.
bool is_policy_setting(const char *name) {
    return is_guard_setting(name) && std::strcmp(name, "migration_guard.approval") != 0 &&
           std::strcmp(name, "migration_guard.migration_id") != 0;
}

// Only what event triggers cannot see: everything else is judged at ddl_command_start, once.
bool hook_judges(const Node *stmt) {
    switch (nodeTag(stmt)) {
        case T_TruncateStmt:
        case T_DropdbStmt:
        case T_AlterSystemStmt:
        case T_DropRoleStmt:
        case T_DropTableSpaceStmt:
        case T_AlterEventTrigStmt:
        case T_VacuumStmt:
        case T_ClusterStmt:
            return true;
        case T_ReindexStmt:
            return !mg::pg::kEventTriggersSeeReindex;
        case T_DropStmt:
            return reinterpret_cast<const DropStmt *>(stmt)->removeType == OBJECT_EVENT_TRIGGER;
        case T_RenameStmt:
            return reinterpret_cast<const RenameStmt *>(stmt)->renameType == OBJECT_EVENT_TRIGGER;
        case T_AlterOwnerStmt:
            return reinterpret_cast<const AlterOwnerStmt *>(stmt)->objectType == OBJECT_EVENT_TRIGGER;
        case T_AlterRoleSetStmt:
        case T_AlterDatabaseSetStmt:
            return !locked() && sets_guard_setting_elsewhere(stmt);
        case T_VariableSetStmt:
            // When locked, the settings' check hooks refuse the change themselves (MG003).
            return !locked() && is_guard_setting(variable_set_of(stmt)->name);
        default:
            return false;
    }
}

bool guard_here() { return extension_place().installed; }

const char *tag_of(Node *stmt) {
    const char *tag = nullptr;
    pg_call([&] { tag = GetCommandTagName(CreateCommandTag(stmt)); });
    return tag;
}

void judge_utility(Node *stmt) {
    refuse_locked_alter_system(stmt);
    if (mode() == Mode::Off || creating_extension || dry_run_collector() || !guard_here()) return;
    const char *tag = tag_of(stmt);
    begin_statement(stmt, running_statement_text(stmt), tag);
    std::vector<std::string> emptied;
    ServerCatalog catalog;
    std::vector<Finding> findings = findings_for_statement(stmt, &emptied, &catalog);
    if (IsA(stmt, TruncateStmt)) current_statement().undo = undo_before(stmt, catalog);
    plan_keeping(stmt, findings, &emptied);
    current_statement().emptied = std::move(emptied);
    judge(std::move(findings), tag);
    keep_before_running(stmt);
}

void audit_utility(Node *stmt, bool judged) {
    if (mode() == Mode::Off || creating_extension || dry_run_collector() || !guard_here()) return;
    const VariableSetStmt *set = variable_set_of(stmt);
    const bool setting = sets_guard_setting_elsewhere(stmt) || (IsA(stmt, VariableSetStmt) && is_policy_setting(set->name));
    const std::vector<RecordedObject> recorded = global_objects(stmt);
    const bool begun = judged && resume_statement(stmt);
    if (!setting && recorded.empty() &&
        !(begun && (!current_statement().findings.empty() || !current_statement().emptied.empty()))) {
        if (begun) end_statement(stmt);
        return;
    }
    if (!begun) begin_statement(stmt, running_statement_text(stmt), tag_of(stmt));
    if (setting) {
        write_audit_rows({statement_audit_row("setting", set->name ? set->name : "")});
        end_statement(stmt);
        return;
    }
    // One row per object the statement changed (TRUNCATE a, b: two rows), and per relation it
    // emptied by recursion or cascade, new ones included.
    std::vector<AuditRow> rows;
    std::vector<std::string> seen;
    for (const std::string &table : current_statement().emptied) {
        if (std::find(seen.begin(), seen.end(), table) != seen.end()) continue;
        seen.push_back(table);
        rows.push_back(statement_audit_row("table", table));
    }
    for (const Finding &f : current_statement().findings) {
        if (std::find(seen.begin(), seen.end(), f.object) != seen.end()) continue;
        seen.push_back(f.object);
        rows.push_back(statement_audit_row(object_kind(f), f.object));
    }
    // Roles, databases, tablespaces, event triggers: on record whether or not a rule judged them.
    for (const auto &[type, identity] : recorded) {
        if (std::find(seen.begin(), seen.end(), identity) != seen.end()) continue;
        seen.push_back(identity);
        rows.push_back(statement_audit_row(type, identity));
    }
    note_audit_ids(rows, write_audit_rows(rows));
    end_statement(stmt);
}

// In PG_CATCH: a lock failure is re-raised naming who was in the way; the statement is popped
// whatever happens.
void explain_lock_failure(const LockWaitPlan &plan, Node *stmt, bool applied) {
    PG_TRY();
    {
        raise_lock_failure_if_any(plan, stmt, applied);
    }
    PG_CATCH();
    {
        pop_statement();
        PG_RE_THROW();
    }
    PG_END_TRY();
    pop_statement();
}

// Statements that are never schema changes, never fire an event trigger and never touch the
// guard's settings: ordinary traffic passes straight through (a few instructions).
bool passes_through(const Node *stmt) {
    switch (nodeTag(stmt)) {
        case T_TransactionStmt:
        case T_VariableShowStmt:
        case T_DiscardStmt:
        case T_ListenStmt:
        case T_NotifyStmt:
        case T_UnlistenStmt:
        case T_PrepareStmt:
        case T_ExecuteStmt:
        case T_DeallocateStmt:
        case T_DeclareCursorStmt:
        case T_FetchStmt:
        case T_ClosePortalStmt:
        case T_ConstraintsSetStmt:
        case T_CheckPointStmt:
            return true;
        case T_VariableSetStmt: {
            // RESET ALL has no name: it resets the guard's settings too, on the ordinary path.
            const char *name = reinterpret_cast<const VariableSetStmt *>(stmt)->name;
            return name && !is_guard_setting(name);
        }
        default:
            return false;
    }
}

void process_utility(PlannedStmt *pstmt, const char *query_string, bool read_only_tree,
                     ProcessUtilityContext context, ParamListInfo params, QueryEnvironment *query_env,
                     DestReceiver *dest, QueryCompletion *qc) {
    Node *stmt = pstmt->utilityStmt;
    // pg_upgrade's restore of a schema that was judged where it was made (only the postmaster's
    // -b sets this; no session can).
    if (IsA(stmt, CopyStmt) && !IsBinaryUpgrade) {
        if (Node *nothing = copy_without_history(stmt)) {
            PlannedStmt *instead = static_cast<PlannedStmt *>(copyObject(pstmt));
            instead->utilityStmt = nothing;
            if (previous_hook)
                previous_hook(instead, query_string, false, context, params, query_env, dest, qc);
            else
                standard_ProcessUtility(instead, query_string, false, context, params, query_env, dest, qc);
            return;
        }
    }
    if (IsBinaryUpgrade || passes_through(stmt)) {
        if (previous_hook)
            previous_hook(pstmt, query_string, read_only_tree, context, params, query_env, dest, qc);
        else
            standard_ProcessUtility(pstmt, query_string, read_only_tree, context, params, query_env, dest, qc);
        return;
    }
    const bool judged = hook_judges(stmt);
    // Locked: a guard setting is refused, yet still recorded. Commands on cluster-wide objects
    // are recorded here: no event trigger sees them.
    const bool audited = judged || sets_guard_setting_elsewhere(stmt) || !global_objects(stmt).empty();
    // Which tables the statement will lock, resolved before it runs (no lock taken): a lock
    // failure is explained from it, and a strong one gets a bounded wait.
    LockWaitPlan plan;
    if (takes_table_locks(stmt) && mode() != Mode::Off && !creating_extension && !dry_run_collector() && guard_here())
        plan = enter_cpp("utility hook", [stmt] { return plan_lock_wait(stmt); });
    const bool bound_wait = mode() == Mode::Enforce || mode() == Mode::Warn;
    volatile int guc_level = -1;
    push_statement(query_string, pstmt->stmt_location, pstmt->stmt_len);
    PG_TRY();
    {
        if (judged) enter_cpp("utility hook", [stmt] { judge_utility(stmt); });
        if (bound_wait) guc_level = apply_lock_timeout(plan);
        if (previous_hook)
            previous_hook(pstmt, query_string, read_only_tree, context, params, query_env, dest, qc);
        else
            standard_ProcessUtility(pstmt, query_string, read_only_tree, context, params, query_env, dest, qc);
        restore_lock_timeout(guc_level);
        guc_level = -1;
        if (audited) enter_cpp("utility hook", [stmt, judged] { audit_utility(stmt, judged); });
    }
    PG_CATCH();
    {
        // The (sub)transaction abort that follows pops the lock_timeout set above.
        explain_lock_failure(plan, stmt, guc_level >= 0);
        PG_RE_THROW();
    }
    PG_END_TRY();
    pop_statement();
}

// Every utility statement, for data changes too: a DO block, CALL, EXECUTE or COPY that deletes
// or overwrites rows is judged once it has run, as the outermost statement.
void guard_process_utility(PlannedStmt *pstmt, const char *query_string, bool read_only_tree,
                           ProcessUtilityContext context, ParamListInfo params, QueryEnvironment *query_env,
                           DestReceiver *dest, QueryCompletion *qc) {
    // An error restores the nesting through the (sub)transaction's abort (data_changes.cpp).
    const int depth = data_change_depth_enter();
    process_utility(pstmt, query_string, read_only_tree, context, params, query_env, dest, qc);
    data_change_depth_leave(depth);
    if (depth == 0 && !IsBinaryUpgrade) {
        const int start = pstmt->stmt_location > 0 ? pstmt->stmt_location : 0;
        judge_data_changes(pstmt->utilityStmt, query_string + start, pstmt->stmt_len);
    }
}

}  // namespace

void install_utility_hook() {
    previous_hook = ProcessUtility_hook;
    ProcessUtility_hook = guard_process_utility;
}

}  // namespace mg::server
