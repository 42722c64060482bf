#include "server/utility_hook.hpp"

#include <cstring>

#include "server/boundary.hpp"
#include "server/decision.hpp"
#include "server/settings.hpp"
#include "server/sqlstate.hpp"
#include "server/statement_findings.hpp"

extern "C" {
#include "commands/extension.h"
}

namespace mg::server {

namespace {

ProcessUtility_hook_type previous_hook = nullptr;

bool is_guard_setting(const char *name) { return name && std::strncmp(name, "migration_guard.", 16) == 0; }

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
        case T_ReindexStmt:
            return true;
        case T_DropStmt:
            return reinterpret_cast<const DropStmt *>(stmt)->removeType == OBJECT_EVENT_TRIGGER;
        case T_VariableSetStmt:
            // When locked, the settings' check hooks refuse the change themselves (MG003).
            return !locked() && is_guard_setting(reinterpret_cast<const VariableSetStmt *>(stmt)->name);
        default:
            return false;
    }
}

void judge_utility(Node *stmt) {
    refuse_locked_alter_system(stmt);
    if (mode() == Mode::Off || creating_extension) return;
    bool installed = false;
    pg_call([&] { installed = IsTransactionState() && OidIsValid(get_extension_oid("migration_guard", true)); });
    if (!installed) return;
    begin_statement();
    const char *tag = nullptr;
    pg_call([&] { tag = GetCommandTagName(CreateCommandTag(stmt)); });
    judge(findings_for_statement(stmt), tag);
}

void guard_process_utility(PlannedStmt *pstmt, const char *query_string, bool read_only_tree,
                           ProcessUtilityContext context, ParamListInfo params, QueryEnvironment *query_env,
                           DestReceiver *dest, QueryCompletion *qc) {
    Node *stmt = pstmt->utilityStmt;
    if (hook_judges(stmt)) enter_cpp("utility hook", [stmt] { judge_utility(stmt); });
    if (previous_hook)
        previous_hook(pstmt, query_string, read_only_tree, context, params, query_env, dest, qc);
    else
        standard_ProcessUtility(pstmt, query_string, read_only_tree, context, params, query_env, dest, qc);
}

}  // namespace

void install_utility_hook() {
    previous_hook = ProcessUtility_hook;
    ProcessUtility_hook = guard_process_utility;
}

}  // namespace mg::server
