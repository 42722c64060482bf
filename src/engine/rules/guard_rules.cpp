// Server-wide and guard-weakening commands: drop-role, drop-tablespace, alter-system,
// weaken-guard. Event triggers never see these; the server judges them in its utility hook
// (when preloaded), the CLI in migration files.
#include <cstring>

#include "engine/rules/rules.hpp"

namespace mg {

namespace {

constexpr const char *kGuardPrefix = "migration_guard";

bool is_guard_name(const char *name) {
    return name && std::strncmp(name, kGuardPrefix, std::strlen(kGuardPrefix)) == 0;
}

// Settings whose change loosens the guard; approval and migration_id are how it is used.
bool is_guard_policy_setting(const char *name) {
    if (!name) return false;
    const std::string n = name;
    return n == "migration_guard.mode" || n == "migration_guard.block_at" ||
           n == "migration_guard.additive_only" || n == "migration_guard.require_distinct_approver" ||
           n == "migration_guard.rewrite_threshold" || n == "migration_guard.locked" ||
           n == "migration_guard.outside_migration";
}

// SET of a policy setting to a value at least as strict as the defaults is not weakening.
bool strengthens(const VariableSetStmt *s) {
    if (s->kind != VAR_SET_VALUE || list_length(s->args) != 1) return false;
    const Node *arg = static_cast<const Node *>(linitial(s->args));
    std::string value;
    if (IsA(arg, A_Const)) {
        const A_Const *c = reinterpret_cast<const A_Const *>(arg);
        if (c->isnull) return false;
        if (IsA(&c->val, String)) value = strVal(&c->val);
        else if (IsA(&c->val, Integer)) value = std::to_string(intVal(&c->val));
        else if (IsA(&c->val, Boolean)) value = boolVal(&c->val) ? "on" : "off";
    }
    const std::string name = s->name;
    if (name == "migration_guard.mode") return value == "enforce";
    if (name == "migration_guard.block_at") return value == "low" || value == "medium" || value == "high";
    if (name == "migration_guard.additive_only" || name == "migration_guard.require_distinct_approver")
        return value == "on" || value == "true" || value == "1" || value == "yes";
    return false;
}

void weaken(RuleContext &ctx, const std::string &object, const std::string &what) {
    ctx.add("weaken-guard", ctx.statement_location(), object,
            what + ": schema changes would no longer be checked as the policy says",
            "Leave the guard on and approve the one change you need (migration_guard.approve); if the "
            "policy itself must change, do it in postgresql.conf with migration_guard.locked and a reload");
}

}  // namespace

void check_guard_weakening(const Node *stmt, RuleContext &ctx) {
    switch (nodeTag(stmt)) {
        case T_AlterEventTrigStmt: {
            const AlterEventTrigStmt *s = reinterpret_cast<const AlterEventTrigStmt *>(stmt);
            if (is_guard_name(s->trigname))
                weaken(ctx, s->trigname, std::string("ALTER EVENT TRIGGER ") + s->trigname + " changes when the guard fires");
            break;
        }
        case T_VariableSetStmt: {
            const VariableSetStmt *s = reinterpret_cast<const VariableSetStmt *>(stmt);
            if (s->kind == VAR_RESET_ALL || !is_guard_policy_setting(s->name) || strengthens(s)) break;
            weaken(ctx, s->name, std::string(s->kind == VAR_RESET ? "RESET " : "SET ") + s->name +
                                     " changes the guard's policy for this session");
            break;
        }
        case T_AlterSystemStmt: {
            const VariableSetStmt *s = reinterpret_cast<const AlterSystemStmt *>(stmt)->setstmt;
            if (s && is_guard_name(s->name)) {
                weaken(ctx, s->name, std::string("ALTER SYSTEM on ") + s->name + " changes the guard for the whole server");
            } else {
                const std::string name = s && s->name ? s->name : "ALL";
                ctx.add("alter-system", ctx.statement_location(), name,
                        "ALTER SYSTEM changes " + name + " for the whole server from the next reload or restart",
                        "Change server configuration through your configuration management and review; "
                        "approve this statement if it is intended");
            }
            break;
        }
        default:
            break;
    }
}

void check_drop_role(const DropRoleStmt *stmt, RuleContext &ctx) {
    const ListCell *lc;
    foreach (lc, stmt->roles) {
        const RoleSpec *r = static_cast<const RoleSpec *>(lfirst(lc));
        const std::string name = r->rolename ? r->rolename : "CURRENT_USER";
        ctx.add("drop-role", ctx.at(r->location), name,
                "DROP ROLE " + name + " removes the role: every application and person logging in as it is locked "
                "out, and its grants are gone",
                "REASSIGN OWNED BY " + name + " TO <owner>; DROP OWNED BY " + name +
                    " in each database; prefer ALTER ROLE " + name + " NOLOGIN first and drop it later");
    }
}

void check_drop_tablespace(const DropTableSpaceStmt *stmt, RuleContext &ctx) {
    const std::string name = stmt->tablespacename ? stmt->tablespacename : "";
    ctx.add("drop-tablespace", ctx.statement_location(), name,
            "DROP TABLESPACE " + name + " removes a storage location of the cluster",
            "Move tables and indexes elsewhere first (ALTER TABLE ... SET TABLESPACE), then drop it");
}

void check_guard_drop(const DropStmt *stmt, RuleContext &ctx) {
    if (stmt->removeType != OBJECT_EVENT_TRIGGER && stmt->removeType != OBJECT_EXTENSION) return;
    const ListCell *lc;
    foreach (lc, stmt->objects) {
        const std::string name = str_value(static_cast<const Node *>(lfirst(lc)));
        if (!is_guard_name(name.c_str())) continue;
        weaken(ctx, name,
               std::string("DROP ") + object_type_name(stmt->removeType) + " " + name +
                   (stmt->removeType == OBJECT_EXTENSION ? " removes the guard, its approvals and its audit log"
                                                         : " switches part of the guard off"));
    }
}

}  // namespace mg
