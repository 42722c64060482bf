// The text of the statement the server is running, alone: not the whole multi-statement string
// it came in. When preloaded, the utility hook records each utility statement's text and
// location at every nesting level (exact); otherwise the top-level query string is parsed once
// and the running statement found in it by its parse tree.
#pragma once

#include <string>

#include "server/pg_prelude.hpp"

namespace mg::server {

// Called by the utility hook around every utility statement (cheap: pointers only).
void push_statement(const char *query, int location, int length);
void pop_statement();

std::string running_statement_text(Node *parsetree);

// The top-level query string when it holds several statements, `statement` (the running one's
// text) among them: a migration sent as one string. "" otherwise.
std::string whole_query_text(const std::string &statement);

}  // namespace mg::server
