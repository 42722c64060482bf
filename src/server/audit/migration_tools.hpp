// The bookkeeping of common migration tools: the tables in which they record which migrations
// ran. Changes to them belong to a migration whatever the session says, so they are never
// "outside a migration" (ddl-outside-migration). And a transaction that wrote audit rows and
// records a migration in one of them gets, as it commits, a row in migration_guard.tool_migration
// (its xid, the tool, the migration id the tool wrote): the audit log takes the migration id from
// there when the session set none, with no edit to the migrations.
#pragma once

#include <string>

#include "server/pg_prelude.hpp"

namespace mg::server {

// The tool whose bookkeeping the statement creates or changes (alembic, django, ...), or nullptr.
const char *bookkeeping_tool(const Node *stmt);

// The tool a table of that schema and name belongs to, or nullptr. `schema` may be empty.
const char *tool_of_table(const char *schema, const char *name);

// This transaction wrote audit rows, the last about `last` ("TAG on object"): look at the
// bookkeeping as it commits.
void note_audit_rows_written(const std::string &last);

// The migration the session's changes belong to: migration_guard.migration_id, else the one a
// tool marked in progress in its bookkeeping in an earlier transaction of this session (Prisma's
// _prisma_migrations row before it runs a migration; golang-migrate's dirty version); "" when
// neither. Looked up once per statement.
const char *effective_migration_id();

// When this session already committed schema changes of the migration now running (a tool that
// runs each statement in a transaction of its own): a sentence that says so; else "".
std::string earlier_commits_note();

// Registers the commit callback (from _PG_init; once per backend).
void init_migration_tools();

}  // namespace mg::server
