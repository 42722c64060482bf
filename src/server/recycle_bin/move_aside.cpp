#include "server/recycle_bin/move_aside.hpp"

#include "server/extension_cache.hpp"
#include "server/recycle_bin/catalog_walk.hpp"
#include "server/recycle_bin/inert.hpp"

extern "C" {
#include "access/genam.h"
#include "access/relation.h"
#include "access/table.h"
#include "catalog/dependency.h"
#include "catalog/indexing.h"
#include "catalog/objectaddress.h"
#include "catalog/pg_attrdef.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_depend.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_index.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_policy.h"
#include "catalog/pg_rewrite.h"
#include "commands/extension.h"
#include "commands/tablecmds.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/fmgroids.h"
#include "utils/fmgrprotos.h"
#include "utils/rel.h"
}

namespace mg::server {

namespace {

// What else stands for the table in pg_depend: its row type, that type's array type, the
// sequences it owns.
List *reference_points(Oid relid) {
    List *points = NIL;
    auto add = [&points](Oid classid, Oid objid) {
        if (!OidIsValid(objid)) return;
        ObjectAddress *a = static_cast<ObjectAddress *>(palloc(sizeof(ObjectAddress)));
        a->classId = classid;
        a->objectId = objid;
        a->objectSubId = 0;
        points = lappend(points, a);
    };
    add(RelationRelationId, relid);
    const Oid rowtype = get_rel_type_id(relid);
    add(TypeRelationId, rowtype);
    if (OidIsValid(rowtype)) add(TypeRelationId, get_array_type(rowtype));
    ListCell *lc;
    foreach (lc, getOwnedSequences(relid)) add(RelationRelationId, lfirst_oid(lc));
    return points;
}

// Objects outside the table (and outside the other tables the statement keeps) that depend on
// it: views, foreign keys of other tables, policies, other tables' defaults on its sequences.
List *outside_dependents(Oid relid, const List *dropping) {
    List *out = NIL;
    ListCell *p;
    foreach (p, reference_points(relid)) {
        const ObjectAddress *point = static_cast<ObjectAddress *>(lfirst(p));
        ListCell *d;
        foreach (d, dependents(point->classId, point->objectId)) {
            const Dep *dep = static_cast<Dep *>(lfirst(d));
            if (dep->deptype != DEPENDENCY_NORMAL) continue;
            const Oid owner = owning_relation(dep->object);
            if (owner == relid || list_member_oid(dropping, owner)) continue;
            ObjectAddress *a = static_cast<ObjectAddress *>(palloc(sizeof(ObjectAddress)));
            *a = dep->object;
            out = lappend(out, a);
        }
    }
    return out;
}

char *strip_semicolon(char *sql) {
    size_t n = strlen(sql);
    while (n > 0 && (sql[n - 1] == ';' || sql[n - 1] == ' ' || sql[n - 1] == '\n')) sql[--n] = '\0';
    return sql;
}

void add_recreate(MovedTable *m, char *sql, Oid run_as) {
    m->recreate = lappend(m->recreate, sql);
    m->recreate_as = lappend(m->recreate_as, OidIsValid(run_as) ? GetUserNameFromId(run_as, false) : pstrdup(""));
}

// Records how to recreate a dependent object that the move drops (a view: with the views on it).
void record_dependent(MovedTable *m, const ObjectAddress &a, const List *dropping, List **seen) {
    if (a.classId == RewriteRelationId) {
        const Oid view = owning_relation(a);
        if (!OidIsValid(view) || list_member_oid(*seen, view)) return;
        *seen = lappend_oid(*seen, view);
        char *def = TextDatumGetCString(DirectFunctionCall2(pg_get_viewdef_ext, ObjectIdGetDatum(view), BoolGetDatum(false)));
        const bool matview = get_rel_relkind(view) == RELKIND_MATVIEW;
        add_recreate(m, psprintf("CREATE %s %s AS %s", matview ? "MATERIALIZED VIEW" : "VIEW", qualified_relation(view),
                                 strip_semicolon(def)),
                     relation_owner(view));
        ListCell *lc;
        foreach (lc, outside_dependents(view, dropping))
            record_dependent(m, *static_cast<ObjectAddress *>(lfirst(lc)), dropping, seen);
        return;
    }
    if (a.classId == ConstraintRelationId) {
        HeapTuple t = SearchSysCache1(CONSTROID, ObjectIdGetDatum(a.objectId));
        if (HeapTupleIsValid(t)) {
            const Form_pg_constraint con = reinterpret_cast<Form_pg_constraint>(GETSTRUCT(t));
            char *def = TextDatumGetCString(DirectFunctionCall1(pg_get_constraintdef, ObjectIdGetDatum(a.objectId)));
            add_recreate(m, psprintf("ALTER TABLE %s ADD CONSTRAINT %s %s", qualified_relation(con->conrelid),
                                     quote_identifier(NameStr(con->conname)), def),
                         relation_owner(con->conrelid));
            ReleaseSysCache(t);
            return;
        }
    }
    if (a.classId == PolicyRelationId) {
        if (char *sql = policy_sql(a.objectId)) {
            add_recreate(m, sql, relation_owner(owning_relation(a)));
            return;
        }
    }
    add_recreate(m, psprintf("-- not recreated: %s", getObjectDescription(&a, true)), InvalidOid);
}

bool relation_name_taken(const char *name, Oid nsp) {
    return OidIsValid(get_relname_relid(name, nsp)) ||
           OidIsValid(GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid, CStringGetDatum(name), ObjectIdGetDatum(nsp)));
}

// A name free in both schemas: the object's own oid makes it unique among live relations.
char *aside_name(const char *prefix, Oid relid, Oid nsp, Oid kept) {
    char *name = psprintf("%s%u", prefix, relid);
    for (int n = 2; relation_name_taken(name, nsp) || relation_name_taken(name, kept); n++)
        name = psprintf("%s%u_%d", prefix, relid, n);
    return name;
}

// The guard owner does what only an owner may (the statement's role may own just the schema).
template <typename F>
void as_role(Oid role, F &&f) {
    Oid saved_user;
    int saved_context;
    GetUserIdAndSecContext(&saved_user, &saved_context);
    SetUserIdAndSecContext(role, saved_context | SECURITY_LOCAL_USERID_CHANGE);
    f();
    SetUserIdAndSecContext(saved_user, saved_context);
}

}  // namespace

char *policy_sql(Oid policy) {
    Relation rel = table_open(PolicyRelationId, AccessShareLock);
    HeapTuple t = get_catalog_object_by_oid(rel, Anum_pg_policy_oid, policy);
    if (!HeapTupleIsValid(t)) {
        table_close(rel, AccessShareLock);
        return nullptr;
    }
    const Form_pg_policy p = reinterpret_cast<Form_pg_policy>(GETSTRUCT(t));
    StringInfoData sql;
    initStringInfo(&sql);
    const char *cmd = p->polcmd == 'r' ? "SELECT" : p->polcmd == 'a' ? "INSERT" : p->polcmd == 'w' ? "UPDATE"
                      : p->polcmd == 'd' ? "DELETE" : "ALL";
    appendStringInfo(&sql, "CREATE POLICY %s ON %s AS %s FOR %s TO ", quote_identifier(NameStr(p->polname)),
                     qualified_relation(p->polrelid), p->polpermissive ? "PERMISSIVE" : "RESTRICTIVE", cmd);
    bool isnull = false;
    Datum roles = heap_getattr(t, Anum_pg_policy_polroles, RelationGetDescr(rel), &isnull);
    Datum *items = nullptr;
    int n = 0;
    if (!isnull) deconstruct_array(DatumGetArrayTypeP(roles), OIDOID, sizeof(Oid), true, TYPALIGN_INT, &items, nullptr, &n);
    for (int i = 0; i < n; i++) {
        const Oid role = DatumGetObjectId(items[i]);
        appendStringInfo(&sql, "%s%s", i ? ", " : "",
                         OidIsValid(role) ? quote_identifier(GetUserNameFromId(role, false)) : "PUBLIC");
    }
    if (n == 0) appendStringInfoString(&sql, "PUBLIC");
    const AttrNumber exprs[2] = {Anum_pg_policy_polqual, Anum_pg_policy_polwithcheck};
    const char *words[2] = {"USING", "WITH CHECK"};
    for (int i = 0; i < 2; i++) {
        Datum e = heap_getattr(t, exprs[i], RelationGetDescr(rel), &isnull);
        if (isnull) continue;
        Datum printed = DirectFunctionCall2(pg_get_expr, e, ObjectIdGetDatum(p->polrelid));
        appendStringInfo(&sql, " %s (%s)", words[i], TextDatumGetCString(printed));
    }
    table_close(rel, AccessShareLock);
    return sql.data;
}

Oid kept_schema_oid() { return get_namespace_oid(kKeptSchema, false); }

const char *why_not_movable(Oid relid, const List *dropping, bool restrict_drop) {
    HeapTuple t = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
    if (!HeapTupleIsValid(t)) return "it no longer exists";
    const Form_pg_class c = reinterpret_cast<Form_pg_class>(GETSTRUCT(t));
    const char relkind = c->relkind, persistence = c->relpersistence;
    const bool partition = c->relispartition, subclasses = c->relhassubclass;
    const Oid nsp = c->relnamespace;
    ReleaseSysCache(t);
    if (relid < FirstNormalObjectId) return "it is a system table";
    if (persistence == RELPERSISTENCE_TEMP) return "it is temporary";
    if (relkind == RELKIND_PARTITIONED_TABLE) return "it is partitioned (its partitions are not moved with it)";
    if (relkind != RELKIND_RELATION) return "only tables are kept";
    if (partition) return "it is a partition (its parent would still show its rows)";
    if (subclasses && find_inheritance_children(relid, NoLock) != NIL) return "other tables inherit from it";
    if (has_superclass(relid)) return "it inherits from another table (which would still show its rows)";
    if (OidIsValid(getExtensionOfObject(RelationRelationId, relid))) return "it belongs to an extension";
    const char *schema = get_namespace_name(nsp);
    if (schema && (strcmp(schema, kKeptSchema) == 0 || strcmp(schema, "migration_guard") == 0))
        return "it is the guard's own";
    if (restrict_drop && outside_dependents(relid, dropping) != NIL) return "";  // PostgreSQL refuses the drop itself
    return nullptr;
}

MovedTable *move_aside(Oid relid, const List *dropping) {
    MovedTable *m = static_cast<MovedTable *>(palloc0(sizeof(MovedTable)));
    LockRelationOid(relid, AccessExclusiveLock);
    const Oid nsp = get_rel_namespace(relid);
    const Oid kept = kept_schema_oid();
    // Planned before the lock was granted: another session's DROP may have kept it meanwhile.
    if (nsp == kept || !OidIsValid(nsp))
        ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                        errmsg("the table was dropped by another session while this statement waited for its lock"),
                        errdetail("It is kept in the recycle bin once; this statement changed nothing.")));
    m->schema = get_namespace_name(nsp);
    m->name = get_rel_name(relid);
    {
        HeapTuple t = SearchSysCache1(NAMESPACEOID, ObjectIdGetDatum(nsp));
        if (HeapTupleIsValid(t)) {
            m->schema_owner = GetUserNameFromId(reinterpret_cast<Form_pg_namespace>(GETSTRUCT(t))->nspowner, false);
            ReleaseSysCache(t);
        }
    }
    m->bytes = DatumGetInt64(DirectFunctionCall1(pg_total_relation_size, ObjectIdGetDatum(relid)));
    {
        Relation rel = relation_open(relid, NoLock);
        m->rows = rel->rd_rel->reltuples;
        relation_close(rel, NoLock);
    }

    // What cannot come along: recorded, then dropped as the statement would have dropped it.
    ObjectAddresses *drop = new_object_addresses();
    List *seen = NIL;
    ListCell *lc;
    foreach (lc, outside_dependents(relid, dropping)) {
        const ObjectAddress *a = static_cast<ObjectAddress *>(lfirst(lc));
        record_dependent(m, *a, dropping, &seen);
        // A view goes as a whole, not as its rule.
        const ObjectAddress whole = a->classId == RewriteRelationId
                                        ? ObjectAddress{RelationRelationId, owning_relation(*a), 0}
                                        : *a;
        if (OidIsValid(whole.objectId)) add_exact_object_address(&whole, drop);
    }
    // Its own foreign keys to tables that stay: a kept table must not hold up deletes there.
    foreach (lc, constraints_of(relid)) {
        HeapTuple t = SearchSysCache1(CONSTROID, ObjectIdGetDatum(lfirst_oid(lc)));
        if (!HeapTupleIsValid(t)) continue;
        const Form_pg_constraint con = reinterpret_cast<Form_pg_constraint>(GETSTRUCT(t));
        const bool outbound = con->contype == CONSTRAINT_FOREIGN && con->confrelid != relid &&
                              !list_member_oid(dropping, con->confrelid);
        ReleaseSysCache(t);
        if (!outbound) continue;
        ObjectAddress a{ConstraintRelationId, lfirst_oid(lc), 0};
        record_dependent(m, a, dropping, &seen);
        add_exact_object_address(&a, drop);
    }
    performMultipleDeletions(drop, DROP_CASCADE, 0);
    CommandCounterIncrement();
    // What ties it to the live schema: recorded under its live names, then cut. Its own steps
    // come back before the dependents outside it (a view needs the column types, a foreign key
    // the unique index).
    List *own = NIL, *own_as = NIL;
    cut_live_links(relid, &own, &own_as);
    m->recreate = list_concat(own, m->recreate);
    m->recreate_as = list_concat(own_as, m->recreate_as);

    // Names that cannot clash, then the move.
    List *renames = NIL;
    {
        Relation rel = relation_open(relid, NoLock);
        List *indexes = RelationGetIndexList(rel);
        relation_close(rel, NoLock);
        foreach (lc, indexes) renames = lappend_oid(renames, lfirst_oid(lc));
        foreach (lc, getOwnedSequences(relid)) renames = lappend_oid(renames, lfirst_oid(lc));
    }
    foreach (lc, renames) {
        const Oid o = lfirst_oid(lc);
        const bool index = get_rel_relkind(o) == RELKIND_INDEX;
        char *name = aside_name(index ? "i" : "s", o, nsp, kept);
        m->original_names = lappend(m->original_names, get_rel_name(o));
        m->kept_names = lappend(m->kept_names, name);
        RenameRelationInternal(o, name, true, index);
    }
    m->kept_name = aside_name("k", relid, nsp, kept);
    RenameRelationInternal(relid, m->kept_name, true, false);
    CommandCounterIncrement();
    {
        Relation rel = relation_open(relid, NoLock);
        AlterTableNamespaceInternal(rel, nsp, kept, new_object_addresses());
        relation_close(rel, NoLock);
    }
    CommandCounterIncrement();
    // Owned by the guard: DROP OWNED BY its old owner must neither take it nor fail on it.
    const Oid guard_owner = extension_place_pg().owner;
    m->owner = relation_owner(relid);
    as_role(guard_owner, [&] { ATExecChangeOwner(relid, guard_owner, false, AccessExclusiveLock); });
    CommandCounterIncrement();
    make_inert(relid);
    set_kept_membership(relid, true);
    m->kept_relid = relid;
    return m;
}

void move_back(Oid kept_relid, const char *schema, const char *name, const char *schema_owner, Oid owner,
               const List *kept_names, const List *original_names) {
    if (OidIsValid(kept_relid)) LockRelationOid(kept_relid, AccessExclusiveLock);
    if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(kept_relid)) || get_rel_namespace(kept_relid) != kept_schema_oid())
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_TABLE), errmsg("the kept table of %s.%s no longer exists", schema, name)));
    Oid nsp = get_namespace_oid(schema, true);
    if (!OidIsValid(nsp)) {
        const Oid schema_role = schema_owner && schema_owner[0] ? get_role_oid(schema_owner, true) : InvalidOid;
        nsp = NamespaceCreate(schema, OidIsValid(schema_role) ? schema_role : GetUserId(), false);
        CommandCounterIncrement();
    }
    const char *qualified = quote_qualified_identifier(schema, name);
    if (relation_name_taken(name, nsp))
        ereport(ERROR, (errcode(ERRCODE_DUPLICATE_TABLE),
                        errmsg("cannot restore %s: a relation or type of that name exists since it was dropped", qualified),
                        errhint("Rename or drop the new %s, then call migration_guard.restore() again.", qualified)));
    ListCell *lc;
    foreach (lc, original_names)
        if (relation_name_taken(static_cast<char *>(lfirst(lc)), nsp))
            ereport(ERROR, (errcode(ERRCODE_DUPLICATE_TABLE),
                            errmsg("cannot restore %s: its index or sequence name %s is taken since it was dropped",
                                   qualified, quote_identifier(static_cast<char *>(lfirst(lc)))),
                            errhint("Rename or drop that object, then call migration_guard.restore() again.")));
    set_kept_membership(kept_relid, false);
    LockRelationOid(kept_relid, AccessExclusiveLock);
    {
        Relation rel = relation_open(kept_relid, NoLock);
        AlterTableNamespaceInternal(rel, kept_schema_oid(), nsp, new_object_addresses());
        relation_close(rel, NoLock);
    }
    CommandCounterIncrement();
    ListCell *k, *o;
    forboth (k, kept_names, o, original_names) {
        const Oid rel = get_relname_relid(static_cast<char *>(lfirst(k)), nsp);
        if (OidIsValid(rel)) RenameRelationInternal(rel, static_cast<char *>(lfirst(o)), true, get_rel_relkind(rel) == RELKIND_INDEX);
    }
    RenameRelationInternal(kept_relid, name, true, false);
    CommandCounterIncrement();
    if (OidIsValid(owner) && SearchSysCacheExists1(AUTHOID, ObjectIdGetDatum(owner))) {
        as_role(extension_place_pg().owner, [&] { ATExecChangeOwner(kept_relid, owner, false, AccessExclusiveLock); });
        CommandCounterIncrement();
    }
}

void set_kept_membership(Oid relid, bool member) {
    const Oid extension = get_extension_oid("migration_guard", false);
    const ObjectAddress ext{ExtensionRelationId, extension, 0};
    List *objects = lcons_oid(relid, getOwnedSequences(relid));
    ListCell *lc;
    foreach (lc, objects) {
        const ObjectAddress a{RelationRelationId, lfirst_oid(lc), 0};
        if (member) recordDependencyOn(&a, &ext, DEPENDENCY_EXTENSION);
        else deleteDependencyRecordsForSpecific(RelationRelationId, a.objectId, DEPENDENCY_EXTENSION, ExtensionRelationId, extension);
    }
    CommandCounterIncrement();
}

}  // namespace mg::server
