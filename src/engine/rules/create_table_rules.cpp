// CREATE TABLE: records the new table (so later statements treat it as new), gives column type
// advice, and remembers its foreign keys and RLS for the end-of-text checks.
#include <algorithm>

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

    // Table-level PRIMARY KEY (a, b): a and b are keys (and NOT NULL).
    std::vector<std::string> pk_columns;
    const ListCell *lc;
    foreach (lc, stmt->tableElts) {
        const Node *elt = static_cast<const Node *>(lfirst(lc));
        if (IsA(elt, Constraint) && reinterpret_cast<const Constraint *>(elt)->contype == CONSTR_PRIMARY)
            for (const auto &col : name_list(reinterpret_cast<const Constraint *>(elt)->keys))
                pk_columns.push_back(col);
    }

    foreach (lc, stmt->tableElts) {
        const Node *elt = static_cast<const Node *>(lfirst(lc));
        if (IsA(elt, ColumnDef)) {
            const ColumnDef *def = reinterpret_cast<const ColumnDef *>(elt);
            const std::string col = def->colname ? def->colname : "";
            NewColumn column;
            column.type = declared_type(def->typeName);
            bool primary_key = std::find(pk_columns.begin(), pk_columns.end(), col) != pk_columns.end();
            column.not_null = primary_key;
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
            check_column_type_choice(def, def->colname ? def->colname : "", table, primary_key, ctx);
        } else if (IsA(elt, Constraint)) {
            check_add_constraint(reinterpret_cast<const Constraint *>(elt), table, {}, ctx);
        }
    }
}

}  // namespace mg
