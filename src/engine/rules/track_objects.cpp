// After a statement has been judged: remember what it created, renamed or dropped, and the
// session state it changed (transaction blocks, lock_timeout), for the statements that follow.
#include "engine/rules/rules.hpp"

namespace mg {

namespace {

bool sets_nonzero(const VariableSetStmt *stmt) {
    if (stmt->kind != VAR_SET_VALUE || list_length(stmt->args) != 1) return false;
    const Node *arg = static_cast<const Node *>(linitial(stmt->args));
    if (!IsA(arg, A_Const)) return true;
    const A_Const *c = reinterpret_cast<const A_Const *>(arg);
    if (c->isnull) return false;
    if (IsA(&c->val, Integer)) return intVal(&c->val) != 0;
    if (IsA(&c->val, String)) {
        const std::string v = strVal(&c->val);
        return !(v.empty() || v == "0" || v == "0s" || v == "0ms");
    }
    return true;
}

void track_transaction(const TransactionStmt *stmt, MigrationState &state, const StatementReport &report) {
    switch (stmt->kind) {
        case TRANS_STMT_BEGIN:
        case TRANS_STMT_START:
            if (!state.in_transaction) {
                state.transaction_begin = report.location;
                state.transaction_begin_statement = report.number;
            }
            state.in_transaction = true;
            ++state.transaction_number;
            state.lock_timeout_reported = state.statement_timeout_reported = false;
            state.access_exclusive_table.clear();
            state.under_lock_reported = false;
            state.index_build_tables.clear();
            state.new_enum_values.clear();
            break;
        case TRANS_STMT_COMMIT:
        case TRANS_STMT_ROLLBACK:
        case TRANS_STMT_PREPARE:
            state.in_transaction = false;
            ++state.transaction_number;
            state.lock_timeout_reported = state.statement_timeout_reported = false;
            state.access_exclusive_table.clear();
            state.under_lock_reported = false;
            state.index_build_tables.clear();
            state.new_enum_values.clear();
            state.not_valid_in_transaction.clear();
            if (state.lock_timeout_local) state.lock_timeout_set = state.lock_timeout_local = false;
            break;
        default: break;
    }
}

void track_foreign_key(const Constraint *c, const QualifiedName &table, MigrationState &state) {
    if (c && IsA(c, Constraint) && c->contype == CONSTR_FOREIGN && c->pktable) state.add_reference(table, qualified(c->pktable));
}

// Who inherits from whom, and who references whom, as the text sets it up.
void track_create_table(const CreateStmt *stmt, MigrationState &state) {
    if (!stmt->relation) return;
    const QualifiedName table = qualified(stmt->relation);
    const ListCell *lc;
    foreach (lc, stmt->inhRelations) state.add_parent(table, qualified(static_cast<const RangeVar *>(lfirst(lc))));
    foreach (lc, stmt->tableElts) {
        const Node *elt = static_cast<const Node *>(lfirst(lc));
        if (IsA(elt, Constraint)) track_foreign_key(reinterpret_cast<const Constraint *>(elt), table, state);
        if (!IsA(elt, ColumnDef)) continue;
        const ListCell *cc;
        foreach (cc, reinterpret_cast<const ColumnDef *>(elt)->constraints)
            track_foreign_key(static_cast<const Constraint *>(lfirst(cc)), table, state);
    }
}

void track_alter_table(const AlterTableStmt *stmt, MigrationState &state) {
    if (!stmt->relation) return;
    const QualifiedName table = qualified(stmt->relation);
    const ListCell *lc;
    foreach (lc, stmt->cmds) {
        const AlterTableCmd *cmd = static_cast<const AlterTableCmd *>(lfirst(lc));
        if (!IsA(cmd, AlterTableCmd) || !cmd->def) continue;
        switch (cmd->subtype) {
            case AT_AddInherit:
                if (IsA(cmd->def, RangeVar)) state.add_parent(table, qualified(reinterpret_cast<const RangeVar *>(cmd->def)));
                break;
            case AT_DropInherit:
                if (IsA(cmd->def, RangeVar)) state.remove_parent(table, qualified(reinterpret_cast<const RangeVar *>(cmd->def)));
                break;
            case AT_AttachPartition:
            case AT_DetachPartition: {
                const PartitionCmd *p = reinterpret_cast<const PartitionCmd *>(cmd->def);
                if (!IsA(p, PartitionCmd) || !p->name) break;
                if (cmd->subtype == AT_AttachPartition) state.add_parent(qualified(p->name), table);
                else state.remove_parent(qualified(p->name), table);
                break;
            }
            case AT_AddConstraint:
                track_foreign_key(reinterpret_cast<const Constraint *>(cmd->def), table, state);
                break;
            case AT_AlterColumnType:
                if (IsA(cmd->def, ColumnDef) && cmd->name)
                    state.changed_types[state.key(table) + "/" + cmd->name] =
                        declared_type(reinterpret_cast<const ColumnDef *>(cmd->def)->typeName);
                break;
            case AT_AddColumn:
                if (IsA(cmd->def, ColumnDef)) {
                    const ColumnDef *def = reinterpret_cast<const ColumnDef *>(cmd->def);
                    if (def->colname) {
                        state.added_columns.insert(state.key(table) + "/" + def->colname);
                        state.changed_types[state.key(table) + "/" + def->colname] = declared_type(def->typeName);
                    }
                    const ListCell *cc;
                    foreach (cc, reinterpret_cast<const ColumnDef *>(cmd->def)->constraints)
                        track_foreign_key(static_cast<const Constraint *>(lfirst(cc)), table, state);
                }
                break;
            default: break;
        }
    }
}

}  // namespace

Volatility declared_volatility(const CreateFunctionStmt *stmt) {
    const ListCell *lc;
    foreach (lc, stmt->options) {
        const DefElem *opt = static_cast<const DefElem *>(lfirst(lc));
        if (opt->defname && std::string(opt->defname) == "volatility") {
            const std::string v = str_value(opt->arg);
            if (v == "immutable") return Volatility::Immutable;
            if (v == "stable") return Volatility::Stable;
            return Volatility::Volatile;
        }
    }
    return Volatility::Volatile;  // CREATE FUNCTION's default
}

void track_objects(const Node *stmt, MigrationState &state, const StatementReport &report) {
    switch (nodeTag(stmt)) {
        case T_CreateTableAsStmt: {
            const CreateTableAsStmt *s = reinterpret_cast<const CreateTableAsStmt *>(stmt);
            if (!s->into || !s->into->rel) break;
            const QualifiedName q = qualified(s->into->rel);
            if (s->objtype == OBJECT_MATVIEW) {
                state.add_object("matview", q);
            } else {
                NewTable &t = state.add_table(q);
                t.statement = report.number;
                t.location = report.location;
                t.temporary = s->into->rel->relpersistence == 't' /* RELPERSISTENCE_TEMP */;
            }
            break;
        }
        case T_CreateStmt:
            track_create_table(reinterpret_cast<const CreateStmt *>(stmt), state);
            break;
        case T_AlterTableStmt:
            track_alter_table(reinterpret_cast<const AlterTableStmt *>(stmt), state);
            break;
        case T_ViewStmt:
            state.add_object("view", qualified(reinterpret_cast<const ViewStmt *>(stmt)->view));
            break;
        case T_IndexStmt: {
            const IndexStmt *s = reinterpret_cast<const IndexStmt *>(stmt);
            if (!s->relation) break;
            std::vector<std::string> cols;
            const ListCell *lc;
            foreach (lc, s->indexParams) {
                const IndexElem *e = static_cast<const IndexElem *>(lfirst(lc));
                cols.push_back(e->name ? e->name : "(expression)");
            }
            const QualifiedName table = qualified(s->relation);
            if (s->idxname) state.index_columns[s->idxname] = cols;
            state.add_index(table, cols);
            if (s->idxname) state.add_object("index", {table.schema, s->idxname});
            break;
        }
        case T_CreateSeqStmt:
            state.add_object("sequence", qualified(reinterpret_cast<const CreateSeqStmt *>(stmt)->sequence));
            break;
        case T_CompositeTypeStmt:
            state.add_object("type", qualified(reinterpret_cast<const CompositeTypeStmt *>(stmt)->typevar));
            break;
        case T_CreateEnumStmt:
            state.add_object("type", qualified(reinterpret_cast<const CreateEnumStmt *>(stmt)->typeName));
            break;
        case T_CreateRangeStmt:
            state.add_object("type", qualified(reinterpret_cast<const CreateRangeStmt *>(stmt)->typeName));
            break;
        case T_CreateDomainStmt:
            state.add_object("type", qualified(reinterpret_cast<const CreateDomainStmt *>(stmt)->domainname));
            break;
        case T_CreateFunctionStmt: {
            const CreateFunctionStmt *s = reinterpret_cast<const CreateFunctionStmt *>(stmt);
            state.add_object("function", qualified(s->funcname));
            state.set_function_volatility(name_list(s->funcname), declared_volatility(s));
            break;
        }
        case T_CreateSchemaStmt: {
            const CreateSchemaStmt *s = reinterpret_cast<const CreateSchemaStmt *>(stmt);
            if (s->schemaname) state.add_schema(s->schemaname);
            break;
        }
        case T_DropStmt: {
            const DropStmt *s = reinterpret_cast<const DropStmt *>(stmt);
            if (s->removeType != OBJECT_TABLE) break;
            const ListCell *lc;
            foreach (lc, s->objects) {
                const QualifiedName dropped = qualified(static_cast<const List *>(lfirst(lc)));
                state.table_drops[state.key(dropped)].emplace_back(report.number, state.transaction_number);
                state.drop_table(dropped);
            }
            break;
        }
        case T_RenameStmt: {
            const RenameStmt *s = reinterpret_cast<const RenameStmt *>(stmt);
            if (s->renameType == OBJECT_TABLE && s->relation && s->newname)
                state.rename_table(qualified(s->relation), s->newname);
            break;
        }
        case T_AlterEnumStmt: {
            const AlterEnumStmt *s = reinterpret_cast<const AlterEnumStmt *>(stmt);
            if (s->newVal && !s->oldVal) state.new_enum_values[s->newVal] = state.resolved(qualified(s->typeName)).display();
            break;
        }
        case T_TransactionStmt:
            track_transaction(reinterpret_cast<const TransactionStmt *>(stmt), state, report);
            break;
        case T_VariableSetStmt: {
            const VariableSetStmt *s = reinterpret_cast<const VariableSetStmt *>(stmt);
            if (s->kind == VAR_RESET_ALL || (s->name && std::string(s->name) == "lock_timeout")) {
                state.lock_timeout_set = sets_nonzero(s);
                state.lock_timeout_local = state.lock_timeout_set && s->is_local;
            }
            if (s->kind == VAR_RESET_ALL || (s->name && std::string(s->name) == "statement_timeout"))
                state.statement_timeout_set = sets_nonzero(s);
            break;
        }
        default:
            break;
    }
}

}  // namespace mg
