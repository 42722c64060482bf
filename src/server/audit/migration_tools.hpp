// The bookkeeping of common migration tools: the tables in which they record which migrations
// ran. Changes to them belong to a migration whatever the session says, so they are never
// "outside a migration" (ddl-outside-migration).
#pragma once

#include "server/pg_prelude.hpp"

namespace mg::server {

// The tool whose bookkeeping the statement creates or changes (alembic, django, ...), or nullptr.
const char *bookkeeping_tool(const Node *stmt);

// The tool a table of that schema and name belongs to, or nullptr. `schema` may be empty.
const char *tool_of_table(const char *schema, const char *name);

}  // namespace mg::server
