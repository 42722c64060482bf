// Parsing a migration text with the server's own parser, with errors that point into the text.
#pragma once

#include <string>

#include "server/pg_prelude.hpp"

namespace mg::server {

// Raw statements of `sql` (List of RawStmt*). A syntax error is rethrown as a PgError whose
// message names the line and column in the migration text and whose position points into it.
List *parse_migration(const std::string &sql);

// A SQL function's migration text argument: text, or (for risk('literal')) an unknown literal.
std::string migration_text_arg(FunctionCallInfo fcinfo);

}  // namespace mg::server
