// Server-wide and guard-weakening commands: drop-role, drop-tablespace, alter-system,
// weaken-guard. Event triggers never see these; the server judges them in its utility hook
// (when preloaded), the CLI in migration files.
#include <cstring>

#include "engine/guard_names.hpp"
#include "engine/rules/rules.hpp"

namespace mg {

bool is_guard_setting(const char *name) { return name && std::strncmp(name, "migration_guard.", 16) == 0; }

namespace {

// The guard's own objects, by exact name: another object that merely starts with the same
// words is not the guard.
bool is_guard_trigger(const char *name) {
    if (!name) return false;
    const std::string n = name;
    return n == "migration_guard_ddl_start" || n == "migration_guard_ddl_end" || n == "migration_guard_sql_drop" ||
           n == "migration_guard_table_rewrite";
}
bool is_guard_extension(const std::string &name) { return name == "migration_guard"; }

// Settings whose change loosens the guard; approval and migration_id are how it is used.
bool is_guard_policy_setting(const char *name) {
    if (!name) return false;
    const std::string n = name;
    return n == "migration_guard.mode" || n == "migration_guard.block_at" ||
           n == "migration_guard.additive_only" || n == "migration_guard.require_distinct_approver" ||
           n == "migration_guard.rewrite_threshold" || n == "migration_guard.locked" ||
           n == "migration_guard.outside_migration" || n == "migration_guard.rls_schemas" ||
           n == "migration_guard.medium_table_rows" || n == "migration_guard.high_table_rows" ||
           n == "migration_guard.data_checks" || n == "migration_guard.check_rows" ||
           n == "migration_guard.check_timeout" || n == "migration_guard.keep" ||
           n == "migration_guard.keep_for" || n == "migration_guard.keep_max_size";
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
    if (name == "migration_guard.outside_migration") return value == "warn" || value == "block";
    if (name == "migration_guard.keep") return value == "on" || value == "true" || value == "1" || value == "yes";
    if (name == "migration_guard.data_checks") return value == "on" || value == "true" || value == "1" || value == "yes";
    return false;
}

// `object_type`: "setting" for one of the guard's settings, "guard" for its triggers, tables
// and the extension itself.
void weaken(RuleContext &ctx, const std::string &object, const std::string &what, const char *object_type = "guard") {
    Finding &f = ctx.add("weaken-guard", ctx.statement_location(), object,
                         what + ": schema changes would no longer be checked as the policy says",
                         "Leave the guard on and approve the one change you need (migration_guard.approve); if the "
                         "policy itself must change, do it in postgresql.conf with migration_guard.locked and a reload");
    f.object_type = object_type;
}

}  // namespace

void check_guard_weakening(const Node *stmt, RuleContext &ctx) {
    switch (nodeTag(stmt)) {
        case T_AlterEventTrigStmt: {
            const AlterEventTrigStmt *s = reinterpret_cast<const AlterEventTrigStmt *>(stmt);
            if (is_guard_trigger(s->trigname))
                weaken(ctx, s->trigname, std::string("ALTER EVENT TRIGGER ") + s->trigname + " changes when the guard fires");
            break;
        }
        case T_VariableSetStmt: {
            const VariableSetStmt *s = reinterpret_cast<const VariableSetStmt *>(stmt);
            if (s->kind == VAR_RESET_ALL || !is_guard_policy_setting(s->name) || strengthens(s)) break;
            weaken(ctx, s->name,
                   std::string(s->kind == VAR_RESET ? "RESET " : "SET ") + s->name +
                       " changes the guard's policy for this session",
                   "setting");
            break;
        }
        case T_AlterRoleSetStmt:
        case T_AlterDatabaseSetStmt: {
            const VariableSetStmt *set = IsA(stmt, AlterRoleSetStmt)
                                             ? reinterpret_cast<const AlterRoleSetStmt *>(stmt)->setstmt
                                             : reinterpret_cast<const AlterDatabaseSetStmt *>(stmt)->setstmt;
            if (!set || set->kind == VAR_RESET_ALL || !is_guard_policy_setting(set->name) || strengthens(set)) break;
            weaken(ctx, set->name,
                   std::string(IsA(stmt, AlterRoleSetStmt) ? "ALTER ROLE ... SET " : "ALTER DATABASE ... SET ") +
                       set->name + " changes the guard's policy for every later session of that " +
                       (IsA(stmt, AlterRoleSetStmt) ? "role" : "database"),
                   "setting");
            break;
        }
        case T_RenameStmt: {
            const RenameStmt *s = reinterpret_cast<const RenameStmt *>(stmt);
            if (s->renameType == OBJECT_EVENT_TRIGGER && is_guard_trigger(str_value(s->object).c_str()))
                weaken(ctx, str_value(s->object),
                       "Renaming event trigger " + str_value(s->object) + " hides it from the guard's own checks");
            break;
        }
        case T_AlterOwnerStmt: {
            const AlterOwnerStmt *s = reinterpret_cast<const AlterOwnerStmt *>(stmt);
            if (s->objectType == OBJECT_EVENT_TRIGGER && is_guard_trigger(str_value(s->object).c_str()))
                weaken(ctx, str_value(s->object),
                       "Changing the owner of event trigger " + str_value(s->object) + " hands control of it to another role");
            break;
        }
        case T_AlterSystemStmt: {
            const VariableSetStmt *s = reinterpret_cast<const AlterSystemStmt *>(stmt)->setstmt;
            if (s && is_guard_setting(s->name)) {
                weaken(ctx, s->name, std::string("ALTER SYSTEM on ") + s->name + " changes the guard for the whole server",
                       "setting");
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

// The guard's own tables (audit log, approvals) and functions: changing them by DDL loosens the
// guard (e.g. dropping the audit log's append-only trigger). Extension scripts are not judged.
void check_guard_objects(const Node *stmt, RuleContext &ctx) {
    std::vector<QualifiedName> targets;
    switch (nodeTag(stmt)) {
        case T_AlterTableStmt: targets.push_back(qualified(reinterpret_cast<const AlterTableStmt *>(stmt)->relation)); break;
        case T_RenameStmt:
            if (reinterpret_cast<const RenameStmt *>(stmt)->relation)
                targets.push_back(qualified(reinterpret_cast<const RenameStmt *>(stmt)->relation));
            break;
        case T_CreateTrigStmt: targets.push_back(qualified(reinterpret_cast<const CreateTrigStmt *>(stmt)->relation)); break;
        case T_IndexStmt: targets.push_back(qualified(reinterpret_cast<const IndexStmt *>(stmt)->relation)); break;
        case T_TruncateStmt: {
            const ListCell *lc;
            foreach (lc, reinterpret_cast<const TruncateStmt *>(stmt)->relations)
                targets.push_back(qualified(static_cast<const RangeVar *>(lfirst(lc))));
            break;
        }
        case T_DropStmt: {
            const DropStmt *d = reinterpret_cast<const DropStmt *>(stmt);
            const ListCell *lc;
            foreach (lc, d->objects) {
                const Node *obj = static_cast<const Node *>(lfirst(lc));
                if (d->removeType == OBJECT_SCHEMA) targets.push_back({str_value(obj), ""});
                else if (IsA(obj, List)) {
                    auto parts = name_list(reinterpret_cast<const List *>(obj));
                    // DROP TRIGGER name ON schema.table: the table is what matters.
                    if (d->removeType == OBJECT_TRIGGER || d->removeType == OBJECT_POLICY || d->removeType == OBJECT_RULE)
                        parts.pop_back();
                    if (parts.size() >= 2) targets.push_back({parts[parts.size() - 2], parts.back()});
                }
            }
            break;
        }
        default: break;
    }
    for (const auto &t : targets) {
        const QualifiedName q = ctx.qualify(t);
        if (q.schema != "migration_guard" && q.schema != "migration_guard_kept") continue;
        weaken(ctx, q.display(), command_tag(stmt) + " on " + q.display() + " changes the guard's own records");
        return;
    }
}

void check_drop_role(const DropRoleStmt *stmt, RuleContext &ctx) {
    const ListCell *lc;
    foreach (lc, stmt->roles) {
        const RoleSpec *r = static_cast<const RoleSpec *>(lfirst(lc));
        const std::string name = role_spec_name(r);
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
        const bool guard = stmt->removeType == OBJECT_EXTENSION ? is_guard_extension(name) : is_guard_trigger(name.c_str());
        if (!guard) continue;
        weaken(ctx, name,
               std::string("DROP ") + object_type_name(stmt->removeType) + " " + name +
                   (stmt->removeType == OBJECT_EXTENSION ? " removes the guard, its approvals and its audit log"
                                                         : " switches part of the guard off"));
    }
}

}  // namespace mg
