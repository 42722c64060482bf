// The bookkeeping of common migration tools: the tables in which they record which migrations
// ran. Changes to them belong to a migration whatever the session says, so they are never
// "outside a migration" (ddl-outside-migration). And a transaction that wrote audit rows and
// records a migration in one of them gets, as it commits, a row in migration_guard.tool_migration
// (its xid, the tool, the migration id the tool wrote): the audit log takes the migration id from
// there when the session set none, with no edit to the migrations.
#pragma once

#include "server/pg_prelude.hpp"

namespace mg::server {

// The tool whose bookkeeping the statement creates or changes (alembic, django, ...), or nullptr.
const char *bookkeeping_tool(const Node *stmt);

// The tool a table of that schema and name belongs to, or nullptr. `schema` may be empty.
const char *tool_of_table(const char *schema, const char *name);

// This transaction wrote audit rows (write_audit_rows): look at the bookkeeping as it commits.
void note_audit_rows_written();

// Registers the commit callback (from _PG_init; once per backend).
void init_migration_tools();

}  // namespace mg::server
