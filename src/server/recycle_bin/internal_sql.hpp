// SQL the recycle bin runs itself (copies, restores). The guard stands aside for exactly that
// statement, recognised by its text: anything it runs in turn (a trigger, a CHECK's function)
// is judged as usual.
#pragma once

#include "server/pg_prelude.hpp"

namespace mg::server {

// Runs one statement through SPI as `role` with search_path pinned. `restricted`: as PostgreSQL
// runs maintenance commands for a table's owner (SECURITY_RESTRICTED_OPERATION, row security not
// forced), so that code the owner controls never runs with more rights than theirs. `replica`:
// session_replication_role = replica for it (the rows go back as they were: no ordinary
// triggers, no foreign-key checks). Returns SPI_processed. PostgreSQL code only.
uint64 run_internal_sql(const char *sql, Oid role, bool restricted = false, bool replica = false);

// Whether the statement now running is one run_internal_sql() issued.
bool is_internal_statement(Node *parsetree);
// The same for a query the executor starts (its source text).
bool is_internal_query(const char *source_text);

}  // namespace mg::server
