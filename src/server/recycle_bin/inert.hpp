// What the recycle bin keeps is inert: a kept copy depends on nothing of the live schema (types,
// domains, collations, functions, roles, other tables, tablespaces), so no later statement on the
// live schema trips over it and no cascade reaches it. What it needs to come back is recorded
// instead: SQL run as the table's owner, and the types and roles by oid (docs/recycle-bin.md).
// PostgreSQL code only: it may ereport.
#pragma once

#include <string>

#include "server/pg_prelude.hpp"

extern "C" {
#include "nodes/pg_list.h"
}

namespace mg::server {

// Pinned by initdb: nothing can drop it, so a kept item may depend on it. (initdb's unpinned objects,
// information_schema's types among them, can be dropped.)
inline bool builtin_object(Oid oid) { return OidIsValid(oid) && oid < FirstUnpinnedObjectId; }

// A column of this type and collation is kept as its text (the type's own output function).
bool kept_as_text(Oid type, Oid collation);

// A restore step recorded by oid: the column `column` of the table back to (type, typmod,
// collation). The SQL is made at restore time, and only while those oids still name what they did.
char *type_step(const char *column, Oid type, int32 typmod, Oid collation);
// GRANT step: the object ("TABLE s.t", "SEQUENCE s.q") and column ("" for the object), quoted
// without control characters; the role by oid.
char *grant_step(const char *object_sql, const char *column_sql, Oid role, const char *privilege, bool grantable);

// Why the table cannot be kept inert, or nullptr.
const char *why_not_inert(Oid relid);

// The type (and COLLATE) a recorded @type step names, as SQL; nullptr with *why set when it is gone.
char *restore_type_sql(const std::string &step, const char **why);

// A recorded step as SQL to run against `table` (quoted, qualified); nullptr with *why set when
// the oids it names are gone or changed. Plain SQL steps come back as they are.
char *restore_step_sql(const std::string &step, const char *table, const char **why);

}  // namespace mg::server
