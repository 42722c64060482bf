#include "server/audit/recorded_commands.hpp"

#include <algorithm>
#include <cctype>

#include "engine/node_names.hpp"

namespace mg::server {

namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}
std::string upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
    return s;
}

std::string columns_of(const List *cols) {
    std::string out;
    for (const auto &c : name_list(cols)) out += (out.empty() ? "" : ", ") + c;
    return out;
}

// "SELECT (a, b), INSERT" or "ALL PRIVILEGES" (an empty list).
std::string privilege_list(const List *privileges) {
    if (privileges == NIL) return "ALL PRIVILEGES";
    std::string out;
    const ListCell *lc;
    foreach (lc, privileges) {
        const AccessPriv *p = static_cast<const AccessPriv *>(lfirst(lc));
        std::string one = p->priv_name ? upper(p->priv_name) : "ALL PRIVILEGES";
        if (p->cols != NIL) one += " (" + columns_of(p->cols) + ")";
        out += (out.empty() ? "" : ", ") + one;
    }
    return out;
}

// One object of a GRANT, as findings name objects (schema-qualified, no quotes).
std::string object_name(const Node *obj, const CatalogFacts *catalog) {
    if (!obj) return "";
    if (IsA(obj, RangeVar)) {
        const QualifiedName q = qualified(reinterpret_cast<const RangeVar *>(obj));
        return (catalog ? catalog->qualify(q) : q).display();
    }
    if (IsA(obj, ObjectWithArgs)) return dotted(name_list(reinterpret_cast<const ObjectWithArgs *>(obj)->objname));
    if (IsA(obj, List)) return dotted(name_list(reinterpret_cast<const List *>(obj)));
    if (IsA(obj, String)) return str_value(obj);
    if (IsA(obj, Integer)) return std::to_string(intVal(obj));
    return "?";
}

std::vector<RecordedObject> grant_objects(const GrantStmt *g, const CatalogFacts *catalog, const std::string &suffix) {
    const std::string kind = lower(object_type_name(g->objtype));
    const std::string what = privilege_list(g->privileges) + (g->is_grant ? " for " : " from ") + role_list(g->grantees);
    std::vector<RecordedObject> out;
    if (g->targtype == ACL_TARGET_DEFAULTS) {
        out.emplace_back("default privileges", what + " on new " + kind + "s" + suffix);
        return out;
    }
    const ListCell *lc;
    foreach (lc, g->objects) {
        const std::string name = object_name(static_cast<const Node *>(lfirst(lc)), catalog);
        if (g->targtype == ACL_TARGET_ALL_IN_SCHEMA)
            out.emplace_back("schema", what + " on all " + kind + "s in schema " + name);
        else
            out.emplace_back(kind, what + " on " + name);
    }
    return out;
}

// FOR ROLE ... / IN SCHEMA ... of ALTER DEFAULT PRIVILEGES.
std::string default_privileges_scope(const AlterDefaultPrivilegesStmt *s) {
    std::string out;
    const ListCell *lc;
    foreach (lc, s->options) {
        const DefElem *opt = static_cast<const DefElem *>(lfirst(lc));
        if (!opt->defname || !opt->arg) continue;
        const std::string name = opt->defname;
        if (name == "schemas") out += " in schema " + columns_of(reinterpret_cast<const List *>(opt->arg));
        if (name == "roles") out += " created by " + role_list(reinterpret_cast<const List *>(opt->arg));
    }
    return out;
}

// Objects PostgreSQL keeps cluster-wide: event triggers do not fire for commands on them.
bool global_kind(ObjectType t) {
    return t == OBJECT_DATABASE || t == OBJECT_TABLESPACE || t == OBJECT_ROLE || t == OBJECT_EVENT_TRIGGER ||
           t == OBJECT_PARAMETER_ACL;
}

std::vector<RecordedObject> one(const std::string &kind, const std::string &identity) { return {{kind, identity}}; }

std::vector<RecordedObject> each_role(const List *roles) {
    std::vector<RecordedObject> out;
    const ListCell *lc;
    foreach (lc, roles) out.emplace_back("role", role_spec_name(static_cast<const RoleSpec *>(lfirst(lc))));
    return out;
}

}  // namespace

std::vector<RecordedObject> privilege_objects(const Node *stmt, const CatalogFacts &catalog) {
    if (IsA(stmt, GrantStmt)) return grant_objects(reinterpret_cast<const GrantStmt *>(stmt), &catalog, "");
    if (IsA(stmt, AlterDefaultPrivilegesStmt)) {
        const auto *s = reinterpret_cast<const AlterDefaultPrivilegesStmt *>(stmt);
        return grant_objects(s->action, &catalog, default_privileges_scope(s));
    }
    return {};
}

std::vector<RecordedObject> global_objects(const Node *stmt) {
    switch (nodeTag(stmt)) {
        case T_GrantStmt: {
            const auto *g = reinterpret_cast<const GrantStmt *>(stmt);
            return global_kind(g->objtype) ? grant_objects(g, nullptr, "") : std::vector<RecordedObject>{};
        }
        case T_GrantRoleStmt: {
            const auto *g = reinterpret_cast<const GrantRoleStmt *>(stmt);
            std::string granted;
            const ListCell *lc;
            foreach (lc, g->granted_roles) {
                const AccessPriv *p = static_cast<const AccessPriv *>(lfirst(lc));
                granted += (granted.empty() ? "" : ", ") + std::string(p->priv_name ? p->priv_name : "");
            }
            return one("role", "membership in " + granted + (g->is_grant ? " for " : " from ") + role_list(g->grantee_roles));
        }
        case T_CreateRoleStmt: return one("role", reinterpret_cast<const CreateRoleStmt *>(stmt)->role);
        case T_AlterRoleStmt: return one("role", role_spec_name(reinterpret_cast<const AlterRoleStmt *>(stmt)->role));
        case T_AlterRoleSetStmt: {
            const RoleSpec *r = reinterpret_cast<const AlterRoleSetStmt *>(stmt)->role;
            return one("role", r ? role_spec_name(r) : "ALL");
        }
        case T_DropRoleStmt: return each_role(reinterpret_cast<const DropRoleStmt *>(stmt)->roles);
        case T_ReassignOwnedStmt: {
            const auto *s = reinterpret_cast<const ReassignOwnedStmt *>(stmt);
            return one("role", "objects of " + role_list(s->roles) + " to " + role_spec_name(s->newrole));
        }
        case T_CreatedbStmt: return one("database", reinterpret_cast<const CreatedbStmt *>(stmt)->dbname);
        case T_AlterDatabaseStmt: return one("database", reinterpret_cast<const AlterDatabaseStmt *>(stmt)->dbname);
        case T_AlterDatabaseSetStmt: return one("database", reinterpret_cast<const AlterDatabaseSetStmt *>(stmt)->dbname);
        case T_AlterDatabaseRefreshCollStmt:
            return one("database", reinterpret_cast<const AlterDatabaseRefreshCollStmt *>(stmt)->dbname);
        case T_DropdbStmt: return one("database", reinterpret_cast<const DropdbStmt *>(stmt)->dbname);
        case T_CreateTableSpaceStmt:
            return one("tablespace", reinterpret_cast<const CreateTableSpaceStmt *>(stmt)->tablespacename);
        case T_AlterTableSpaceOptionsStmt:
            return one("tablespace", reinterpret_cast<const AlterTableSpaceOptionsStmt *>(stmt)->tablespacename);
        case T_DropTableSpaceStmt:
            return one("tablespace", reinterpret_cast<const DropTableSpaceStmt *>(stmt)->tablespacename);
        case T_CreateEventTrigStmt: return one("event trigger", reinterpret_cast<const CreateEventTrigStmt *>(stmt)->trigname);
        case T_AlterEventTrigStmt: return one("event trigger", reinterpret_cast<const AlterEventTrigStmt *>(stmt)->trigname);
        case T_DropStmt: {
            const auto *d = reinterpret_cast<const DropStmt *>(stmt);
            if (d->removeType != OBJECT_EVENT_TRIGGER) return {};
            std::vector<RecordedObject> out;
            const ListCell *lc;
            foreach (lc, d->objects) out.emplace_back("event trigger", object_name(static_cast<const Node *>(lfirst(lc)), nullptr));
            return out;
        }
        case T_RenameStmt: {
            const auto *r = reinterpret_cast<const RenameStmt *>(stmt);
            if (!global_kind(r->renameType)) return {};
            const std::string old_name = r->subname ? r->subname : object_name(r->object, nullptr);
            return one(lower(object_type_name(r->renameType)), old_name + " renamed to " + (r->newname ? r->newname : ""));
        }
        case T_AlterOwnerStmt: {
            const auto *o = reinterpret_cast<const AlterOwnerStmt *>(stmt);
            if (!global_kind(o->objectType)) return {};
            return one(lower(object_type_name(o->objectType)),
                       object_name(o->object, nullptr) + " owned by " + role_spec_name(o->newowner));
        }
        default:
            return {};
    }
}

}  // namespace mg::server
