#include "offline/schema_catalog.hpp"

#include <cstdlib>
#include <sstream>

#include "engine/node_names.hpp"
#include "engine/rules/rules.hpp"
#include "engine/text_position.hpp"
#include "offline/pg_query_raw.hpp"

namespace mg {

namespace {

std::string key_of(const QualifiedName &t) { return (t.schema.empty() ? std::string("public") : t.schema) + "." + t.name; }

QualifiedName name_of(const RangeVar *rv) {
    QualifiedName q;
    if (!rv) return q;
    if (rv->schemaname) q.schema = rv->schemaname;
    if (rv->relname) q.name = rv->relname;
    return q;
}

ColumnFacts facts_of(const ColumnDef *def) {
    ColumnFacts c;
    const DeclaredType t = declared_type(def->typeName);
    c.type_name = t.array ? "_" + t.name : t.name;
    c.typmod = t.typmod;
    c.builtin = t.builtin;
    c.not_null = def->is_not_null;
    const ListCell *lc;
    foreach (lc, def->constraints) {
        const auto *con = static_cast<const Constraint *>(lfirst(lc));
        if (con->contype == CONSTR_NOTNULL || con->contype == CONSTR_PRIMARY) c.not_null = true;
        if (con->contype == CONSTR_GENERATED) c.generated = 's';
    }
    return c;
}

std::vector<std::string> string_list(const List *names) {
    std::vector<std::string> out;
    const ListCell *lc;
    foreach (lc, names) {
        const Node *n = static_cast<const Node *>(lfirst(lc));
        if (IsA(n, String)) out.emplace_back(strVal(n));
        else if (IsA(n, IndexElem) && static_cast<const IndexElem *>(lfirst(lc))->name)
            out.emplace_back(static_cast<const IndexElem *>(lfirst(lc))->name);
        else out.emplace_back("");  // an expression: matches no column
    }
    return out;
}

}  // namespace

const SchemaCatalog::Table *SchemaCatalog::find(const QualifiedName &t) const {
    auto it = tables_.find(key_of(t));
    return it == tables_.end() ? nullptr : &it->second;
}

SchemaCatalog::Table *SchemaCatalog::find(const QualifiedName &t) {
    auto it = tables_.find(key_of(t));
    return it == tables_.end() ? nullptr : &it->second;
}

std::optional<std::string> SchemaCatalog::schema_of(const QualifiedName &t) const {
    if (!t.schema.empty()) return t.schema;
    if (find(t)) return std::string("public");
    return std::nullopt;
}

std::optional<ColumnFacts> SchemaCatalog::column(const QualifiedName &t, const std::string &col) const {
    const Table *table = find(t);
    if (!table) return std::nullopt;
    auto it = table->columns.find(col);
    if (it == table->columns.end()) return std::nullopt;
    return it->second;
}

std::optional<ConstraintFacts> SchemaCatalog::constraint(const QualifiedName &t, const std::string &name) const {
    const Table *table = find(t);
    if (!table) return std::nullopt;
    auto it = table->constraints.find(name);
    if (it == table->constraints.end()) return std::nullopt;
    return it->second;
}

std::optional<bool> SchemaCatalog::has_index_leading(const QualifiedName &t, const std::vector<std::string> &cols) const {
    const Table *table = find(t);
    if (!table) return std::nullopt;
    for (const auto &index : table->indexes) {
        if (index.size() < cols.size()) continue;
        bool leads = true;
        for (size_t i = 0; leads && i < cols.size(); i++) leads = index[i] == cols[i];
        if (leads) return true;
    }
    return false;
}

Volatility SchemaCatalog::function_volatility(const std::vector<std::string> &name, int nargs) const {
    if (!name.empty())
        if (const auto it = functions_.find(name.back()); it != functions_.end()) return it->second;
    return StaticCatalog::function_volatility(name, nargs);
}

void SchemaCatalog::apply(const void *raw) {
    const Node *stmt = static_cast<const Node *>(raw);
    switch (nodeTag(stmt)) {
        case T_CreateFunctionStmt: {
            const auto *s = reinterpret_cast<const CreateFunctionStmt *>(stmt);
            if (list_length(s->funcname) == 0) break;
            const std::string fn = strVal(llast(s->funcname));
            const Volatility v = declared_volatility(s);
            auto [it, added] = functions_.emplace(fn, v);
            if (!added && static_cast<int>(v) > static_cast<int>(it->second)) it->second = v;
            break;
        }
        case T_CreateStmt: {
            const auto *s = reinterpret_cast<const CreateStmt *>(stmt);
            Table &t = tables_[key_of(name_of(s->relation))];
            const ListCell *lc;
            foreach (lc, s->tableElts) {
                const Node *e = static_cast<const Node *>(lfirst(lc));
                if (IsA(e, ColumnDef)) {
                    const auto *def = reinterpret_cast<const ColumnDef *>(e);
                    if (def->colname) t.columns[def->colname] = facts_of(def);
                } else if (IsA(e, Constraint)) {
                    const auto *con = reinterpret_cast<const Constraint *>(e);
                    if (con->contype == CONSTR_PRIMARY || con->contype == CONSTR_UNIQUE)
                        t.indexes.push_back(string_list(con->keys));
                }
            }
            break;
        }
        case T_AlterTableStmt: {
            const auto *s = reinterpret_cast<const AlterTableStmt *>(stmt);
            Table *t = find(name_of(s->relation));
            if (!t) break;
            const ListCell *lc;
            foreach (lc, s->cmds) {
                const auto *cmd = static_cast<const AlterTableCmd *>(lfirst(lc));
                switch (cmd->subtype) {
                    case AT_AddColumn:
                        if (const auto *def = reinterpret_cast<const ColumnDef *>(cmd->def); def && def->colname)
                            t->columns[def->colname] = facts_of(def);
                        break;
                    case AT_DropColumn:
                        if (cmd->name) t->columns.erase(cmd->name);
                        break;
                    case AT_AlterColumnType:
                        if (const auto *def = reinterpret_cast<const ColumnDef *>(cmd->def); def && cmd->name) {
                            auto it = t->columns.find(cmd->name);
                            if (it != t->columns.end()) {
                                const ColumnFacts changed = facts_of(def);
                                it->second.type_name = changed.type_name;
                                it->second.typmod = changed.typmod;
                                it->second.builtin = changed.builtin;
                            }
                        }
                        break;
                    case AT_SetNotNull:
                    case AT_DropNotNull:
                        if (cmd->name)
                            if (auto it = t->columns.find(cmd->name); it != t->columns.end())
                                it->second.not_null = cmd->subtype == AT_SetNotNull;
                        break;
                    case AT_AddConstraint:
                        if (const auto *con = reinterpret_cast<const Constraint *>(cmd->def)) {
                            ConstraintFacts f;
                            f.validated = !con->skip_validation;
                            switch (con->contype) {
                                case CONSTR_FOREIGN:
                                    f.type = 'f';
                                    f.on_delete_cascade = con->fk_del_action == 'c';
                                    break;
                                case CONSTR_CHECK: f.type = 'c'; break;
                                case CONSTR_UNIQUE: f.type = 'u'; break;
                                case CONSTR_PRIMARY: f.type = 'p'; break;
                                case CONSTR_EXCLUSION: f.type = 'x'; break;
                                default: break;
                            }
                            if (con->contype == CONSTR_PRIMARY || con->contype == CONSTR_UNIQUE) {
                                t->indexes.push_back(string_list(con->keys));
                                if (con->contype == CONSTR_PRIMARY)
                                    for (const auto &c : string_list(con->keys))
                                        if (auto it = t->columns.find(c); it != t->columns.end()) it->second.not_null = true;
                            }
                            if (con->conname && f.type != '?') t->constraints[con->conname] = f;
                        }
                        break;
                    case AT_DropConstraint:
                        if (cmd->name) t->constraints.erase(cmd->name);
                        break;
                    default:
                        break;
                }
            }
            break;
        }
        case T_IndexStmt: {
            const auto *s = reinterpret_cast<const IndexStmt *>(stmt);
            const QualifiedName table = name_of(s->relation);
            if (Table *t = find(table)) t->indexes.push_back(string_list(s->indexParams));
            break;
        }
        case T_DropStmt: {
            const auto *s = reinterpret_cast<const DropStmt *>(stmt);
            if (s->removeType != OBJECT_TABLE) break;
            const ListCell *lc;
            foreach (lc, s->objects) {
                const auto names = string_list(static_cast<const List *>(lfirst(lc)));
                QualifiedName q;
                q.name = names.back();
                if (names.size() > 1) q.schema = names[names.size() - 2];
                tables_.erase(key_of(q));
            }
            break;
        }
        case T_RenameStmt: {
            const auto *s = reinterpret_cast<const RenameStmt *>(stmt);
            if (!s->relation || !s->newname) break;
            const QualifiedName from = name_of(s->relation);
            if (s->renameType == OBJECT_TABLE) {
                auto it = tables_.find(key_of(from));
                if (it == tables_.end()) break;
                Table moved = std::move(it->second);
                tables_.erase(it);
                tables_[key_of({from.schema, s->newname})] = std::move(moved);
            } else if (s->renameType == OBJECT_COLUMN && s->subname) {
                Table *t = find(from);
                if (!t) break;
                auto it = t->columns.find(s->subname);
                if (it == t->columns.end()) break;
                ColumnFacts c = it->second;
                t->columns.erase(it);
                t->columns[s->newname] = c;
            }
            break;
        }
        default:
            break;
    }
}

bool SchemaCatalog::load(const std::string &sql, ParseError &error) {
    // psql meta-commands (pg_dump 17.6+ writes \restrict and \unrestrict) are not SQL.
    std::string text;
    std::istringstream lines(sql);
    for (std::string line; std::getline(lines, line);) {
        const size_t first = line.find_first_not_of(" \t");
        text += first != std::string::npos && line[first] == '\\' ? std::string(line.size(), ' ') : line;
        text += '\n';
    }
    ParserScope memory;
    List *tree = nullptr;
    if (!parse_tree(text, tree, error)) return false;
    const ListCell *lc;
    foreach (lc, tree) apply(static_cast<const RawStmt *>(lfirst(lc))->stmt);
    return true;
}

}  // namespace mg
