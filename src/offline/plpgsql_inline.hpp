// Statements inside PL/pgSQL: a DO block runs its static SQL now, and a function runs its own
// when called. libpg_query parses PL/pgSQL, so the linter reads those statements where they
// are in the file.
#pragma once

#include <string>
#include <vector>

struct List;  // nodes/pg_list.h

namespace mg {

// With `tree` the text's parse: when it holds a DO block written in PL/pgSQL with a
// dollar-quoted body, `out` is the text with each such block replaced, at the same offsets, by
// its static SQL statements (everything else of the block blanked), so they are linted in their
// place and order, and true is returned. Anything it cannot read is left as it is.
bool inline_do_blocks(const std::string &text, const List *tree, std::string &out);

// A PL/pgSQL function's static SQL statements, as a text of the file's length with all but them
// blanked: linted apart (they run when the function is called, not now).
struct FunctionStatements {
    size_t statement = 0;  // index of the CREATE FUNCTION in `tree`
    std::string function;  // its name as written
    std::string text;
};
std::vector<FunctionStatements> plpgsql_function_bodies(const std::string &text, const List *tree);

}  // namespace mg
