// Statements inside PL/pgSQL: a DO block runs its static SQL now, and a function runs its own
// when called. libpg_query parses PL/pgSQL, so the linter reads those statements where they
// are in the file.
#pragma once

#include <string>
#include <utility>
#include <vector>

struct List;  // nodes/pg_list.h

namespace mg {

// A PL/pgSQL body that appears verbatim (dollar-quoted) in the text: a DO block's or a function's.
struct PlpgsqlBody {
    bool do_block = true;
    size_t statement = 0;  // index of its statement in the parse
    size_t start = 0;      // offset of the body in the text
    size_t stmt_start = 0, stmt_end = 0;
    std::string body;
    std::string function;  // the function's name as written ("" for a DO block)
    // Its static SQL, as ranges of the text (offset, length); a statement whose PL/pgSQL INTO clause
    // is left out is two: the query and its semicolon.
    std::vector<std::pair<size_t, size_t>> statements;
};

// The bodies in `tree` (the text's parse). Reads the tree only.
std::vector<PlpgsqlBody> plpgsql_bodies(const std::string &text, const List *tree);

// Finds each body's static SQL statements with libpg_query's PL/pgSQL parser. Call it outside
// any ParserScope: libpg_query's parsers switch memory contexts of their own.
void find_statements(std::vector<PlpgsqlBody> &bodies);

// The text with each DO block replaced, at the same offsets, by its static statements (the rest of
// the block blanked), so they are linted in their place and order.
std::string inline_do_blocks(const std::string &text, const std::vector<PlpgsqlBody> &bodies);

// A function's static statements alone, at their offsets (all else blanked).
std::string function_statements(const std::string &text, const PlpgsqlBody &body);

}  // namespace mg
