#include "server/extension_cache.hpp"

#include "server/boundary.hpp"

extern "C" {
#include "access/genam.h"
#include "access/table.h"
#include "catalog/pg_extension.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
}

namespace mg::server {

namespace {

ExtensionPlace place;
bool valid = false;
bool registered = false;

void forget_relation(Datum, Oid relid) {
    if (!valid) return;
    // Not installed: any new relation may be the extension arriving.
    if (!place.installed || relid == InvalidOid || relid == place.audit_change || relid == place.audit_blocked ||
        relid == place.tool_migration)
        valid = false;
}

void forget_all(Datum, int, uint32) { valid = false; }

// PostgreSQL code only.
ExtensionPlace look_up() {
    ExtensionPlace p;
    Relation rel = table_open(ExtensionRelationId, AccessShareLock);
    ScanKeyData key;
    ScanKeyInit(&key, Anum_pg_extension_extname, BTEqualStrategyNumber, F_NAMEEQ, CStringGetDatum("migration_guard"));
    SysScanDesc scan = systable_beginscan(rel, ExtensionNameIndexId, true, nullptr, 1, &key);
    HeapTuple tuple = systable_getnext(scan);
    if (HeapTupleIsValid(tuple)) {
        const Form_pg_extension ext = reinterpret_cast<Form_pg_extension>(GETSTRUCT(tuple));
        p.extension = ext->oid;
        p.schema = ext->extnamespace;
        p.owner = ext->extowner;
    }
    systable_endscan(scan);
    table_close(rel, AccessShareLock);
    if (!OidIsValid(p.extension)) return p;
    p.audit_change = get_relname_relid("audit_change", p.schema);
    p.audit_blocked = get_relname_relid("audit_blocked", p.schema);
    p.tool_migration = get_relname_relid("tool_migration", p.schema);
    p.installed = OidIsValid(p.audit_change) && OidIsValid(p.audit_blocked);
    return p;
}

}  // namespace

void init_extension_cache() {
    if (registered) return;
    registered = true;
    CacheRegisterRelcacheCallback(forget_relation, 0);
    CacheRegisterSyscacheCallback(NAMESPACEOID, forget_all, 0);
}

const ExtensionPlace &extension_place_pg() {
    static const ExtensionPlace none;
    if (!IsTransactionState()) return none;
    if (valid) return place;
    init_extension_cache();  // loaded without preload: the first look-up registers
    place = look_up();
    valid = true;
    return place;
}

const ExtensionPlace &extension_place() {
    const ExtensionPlace *p = nullptr;
    pg_call([&] { p = &extension_place_pg(); });
    return *p;
}

}  // namespace mg::server
