// Where the extension lives in this database (its OID, schema, owner, audit tables), looked up
// once per session instead of once per statement, and forgotten when the catalog says it may have
// changed: a relcache invalidation of one of the guard's tables (DROP EXTENSION, REASSIGN OWNED)
// or of any relation while it is not installed (CREATE EXTENSION creates relations), and any
// change of a schema. Invalidations arrive where PostgreSQL processes them anyway (at lock
// acquisition and transaction start), so this sees a change exactly when a catalog look-up would.
#pragma once

#include "server/pg_prelude.hpp"

namespace mg::server {

struct ExtensionPlace {
    bool installed = false;
    Oid extension = InvalidOid;
    Oid schema = InvalidOid;
    Oid owner = InvalidOid;
    Oid audit_change = InvalidOid;
    Oid audit_blocked = InvalidOid;
    Oid tool_migration = InvalidOid;
};

// The extension in the current database; outside a transaction, "not installed". May throw
// PgError (catalog access).
const ExtensionPlace &extension_place();
// The same for PostgreSQL code (ereports instead of throwing).
const ExtensionPlace &extension_place_pg();

// Registers the invalidation callbacks (from _PG_init; once per backend).
void init_extension_cache();

}  // namespace mg::server
