// Which schemas hold a table with row level security enabled, for table-without-rls. No index
// answers that (pg_class is indexed by name and OID only), so the answer is kept per session:
// one scan of pg_class the first time it is asked, then only the relations PostgreSQL reports
// as changed (relcache invalidations, from this session or any other) are looked up again in
// the syscache. The per-statement cost is the number of relations changed since the last
// statement, not the number in the database.
#pragma once

#include "server/pg_prelude.hpp"

namespace mg::server {

// Whether any table in schema `nsp` has row level security enabled. May throw PgError.
bool schema_has_rls_table(Oid nsp);

// Registers the invalidation callback (from _PG_init; once per backend).
void init_rls_schemas();

}  // namespace mg::server
