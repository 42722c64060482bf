// Statements inside PL/pgSQL: a DO block runs its static SQL now, and a function runs its own
// when called. libpg_query parses PL/pgSQL, so the linter reads those statements where they
// are in the file.
#pragma once

#include <string>
#include <vector>

namespace mg {

// The text with each DO block written in PL/pgSQL with a dollar-quoted body replaced, at the
// same offsets, by its static SQL statements (everything else of the block blanked), so they
// are linted in their place and order. Anything it cannot read is left as it is.
std::string inline_do_blocks(const std::string &text);

// A function body's static SQL statements, each as a text of the file's length with all but
// that statement blanked: linted apart (they run when the function is called, not now).
struct FunctionStatements {
    std::string function;  // its name as written
    std::string text;      // the file's length, only the body's statements kept
};
std::vector<FunctionStatements> plpgsql_function_bodies(const std::string &text);

}  // namespace mg
