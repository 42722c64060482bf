// Compensating SQL: what undoes a statement, derived from its parse tree and from what the schema
// held just before it ran. The server asks the live catalog before the statement runs (the
// previous default, type, constraint or index definition); the CLI knows only the text.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/catalog.hpp"
#include "engine/pg_nodes.hpp"

namespace mg {

// What the schema held before the statement; nullopt: not known (always, for the CLI).
class PriorSchema {
public:
    virtual ~PriorSchema() = default;
    // The column's type as SQL ("integer", "character varying(20)").
    virtual std::optional<std::string> column_type(const QualifiedName &, const std::string &) const { return std::nullopt; }
    // Its default expression as SQL; "" when it had none.
    virtual std::optional<std::string> column_default(const QualifiedName &, const std::string &) const {
        return std::nullopt;
    }
    // The constraint's definition as pg_get_constraintdef prints it; its kind (c, f, p, u, x).
    virtual std::optional<std::string> constraint_definition(const QualifiedName &, const std::string &, char &) const {
        return std::nullopt;
    }
    // The name of the column's NOT NULL constraint (18 catalogues them), when there is one.
    virtual std::optional<std::string> not_null_constraint(const QualifiedName &, const std::string &) const {
        return std::nullopt;
    }
    // The index's definition as pg_get_indexdef prints it.
    virtual std::optional<std::string> index_definition(const QualifiedName &) const { return std::nullopt; }
};

struct UndoStep {
    enum class Kind {
        Sql,       // `sql` undoes it
        Kept,      // it destroys data: only the recycle bin (restore()) or a backup brings it back
        Cannot,    // no undo is known; `why` says why
    };
    Kind kind = Kind::Sql;
    std::string sql;   // Sql: one statement, with its semicolon
    std::string why;   // Kept, Cannot
    std::string note;  // Sql: what running it costs or risks ("" when nothing to say)
};

// The steps that undo one statement, in the order to run them.
std::vector<UndoStep> undo_steps(const Node *stmt, const CatalogFacts &catalog, const PriorSchema &prior);

// Text for a SQL comment: control characters (a newline would end the comment) as \xNN.
std::string comment_text(const std::string &text);

// A statement on one line, control characters escaped, shortened to `max` characters, for a comment beside its undo.
std::string one_line(const std::string &statement, size_t max = 120);

// Generated SQL on one line: a quoted literal or identifier that holds a control character is
// written U&'...' / U&"..." with escapes; other control characters between tokens become spaces
// (a line break between two statements stays).
std::string one_line_sql(const std::string &sql);

// An identifier as SQL: quoted unless it is a plain lower-case name that is not a reserved word;
// a name with a control character as U&"..." so that no generated statement spans lines.
std::string quote_ident(const std::string &name);
std::string quote_name(const QualifiedName &name);
// One shell word: 'text', with each ' written '\'' (for pg_dump commands in hints).
std::string shell_quote(const std::string &text);

}  // namespace mg
