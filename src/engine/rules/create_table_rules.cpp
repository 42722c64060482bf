// CREATE TABLE: records the new table (so later statements treat it as new), gives column type
// advice, and remembers its foreign keys and RLS for the end-of-text checks.
#include "engine/rules/rules.hpp"

namespace mg {

void check_create_table(const CreateStmt *stmt, RuleContext &ctx) {
    if (!stmt->relation) return;
    const QualifiedName table = qualified(stmt->relation);
    if (stmt->if_not_exists && ctx.catalog.table(ctx.state.resolved(table))) return;  // a no-op here

    NewTable &nt = ctx.state.add_table(table);
    nt.temporary = stmt->relation->relpersistence == 't' /* RELPERSISTENCE_TEMP */;
    nt.statement = ctx.statement();
    nt.location = ctx.at(stmt->relation->location);

    const ListCell *lc;
    foreach (lc, stmt->tableElts) {
        const Node *elt = static_cast<const Node *>(lfirst(lc));
        if (IsA(elt, ColumnDef)) {
            const ColumnDef *def = reinterpret_cast<const ColumnDef *>(elt);
            const std::string col = def->colname ? def->colname : "";
            NewColumn column;
            column.type = declared_type(def->typeName);
            bool primary_key = false;
            const ListCell *cc;
            foreach (cc, def->constraints) {
                const Constraint *c = static_cast<const Constraint *>(lfirst(cc));
                if (c->contype == CONSTR_NOTNULL || c->contype == CONSTR_PRIMARY ||
                    c->contype == CONSTR_IDENTITY)
                    column.not_null = true;
                if (c->contype == CONSTR_PRIMARY) primary_key = true;
                check_add_constraint(c, table, {col}, ctx);
            }
            ctx.state.new_table(table)->columns[col] = column;
            check_column_type_choice(def, table, primary_key, ctx);
        } else if (IsA(elt, Constraint)) {
            check_add_constraint(reinterpret_cast<const Constraint *>(elt), table, {}, ctx);
        }
    }
    // Table-level PRIMARY KEY (a, b) makes a and b NOT NULL.
    foreach (lc, stmt->tableElts) {
        const Node *elt = static_cast<const Node *>(lfirst(lc));
        if (!IsA(elt, Constraint)) continue;
        const Constraint *c = reinterpret_cast<const Constraint *>(elt);
        if (c->contype != CONSTR_PRIMARY) continue;
        for (const auto &col : name_list(c->keys))
            ctx.state.new_table(table)->columns[col].not_null = true;
    }
}

}  // namespace mg
