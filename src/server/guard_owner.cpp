#include "server/guard_owner.hpp"

extern "C" {
#include "access/genam.h"
#include "access/table.h"
#include "catalog/pg_extension.h"
#include "commands/extension.h"
#include "utils/fmgroids.h"
}

namespace mg::server {

Oid extension_owner() {
    Oid owner = InvalidOid;
    pg_call([&] {
        const Oid ext = get_extension_oid("migration_guard", true);
        if (!OidIsValid(ext)) return;
        Relation rel = table_open(ExtensionRelationId, AccessShareLock);
        ScanKeyData key;
        ScanKeyInit(&key, Anum_pg_extension_oid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(ext));
        SysScanDesc scan = systable_beginscan(rel, ExtensionOidIndexId, true, nullptr, 1, &key);
        HeapTuple tuple = systable_getnext(scan);
        if (HeapTupleIsValid(tuple)) owner = reinterpret_cast<Form_pg_extension>(GETSTRUCT(tuple))->extowner;
        systable_endscan(scan);
        table_close(rel, AccessShareLock);
    });
    if (!OidIsValid(owner))
        throw UserError(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE, "migration_guard is not installed in this database",
                        "", "Run CREATE EXTENSION migration_guard;");
    return owner;
}

}  // namespace mg::server
