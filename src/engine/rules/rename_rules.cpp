// rename-table, rename-column, rename-schema, rename-enum-value: renames break every running
// client that still uses the old name, the moment they commit.
#include "engine/rules/rules.hpp"
#include "engine/undo.hpp"

namespace mg {

void check_rename(const RenameStmt *stmt, RuleContext &ctx) {
    const std::string new_name = stmt->newname ? stmt->newname : "";
    switch (stmt->renameType) {
        case OBJECT_TABLE:
        case OBJECT_VIEW:
        case OBJECT_MATVIEW:
        case OBJECT_FOREIGN_TABLE: {
            const QualifiedName t = ctx.qualify(qualified(stmt->relation));
            const char *kind = stmt->renameType == OBJECT_VIEW ? "view" : stmt->renameType == OBJECT_MATVIEW ? "matview" : nullptr;
            if (ctx.is_new(t) || (kind && ctx.state.is_new_object(kind, t))) return;
            ctx.takes_lock(LockMode::AccessExclusive, t);
            Finding &f = ctx.add("rename-table", ctx.at(stmt->relation->location), t.display(),
                                 std::string("Renaming ") + object_type_name(stmt->renameType) + " " + t.display() +
                                     " to " + new_name + " breaks every query that still uses the old name",
                                 "Expand/contract: rename, then CREATE VIEW " + quote_name(t) + " AS SELECT * FROM " +
                                     quote_ident(new_name) + " so old code keeps working; drop the view once every client "
                                     "uses the new name");
            f.lock = LockMode::AccessExclusive;
            return;
        }
        case OBJECT_COLUMN: {
            const QualifiedName t = ctx.qualify(qualified(stmt->relation));
            if (ctx.is_new(t)) {
                if (NewTable *nt = ctx.state.new_table(t)) {
                    auto it = nt->columns.find(stmt->subname ? stmt->subname : "");
                    if (it != nt->columns.end()) {
                        nt->columns[new_name] = it->second;
                        nt->columns.erase(stmt->subname);
                    }
                }
                return;
            }
            const std::string col = stmt->subname ? stmt->subname : "";
            ctx.takes_lock(LockMode::AccessExclusive, t);
            Finding &f = ctx.add("rename-column", ctx.at(stmt->relation->location), t.display() + "." + col,
                                 "Renaming column " + t.display() + "." + col + " to " + new_name +
                                     " breaks every query and ORM model that still uses the old name",
                                 "Expand/contract: add " + new_name + ", write both columns (trigger), backfill, "
                                 "move readers to " + new_name + ", then drop " + col + " in a later release");
            f.lock = LockMode::AccessExclusive;
            return;
        }
        case OBJECT_SCHEMA: {
            const std::string s = stmt->subname ? stmt->subname : "";
            if (ctx.state.is_new_schema(s)) return;
            ctx.add("rename-schema", ctx.statement_location(), s,
                    "Renaming schema " + s + " to " + new_name +
                        " breaks every qualified reference, search_path setting and grant script that names it",
                    "Create the new schema and move objects with ALTER ... SET SCHEMA while old names keep "
                    "working through views, or update every client before renaming");
            return;
        }
        default:
            return;
    }
}

void check_alter_enum(const AlterEnumStmt *stmt, RuleContext &ctx) {
    if (!stmt->oldVal) return;  // ADD VALUE is additive
    const QualifiedName type = qualified(stmt->typeName);
    if (ctx.state.is_new_object("type", type)) return;
    const std::string old_val = stmt->oldVal, new_val = stmt->newVal ? stmt->newVal : "";
    ctx.add("rename-enum-value", ctx.statement_location(), type.display(),
            "Renaming value '" + old_val + "' of enum " + type.display() + " to '" + new_val +
                "' breaks every client, check and query that still uses '" + old_val + "'",
            "Add the new value (ALTER TYPE ... ADD VALUE '" + new_val +
                "'), migrate rows and code to it, and stop using the old one");
}

}  // namespace mg
