#include "server/recycle_bin/catalog_walk.hpp"

extern "C" {
#include "access/genam.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/pg_attrdef.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_depend.h"
#include "catalog/pg_index.h"
#include "catalog/pg_policy.h"
#include "catalog/pg_publication_rel.h"
#include "catalog/pg_rewrite.h"
#include "catalog/pg_statistic_ext.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"
#include "utils/syscache.h"
}

namespace mg::server {

namespace {

// One pg_depend scan: by the referenced object (its index on refclassid, refobjid) or by the
// depending one (on classid, objid); each row as the other side's address.
List *depend_scan(Oid classid, Oid objid, bool by_referenced) {
    List *out = NIL;
    Relation depends = table_open(DependRelationId, AccessShareLock);
    ScanKeyData key[2];
    ScanKeyInit(&key[0], by_referenced ? Anum_pg_depend_refclassid : Anum_pg_depend_classid, BTEqualStrategyNumber,
                F_OIDEQ, ObjectIdGetDatum(classid));
    ScanKeyInit(&key[1], by_referenced ? Anum_pg_depend_refobjid : Anum_pg_depend_objid, BTEqualStrategyNumber, F_OIDEQ,
                ObjectIdGetDatum(objid));
    SysScanDesc scan = systable_beginscan(depends, by_referenced ? DependReferenceIndexId : DependDependerIndexId, true,
                                          nullptr, 2, key);
    HeapTuple tuple;
    while (HeapTupleIsValid(tuple = systable_getnext(scan))) {
        const Form_pg_depend d = reinterpret_cast<Form_pg_depend>(GETSTRUCT(tuple));
        Dep *dep = static_cast<Dep *>(palloc(sizeof(Dep)));
        dep->object.classId = by_referenced ? d->classid : d->refclassid;
        dep->object.objectId = by_referenced ? d->objid : d->refobjid;
        dep->object.objectSubId = by_referenced ? d->objsubid : d->refobjsubid;
        dep->deptype = d->deptype;
        out = lappend(out, dep);
    }
    systable_endscan(scan);
    table_close(depends, AccessShareLock);
    return out;
}

}  // namespace

List *dependents(Oid classid, Oid objid) { return depend_scan(classid, objid, true); }
List *references(Oid classid, Oid objid) { return depend_scan(classid, objid, false); }

namespace {

Oid oid_column(Oid catalog, AttrNumber oid_attnum, Oid object, AttrNumber column) {
    Relation rel = table_open(catalog, AccessShareLock);
    HeapTuple tuple = get_catalog_object_by_oid(rel, oid_attnum, object);
    Oid result = InvalidOid;
    if (HeapTupleIsValid(tuple)) {
        bool isnull = false;
        const Datum d = heap_getattr(tuple, column, RelationGetDescr(rel), &isnull);
        if (!isnull) result = DatumGetObjectId(d);
    }
    table_close(rel, AccessShareLock);
    return result;
}

}  // namespace

Oid owning_relation(const ObjectAddress &a) {
    switch (a.classId) {
        case RelationRelationId: {
            HeapTuple t = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(a.objectId));
            if (!HeapTupleIsValid(t)) return a.objectId;
            const Oid table = reinterpret_cast<Form_pg_index>(GETSTRUCT(t))->indrelid;
            ReleaseSysCache(t);
            return table;
        }
        case ConstraintRelationId:
            return oid_column(ConstraintRelationId, Anum_pg_constraint_oid, a.objectId, Anum_pg_constraint_conrelid);
        case AttrDefaultRelationId: return GetAttrDefaultColumnAddress(a.objectId).objectId;
        case PolicyRelationId:
            return oid_column(PolicyRelationId, Anum_pg_policy_oid, a.objectId, Anum_pg_policy_polrelid);
        case RewriteRelationId:
            return oid_column(RewriteRelationId, Anum_pg_rewrite_oid, a.objectId, Anum_pg_rewrite_ev_class);
        // A publication's membership and a statistics object are the table's own: they go with it.
        case PublicationRelRelationId: {
            HeapTuple t = SearchSysCache1(PUBLICATIONREL, ObjectIdGetDatum(a.objectId));
            if (!HeapTupleIsValid(t)) return InvalidOid;
            const Oid table = reinterpret_cast<Form_pg_publication_rel>(GETSTRUCT(t))->prrelid;
            ReleaseSysCache(t);
            return table;
        }
        case StatisticExtRelationId: {
            HeapTuple t = SearchSysCache1(STATEXTOID, ObjectIdGetDatum(a.objectId));
            if (!HeapTupleIsValid(t)) return InvalidOid;
            const Oid table = reinterpret_cast<Form_pg_statistic_ext>(GETSTRUCT(t))->stxrelid;
            ReleaseSysCache(t);
            return table;
        }
        default: return InvalidOid;
    }
}

Oid relation_owner(Oid relid) {
    HeapTuple t = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
    if (!HeapTupleIsValid(t)) return InvalidOid;
    const Oid owner = reinterpret_cast<Form_pg_class>(GETSTRUCT(t))->relowner;
    ReleaseSysCache(t);
    return owner;
}

char *qualified_relation(Oid relid) {
    return pstrdup(quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)), get_rel_name(relid)));
}

List *constraints_of(Oid relid) {
    List *out = NIL;
    Relation cons = table_open(ConstraintRelationId, AccessShareLock);
    ScanKeyData key;
    ScanKeyInit(&key, Anum_pg_constraint_conrelid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(relid));
    SysScanDesc scan = systable_beginscan(cons, ConstraintRelidTypidNameIndexId, true, nullptr, 1, &key);
    HeapTuple t;
    while (HeapTupleIsValid(t = systable_getnext(scan)))
        out = lappend_oid(out, reinterpret_cast<Form_pg_constraint>(GETSTRUCT(t))->oid);
    systable_endscan(scan);
    table_close(cons, AccessShareLock);
    return out;
}

}  // namespace mg::server
