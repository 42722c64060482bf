// Tables wiped by design (a queue, a cache) whose data changes are not judged: exempted by a
// superuser with migration_guard.exempt_from_data_changes(table, reason), each exemption and its
// end on record in the audit log. By table oid: a rename does not carry an exemption to another
// table, and a dump does not carry it into a copy.
#pragma once

#include "server/pg_prelude.hpp"

namespace mg::server {

// Whether the table is exempt (a read of migration_guard.data_change_exemption as the guard's
// owner). May throw PgError.
bool exempt_from_data_changes(Oid relid);

}  // namespace mg::server
