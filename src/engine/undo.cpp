#include "engine/undo.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>

#include "engine/analyzer.hpp"
#include "engine/node_names.hpp"

namespace mg {

namespace {

// PostgreSQL's reserved and type/function-name keywords (as identifiers they must be quoted),
// sorted for a binary search.
constexpr std::string_view kReserved[] = {
    "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "authorization", "binary", "both",
    "case", "cast", "check", "collate", "collation", "column", "concurrently", "constraint", "create", "cross",
    "current_catalog", "current_date", "current_role", "current_schema", "current_time", "current_timestamp",
    "current_user", "default", "deferrable", "desc", "distinct", "do", "else", "end", "except", "false", "fetch",
    "for", "foreign", "freeze", "from", "full", "grant", "group", "having", "ilike", "in", "initially", "inner",
    "intersect", "into", "is", "isnull", "join", "lateral", "leading", "left", "like", "limit", "localtime",
    "localtimestamp", "natural", "not", "notnull", "null", "offset", "on", "only", "or", "order", "outer",
    "overlaps", "placing", "primary", "references", "returning", "right", "select", "session_user", "similar",
    "some", "symmetric", "table", "tablesample", "then", "to", "trailing", "true", "union", "unique", "user",
    "using", "variadic", "verbose", "when", "where", "window", "with"};

UndoStep sql(std::string text, std::string note = {}) {
    UndoStep s;
    s.sql = std::move(text) + ";";
    s.note = std::move(note);
    return s;
}
UndoStep cannot(std::string why) {
    UndoStep s;
    s.kind = UndoStep::Kind::Cannot;
    s.why = std::move(why);
    return s;
}
UndoStep kept(std::string why) {
    UndoStep s;
    s.kind = UndoStep::Kind::Kept;
    s.why = std::move(why);
    return s;
}

std::string type_sql(const TypeName *t) {
    if (!t) return "";
    std::vector<std::string> parts = name_list(t->names);
    if (parts.size() == 2 && parts[0] == "pg_catalog") parts.erase(parts.begin());
    std::string out;
    for (const auto &p : parts) out += (out.empty() ? "" : ".") + quote_ident(p);
    if (t->arrayBounds) out += "[]";
    return out;
}

QualifiedName created(QualifiedName name, const CatalogFacts &catalog);

std::string function_signature(const CreateFunctionStmt *f, const CatalogFacts &catalog) {
    std::string args;
    const ListCell *lc;
    foreach (lc, f->parameters) {
        const FunctionParameter *p = static_cast<const FunctionParameter *>(lfirst(lc));
        if (p->mode == FUNC_PARAM_OUT || p->mode == FUNC_PARAM_TABLE) continue;
        args += (args.empty() ? "" : ", ") + type_sql(p->argType);
    }
    return quote_name(created(qualified(f->funcname), catalog)) + "(" + args + ")";
}

// Where CREATE puts an object: the schema it names, else the first schema of the search_path. Not
// a look-up of the name: an object of that name further down the path is another object.
QualifiedName created(QualifiedName name, const CatalogFacts &catalog) {
    if (name.schema.empty()) name.schema = catalog.default_schema();
    return name;
}

// CREATE ... → DROP ...; nothing when IF NOT EXISTS met an existing object.
std::vector<UndoStep> undo_create(const Node *stmt, const CatalogFacts &catalog) {
    switch (nodeTag(stmt)) {
        case T_CreateStmt: {
            const CreateStmt *c = reinterpret_cast<const CreateStmt *>(stmt);
            const QualifiedName t = created(qualified(c->relation), catalog);
            if (c->if_not_exists && catalog.schema_of(t)) return {};
            return {sql("DROP TABLE " + quote_name(t))};
        }
        case T_CreateTableAsStmt: {
            const CreateTableAsStmt *c = reinterpret_cast<const CreateTableAsStmt *>(stmt);
            const QualifiedName t = created(qualified(c->into->rel), catalog);
            return {sql(std::string(c->objtype == OBJECT_MATVIEW ? "DROP MATERIALIZED VIEW " : "DROP TABLE ") + quote_name(t))};
        }
        case T_ViewStmt: {
            const ViewStmt *v = reinterpret_cast<const ViewStmt *>(stmt);
            if (v->replace) return {cannot("CREATE OR REPLACE VIEW: the previous definition is not recorded")};
            return {sql("DROP VIEW " + quote_name(created(qualified(v->view), catalog)))};
        }
        case T_IndexStmt: {
            const IndexStmt *ix = reinterpret_cast<const IndexStmt *>(stmt);
            if (!ix->idxname)
                return {cannot("the index has no name in the statement: drop it by the name PostgreSQL gave it "
                               "(DROP INDEX CONCURRENTLY)")};
            const QualifiedName table = catalog.qualify(qualified(ix->relation));
            return {sql("DROP INDEX CONCURRENTLY IF EXISTS " + quote_name({table.schema, ix->idxname}),
                        "outside a transaction block")};
        }
        case T_CreateSeqStmt: {
            const CreateSeqStmt *s = reinterpret_cast<const CreateSeqStmt *>(stmt);
            return {sql("DROP SEQUENCE " + quote_name(created(qualified(s->sequence), catalog)))};
        }
        case T_CreateSchemaStmt: {
            const CreateSchemaStmt *s = reinterpret_cast<const CreateSchemaStmt *>(stmt);
            if (!s->schemaname) return {cannot("CREATE SCHEMA AUTHORIZATION without a name")};
            return {sql("DROP SCHEMA " + quote_ident(s->schemaname))};
        }
        case T_CreateExtensionStmt:
            return {sql("DROP EXTENSION " + quote_ident(reinterpret_cast<const CreateExtensionStmt *>(stmt)->extname))};
        case T_CreateFunctionStmt: {
            const CreateFunctionStmt *f = reinterpret_cast<const CreateFunctionStmt *>(stmt);
            if (f->replace) return {cannot("CREATE OR REPLACE FUNCTION: the previous definition is not recorded")};
            return {sql(std::string(f->is_procedure ? "DROP PROCEDURE " : "DROP FUNCTION ") + function_signature(f, catalog))};
        }
        case T_CreateEnumStmt:
            return {sql("DROP TYPE " + quote_name(created(qualified(reinterpret_cast<const CreateEnumStmt *>(stmt)->typeName), catalog)))};
        case T_CompositeTypeStmt:
            return {sql("DROP TYPE " + quote_name(created(qualified(reinterpret_cast<const CompositeTypeStmt *>(stmt)->typevar), catalog)))};
        case T_CreateDomainStmt:
            return {sql("DROP DOMAIN " + quote_name(created(qualified(reinterpret_cast<const CreateDomainStmt *>(stmt)->domainname), catalog)))};
        default: return {};
    }
}

std::string constraint_name(const Node *def) {
    return def && IsA(def, Constraint) && reinterpret_cast<const Constraint *>(def)->conname
               ? reinterpret_cast<const Constraint *>(def)->conname
               : "";
}

// One subcommand of ALTER TABLE.
UndoStep undo_alter(const AlterTableCmd *cmd, const QualifiedName &t, const PriorSchema &prior) {
    const std::string table = "ALTER TABLE " + quote_name(t);
    const std::string col = cmd->name ? cmd->name : "";
    switch (cmd->subtype) {
        case AT_AddColumn: {
            const ColumnDef *c = reinterpret_cast<const ColumnDef *>(cmd->def);
            if (cmd->missing_ok) return cannot("ADD COLUMN IF NOT EXISTS: the column may have existed before");
            return sql(table + " DROP COLUMN " + quote_ident(c->colname));
        }
        case AT_DropColumn: return kept("DROP COLUMN " + col + " destroys its values");
        case AT_ColumnDefault: {
            const auto before = prior.column_default(t, col);
            if (!before) return cannot("the previous default of " + col + " is not known");
            if (before->empty()) return sql(table + " ALTER COLUMN " + quote_ident(col) + " DROP DEFAULT");
            return sql(table + " ALTER COLUMN " + quote_ident(col) + " SET DEFAULT " + *before);
        }
        case AT_SetNotNull: return sql(table + " ALTER COLUMN " + quote_ident(col) + " DROP NOT NULL");
        case AT_DropNotNull: {
            // On 18 the constraint comes back under its old name (SET NOT NULL would name it
            // after the column as it is called now).
            const auto name = prior.not_null_constraint(t, col);
            return sql(name ? table + " ADD CONSTRAINT " + quote_ident(*name) + " NOT NULL " + quote_ident(col)
                            : table + " ALTER COLUMN " + quote_ident(col) + " SET NOT NULL",
                       "scans the table under an ACCESS EXCLUSIVE lock; fails if NULLs were written since");
        }
        case AT_AddConstraint: {
            const std::string name = constraint_name(cmd->def);
            if (name.empty())
                return cannot("the constraint has no name in the statement: drop it by the name PostgreSQL gave it");
            return sql(table + " DROP CONSTRAINT " + quote_ident(name));
        }
        case AT_DropConstraint: {
            char kind = '?';
            const auto def = prior.constraint_definition(t, col, kind);
            if (!def) return cannot("the definition of constraint " + col + " is not known");
            if (kind == 'c' || kind == 'f')
                return sql(table + " ADD CONSTRAINT " + quote_ident(col) + " " + *def + " NOT VALID;\n" + table +
                               " VALIDATE CONSTRAINT " + quote_ident(col),
                           "added NOT VALID, then validated without blocking writes");
            return sql(table + " ADD CONSTRAINT " + quote_ident(col) + " " + *def,
                       "builds its index under an ACCESS EXCLUSIVE lock");
        }
        case AT_AlterColumnType: {
            const auto before = prior.column_type(t, col);
            if (!before) return cannot("the previous type of " + col + " is not known");
            return sql(table + " ALTER COLUMN " + quote_ident(col) + " TYPE " + *before + " USING " + quote_ident(col) +
                           "::" + *before,
                       "risk: rewrites the table under an ACCESS EXCLUSIVE lock, and fails (or loses precision) if a "
                       "value written since does not fit the old type");
        }
        default:
            if (nodes::is_set_expression(cmd)) {
                // The generation expression is the column's pg_attrdef entry, as a default is.
                const auto before = prior.column_default(t, col);
                if (!before || before->empty()) return cannot("the previous expression of " + col + " is not known");
                return sql(table + " ALTER COLUMN " + quote_ident(col) + " SET EXPRESSION AS (" + *before + ")",
                           "recomputes every row again (a stored column: a table rewrite)");
            }
            return cannot("no undo is known for this ALTER TABLE subcommand");
    }
}

std::vector<UndoStep> undo_rename(const RenameStmt *r, const CatalogFacts &catalog) {
    const std::string to = r->newname ? r->newname : "";
    switch (r->renameType) {
        case OBJECT_TABLE:
        case OBJECT_VIEW:
        case OBJECT_MATVIEW:
        case OBJECT_SEQUENCE:
        case OBJECT_INDEX: {
            const QualifiedName old = catalog.qualify(qualified(r->relation));
            return {sql(std::string("ALTER ") + object_type_name(r->renameType) + " " + quote_name({old.schema, to}) +
                        " RENAME TO " + quote_ident(old.name))};
        }
        case OBJECT_COLUMN:
            return {sql("ALTER TABLE " + quote_name(catalog.qualify(qualified(r->relation))) + " RENAME COLUMN " +
                        quote_ident(to) + " TO " + quote_ident(r->subname ? r->subname : ""))};
        case OBJECT_TABCONSTRAINT:
            return {sql("ALTER TABLE " + quote_name(catalog.qualify(qualified(r->relation))) + " RENAME CONSTRAINT " +
                        quote_ident(to) + " TO " + quote_ident(r->subname ? r->subname : ""))};
        case OBJECT_SCHEMA:
            return {sql("ALTER SCHEMA " + quote_ident(to) + " RENAME TO " + quote_ident(r->subname ? r->subname : ""))};
        default: return {cannot("no undo is known for this rename")};
    }
}

std::vector<UndoStep> undo_drop(const DropStmt *d, const CatalogFacts &catalog, const PriorSchema &prior) {
    switch (d->removeType) {
        case OBJECT_TABLE:
        case OBJECT_SCHEMA: return {kept(std::string("DROP ") + object_type_name(d->removeType) + " destroys the rows")};
        case OBJECT_INDEX: {
            std::vector<UndoStep> steps;
            const ListCell *lc;
            foreach (lc, d->objects) {
                QualifiedName ix = qualified(static_cast<const List *>(lfirst(lc)));
                if (ix.schema.empty()) ix.schema = catalog.default_schema();
                auto def = prior.index_definition(ix);
                if (!def) {
                    steps.push_back(cannot("the definition of index " + ix.display() + " is not known"));
                    continue;
                }
                for (const char *head : {"CREATE UNIQUE INDEX ", "CREATE INDEX "})
                    if (def->rfind(head, 0) == 0) {
                        def->insert(std::string(head).size(), "CONCURRENTLY ");
                        break;
                    }
                steps.push_back(sql(*def, "outside a transaction block"));
            }
            return steps;
        }
        default:
            return {cannot(std::string("DROP ") + object_type_name(d->removeType) +
                           ": the definition of what it drops is not recorded")};
    }
}

}  // namespace

std::string comment_text(const std::string &text) {
    static const char *hex = "0123456789abcdef";
    std::string out;
    for (char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7f) {
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
        } else {
            out += ch;
        }
    }
    return out;
}

std::string one_line(const std::string &statement, size_t max) {
    std::string out;
    for (char c : statement) out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
    out = comment_text(out);
    while (!out.empty() && (out.back() == ' ' || out.back() == ';')) out.pop_back();
    if (out.size() > max) out = out.substr(0, max - 3) + "...";
    return out;
}

namespace {

bool is_control(char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return c < 0x20 || c == 0x7f;
}

bool has_control(const std::string &name) { return std::any_of(name.begin(), name.end(), is_control); }

// A literal or identifier with a control character, Unicode-escaped (U&'...' or U&"..."): the
// statement stays on one line.
std::string unicode_quoted(const std::string &body, char quote) {
    static const char *hex = "0123456789ABCDEF";
    std::string out = std::string("U&") + quote;
    for (char ch : body) {
        if (is_control(ch)) {
            out += "\\00";
            out += hex[static_cast<unsigned char>(ch) >> 4];
            out += hex[static_cast<unsigned char>(ch) & 15];
        } else if (ch == '\\') {
            out += "\\\\";
        } else if (ch == quote) {
            out += std::string(2, quote);
        } else {
            out += ch;
        }
    }
    return out + quote;
}

}  // namespace

std::string one_line_sql(const std::string &sql) {
    std::string out;
    size_t i = 0;
    while (i < sql.size()) {
        const char q = sql[i];
        if (q != '\'' && q != '"') {
            if (q == '\n') {
                // A line break after a statement's semicolon separates two statements and stays;
                // one inside a statement (a pretty-printed CASE) becomes a space.
                const size_t last = out.find_last_not_of(' ');
                out += last != std::string::npos && out[last] == ';' ? '\n' : ' ';
            } else {
                out += is_control(q) ? ' ' : q;
            }
            ++i;
            continue;
        }
        // A quoted literal or identifier ('' and "" stand for the quote itself).
        size_t end = i + 1;
        std::string body;
        while (end < sql.size()) {
            if (sql[end] == q) {
                if (end + 1 < sql.size() && sql[end + 1] == q) {
                    body += q;
                    end += 2;
                    continue;
                }
                break;
            }
            body += sql[end++];
        }
        const bool unicode_prefix = i >= 2 && (sql[i - 1] == '&') && (sql[i - 2] == 'U' || sql[i - 2] == 'u');
        if (!has_control(body) || unicode_prefix || (i >= 1 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') && q == '\'')) {
            out.append(sql, i, end + 1 - i);
        } else {
            out += unicode_quoted(body, q);
        }
        i = end + 1;
    }
    return out;
}

std::string quote_ident(const std::string &name) {
    if (has_control(name)) return unicode_quoted(name, '"');
    bool plain = !name.empty() && (std::islower(static_cast<unsigned char>(name[0])) || name[0] == '_');
    for (char c : name)
        plain = plain && (std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
                          c == '_');
    plain = plain && !std::binary_search(std::begin(kReserved), std::end(kReserved), std::string_view(name));
    if (plain) return name;
    std::string out = "\"";
    for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

std::string shell_quote(const std::string &text) {
    std::string out = "'";
    for (const char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

std::string quote_name(const QualifiedName &name) {
    return name.schema.empty() ? quote_ident(name.name) : quote_ident(name.schema) + "." + quote_ident(name.name);
}

std::vector<UndoStep> undo_steps(const Node *stmt, const CatalogFacts &catalog, const PriorSchema &prior) {
    if (!stmt) return {};
    switch (nodeTag(stmt)) {
        case T_AlterTableStmt: {
            const AlterTableStmt *a = reinterpret_cast<const AlterTableStmt *>(stmt);
            if (!a->relation) return {};
            const QualifiedName t = catalog.qualify(qualified(a->relation));
            std::vector<UndoStep> steps;
            const ListCell *lc;
            foreach (lc, a->cmds) steps.push_back(undo_alter(static_cast<const AlterTableCmd *>(lfirst(lc)), t, prior));
            std::reverse(steps.begin(), steps.end());  // the last subcommand is undone first
            return steps;
        }
        case T_RenameStmt: return undo_rename(reinterpret_cast<const RenameStmt *>(stmt), catalog);
        case T_DropStmt: return undo_drop(reinterpret_cast<const DropStmt *>(stmt), catalog, prior);
        case T_TruncateStmt: return {kept("TRUNCATE destroys the rows")};
        case T_DropOwnedStmt: return {kept("DROP OWNED destroys what the role owns")};
        case T_InsertStmt:
        case T_UpdateStmt:
        case T_DeleteStmt:
            return {kept(command_tag(stmt) + " changes rows: only a backup (or a compensating data change) undoes it")};
        case T_VariableSetStmt:
        case T_TransactionStmt:
        case T_SelectStmt:
        case T_VariableShowStmt: return {};
        default: break;
    }
    auto created = undo_create(stmt, catalog);
    if (!created.empty() || nodeTag(stmt) == T_CreateStmt) return created;
    return {cannot("no undo is known for " + command_tag(stmt))};
}

}  // namespace mg
