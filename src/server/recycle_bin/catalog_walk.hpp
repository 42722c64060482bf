// Catalog look-ups the recycle bin shares: what depends on an object (pg_depend's index on the
// referenced object), which relation an object belongs to, a table's constraints (pg_constraint's
// index on conrelid). Index scans and syscache only. PostgreSQL code only.
#pragma once

#include "server/pg_prelude.hpp"

extern "C" {
#include "catalog/objectaddress.h"
#include "nodes/pg_list.h"
}

namespace mg::server {

struct Dep {
    ObjectAddress object;
    char deptype;
};

// Everything that depends on (classid, objid), whatever the sub-id (Dep *).
List *dependents(Oid classid, Oid objid);
// Everything (classid, objid) depends on (Dep *, the referenced objects).
List *references(Oid classid, Oid objid);
// The relation an object is part of: a constraint's table, a rule's view, an index's table, a
// default's table, a policy's table; InvalidOid for anything else.
Oid owning_relation(const ObjectAddress &a);
Oid relation_owner(Oid relid);
char *qualified_relation(Oid relid);  // quoted for SQL
// The oids of the table's constraints.
List *constraints_of(Oid relid);

}  // namespace mg::server
