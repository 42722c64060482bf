#include "server/recycle_bin/inert.hpp"

#include <cstring>
#include <vector>

#include "server/extension_cache.hpp"
#include "server/recycle_bin/catalog_walk.hpp"
#include "server/recycle_bin/internal_sql.hpp"
#include "server/recycle_bin/move_aside.hpp"

extern "C" {
#include "access/genam.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/htup_details.h"
#include "catalog/pg_am.h"
#include "catalog/dependency.h"
#include "catalog/indexing.h"
#include "catalog/pg_attrdef.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_depend.h"
#include "catalog/pg_index.h"
#include "catalog/pg_policy.h"
#include "catalog/pg_publication.h"
#include "catalog/pg_publication_rel.h"
#include "catalog/pg_rewrite.h"
#include "catalog/pg_statistic_ext.h"
#include "catalog/pg_tablespace.h"
#include "catalog/pg_trigger.h"
#include "commands/tablespace.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/fmgroids.h"
#include "utils/fmgrprotos.h"
#include "utils/rel.h"
}

namespace mg::server {

namespace {

// What (classid, objid) refers to in pg_depend (its index on the depender).
List *references_of(Oid classid, Oid objid) {
    List *out = NIL;
    Relation depends = table_open(DependRelationId, AccessShareLock);
    ScanKeyData key[2];
    ScanKeyInit(&key[0], Anum_pg_depend_classid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(classid));
    ScanKeyInit(&key[1], Anum_pg_depend_objid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(objid));
    SysScanDesc scan = systable_beginscan(depends, DependDependerIndexId, true, nullptr, 2, key);
    HeapTuple tuple;
    while (HeapTupleIsValid(tuple = systable_getnext(scan))) {
        const Form_pg_depend d = reinterpret_cast<Form_pg_depend>(GETSTRUCT(tuple));
        Dep *dep = static_cast<Dep *>(palloc(sizeof(Dep)));
        dep->object.classId = d->refclassid;
        dep->object.objectId = d->refobjid;
        dep->object.objectSubId = d->refobjsubid;
        dep->deptype = d->deptype;
        out = lappend(out, dep);
    }
    systable_endscan(scan);
    table_close(depends, AccessShareLock);
    return out;
}

// Calls f(tuple, descriptor) with the catalog row of `oid`, when there is one.
// (By its oid index: PostgreSQL 15's object-property table knows no pg_attrdef.)
template <typename F>
void with_catalog_row(Oid catalog, Oid oid_index, AttrNumber oid_column, Oid oid, F &&f) {
    Relation rel = table_open(catalog, AccessShareLock);
    ScanKeyData key;
    ScanKeyInit(&key, oid_column, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(oid));
    SysScanDesc scan = systable_beginscan(rel, oid_index, true, nullptr, 1, &key);
    HeapTuple t = systable_getnext(scan);
    if (HeapTupleIsValid(t)) f(t, RelationGetDescr(rel));
    systable_endscan(scan);
    table_close(rel, AccessShareLock);
}

bool same_address(const ObjectAddress &a, const ObjectAddress &b) {
    return a.classId == b.classId && a.objectId == b.objectId;
}

bool listed(const List *addresses, const ObjectAddress &a) {
    ListCell *lc;
    foreach (lc, addresses)
        if (same_address(*static_cast<ObjectAddress *>(lfirst(lc)), a)) return true;
    return false;
}

ObjectAddress *address(Oid classid, Oid objid) {
    ObjectAddress *a = static_cast<ObjectAddress *>(palloc(sizeof(ObjectAddress)));
    a->classId = classid;
    a->objectId = objid;
    a->objectSubId = 0;
    return a;
}

struct Cut {
    Oid relid;
    List *sequences;   // owned by the table: they move with it
    List *text_cols;   // attnums (int) kept as text
    List *cut;         // ObjectAddress *: to drop
};

// Whether `object` reaches past the table: a reference to anything not built in and not the
// table's own (itself, its sequences, its constraints and indexes that stay), or a column kept as
// text, or something already cut.
bool reaches_outside(const Cut &c, const ObjectAddress &object) {
    ListCell *lc;
    foreach (lc, references_of(object.classId, object.objectId)) {
        const Dep *d = static_cast<Dep *>(lfirst(lc));
        const ObjectAddress &r = d->object;
        if (builtin_object(r.objectId)) continue;
        if (listed(c.cut, r)) return true;
        if (r.classId == RelationRelationId && r.objectId == c.relid) {
            if (r.objectSubId > 0 && list_member_int(c.text_cols, r.objectSubId)) return true;
            continue;
        }
        if (r.classId == RelationRelationId && list_member_oid(c.sequences, r.objectId)) continue;
        const Oid owner = owning_relation(r);
        if (owner == c.relid && !listed(c.cut, r)) continue;
        // The table's own row type (a CHECK on the whole row) stays with it.
        if (r.classId == TypeRelationId && r.objectId == get_rel_type_id(c.relid)) continue;
        return true;
    }
    return false;
}

void add_step(List **steps, List **run_as, char *sql, Oid role) {
    *steps = lappend(*steps, sql);
    char *name = OidIsValid(role) ? GetUserNameFromId(role, true) : nullptr;
    *run_as = lappend(*run_as, name ? name : pstrdup(""));
}

char *strip_semicolon(char *sql) {
    size_t n = strlen(sql);
    while (n > 0 && (sql[n - 1] == ';' || sql[n - 1] == ' ' || sql[n - 1] == '\n')) sql[--n] = '\0';
    return sql;
}

const char *privilege_name(AclMode bit) {
    switch (bit) {
        case ACL_INSERT: return "INSERT";
        case ACL_SELECT: return "SELECT";
        case ACL_UPDATE: return "UPDATE";
        case ACL_DELETE: return "DELETE";
        case ACL_TRUNCATE: return "TRUNCATE";
        case ACL_REFERENCES: return "REFERENCES";
        case ACL_TRIGGER: return "TRIGGER";
        case ACL_USAGE: return "USAGE";
        default: return nullptr;
    }
}

// Grants of an ACL as steps (the owner's own entry is implicit); the grantees in *grantees.
void record_acl(Datum acl_datum, Oid owner, Oid relid, AttrNumber attnum, List **steps, List **run_as, List **grantees) {
    Acl *acl = DatumGetAclPCopy(acl_datum);
    const AclItem *items = ACL_DAT(acl);
    for (int i = 0; i < ACL_NUM(acl); i++) {
        const AclItem &item = items[i];
        if (item.ai_grantee == owner) continue;
        if (grantees && !list_member_oid(*grantees, item.ai_grantee)) *grantees = lappend_oid(*grantees, item.ai_grantee);
        if (!steps) continue;
        const AclMode privs = ACLITEM_GET_PRIVS(item), options = ACLITEM_GET_GOPTIONS(item);
        for (int b = 0; b < N_ACL_RIGHTS; b++) {
            const AclMode bit = static_cast<AclMode>(1) << b;
            const char *name = privilege_name(bit);
            if (!(privs & bit) || !name) continue;
            add_step(steps, run_as, grant_step(relid, attnum, item.ai_grantee, name, (options & bit) != 0), InvalidOid);
        }
    }
}

// Grants on the relation and its columns: recorded (steps may be null), grantees collected.
void relation_grants(Oid relid, List **steps, List **run_as, List **grantees) {
    HeapTuple t = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
    if (!HeapTupleIsValid(t)) return;
    const Oid owner = reinterpret_cast<Form_pg_class>(GETSTRUCT(t))->relowner;
    bool isnull = true;
    const Datum acl = SysCacheGetAttr(RELOID, t, Anum_pg_class_relacl, &isnull);
    if (!isnull) record_acl(acl, owner, relid, 0, steps, run_as, grantees);
    const int natts = reinterpret_cast<Form_pg_class>(GETSTRUCT(t))->relnatts;
    ReleaseSysCache(t);
    for (AttrNumber a = 1; a <= natts; a++) {
        HeapTuple at = SearchSysCache2(ATTNUM, ObjectIdGetDatum(relid), Int16GetDatum(a));
        if (!HeapTupleIsValid(at)) continue;
        const Form_pg_attribute att = reinterpret_cast<Form_pg_attribute>(GETSTRUCT(at));
        const Datum col_acl = SysCacheGetAttr(ATTNUM, at, Anum_pg_attribute_attacl, &isnull);
        if (!att->attisdropped && !isnull)
            record_acl(col_acl, owner, relid, a, steps, run_as, grantees);
        ReleaseSysCache(at);
    }
}

char *role_list(const List *roles) {
    StringInfoData out;
    initStringInfo(&out);
    ListCell *lc;
    foreach (lc, roles) {
        const Oid role = lfirst_oid(lc);
        appendStringInfo(&out, "%s%s", out.len ? ", " : "",
                         role == ACL_ID_PUBLIC ? "PUBLIC" : quote_identifier(GetUserNameFromId(role, false)));
    }
    return out.data;
}

char *tablespace_name_of(Oid relid) {
    const Oid space = get_rel_tablespace(relid);
    if (!OidIsValid(space) || space == MyDatabaseTableSpace) return nullptr;
    return get_tablespace_name(space);
}

}  // namespace

bool kept_as_text(Oid type, Oid collation) {
    return !builtin_object(type) || (OidIsValid(collation) && !builtin_object(collation));
}

char *inert_value(const char *column, Oid type, Oid collation) {
    if (!kept_as_text(type, collation)) return pstrdup(column);
    // format('%s') calls the type's output function, never a cast someone defined; num_nulls
    // tells a NULL from a row whose fields are all NULL.
    return psprintf("CASE WHEN pg_catalog.num_nulls(%s) = 1 THEN NULL ELSE pg_catalog.format('%%s', %s) END "
                    "COLLATE pg_catalog.\"default\"",
                    column, column);
}

char *type_step(const char *column, Oid type, int32 typmod, Oid collation) {
    return psprintf("@type\t%u\t%d\t%u\t%s\t%s", type, typmod, collation, format_type_with_typemod(type, typmod), column);
}

char *grant_step(Oid relid, AttrNumber attnum, Oid role, const char *privilege, bool grantable) {
    char *name = role == ACL_ID_PUBLIC ? pstrdup("PUBLIC") : GetUserNameFromId(role, true);
    return psprintf("@grant\t%u\t%s\t%d\t%u\t%d\t%s", role, privilege, grantable ? 1 : 0, relid, attnum, name ? name : "?");
}

const char *why_not_inert(Oid relid) {
    Relation rel = relation_open(relid, AccessShareLock);
    const char *why = nullptr;
    if (rel->rd_rel->relam != HEAP_TABLE_AM_OID) why = "it uses a table access method other than heap";
    const TupleDesc desc = RelationGetDescr(rel);
    for (int i = 0; i < desc->natts && !why; i++) {
        const Form_pg_attribute att = TupleDescAttr(desc, i);
        if (att->attisdropped || !att->attgenerated) continue;
        if (kept_as_text(att->atttypid, att->attcollation)) {
            why = psprintf("its generated column %s is of a type of the database", quote_identifier(NameStr(att->attname)));
            continue;
        }
        // The generation expression stays with the table only while it calls nothing of the database.
        ListCell *lc;
        foreach (lc, dependents(RelationRelationId, relid)) {
            const Dep *d = static_cast<Dep *>(lfirst(lc));
            if (d->object.classId != AttrDefaultRelationId) continue;
            bool this_column = false;
            with_catalog_row(AttrDefaultRelationId, AttrDefaultOidIndexId, Anum_pg_attrdef_oid, d->object.objectId, [&](HeapTuple t, TupleDesc) {
                this_column = reinterpret_cast<Form_pg_attrdef>(GETSTRUCT(t))->adnum == att->attnum;
            });
            if (!this_column) continue;
            ListCell *r;
            foreach (r, references_of(AttrDefaultRelationId, d->object.objectId)) {
                const Dep *ref = static_cast<Dep *>(lfirst(r));
                const bool own = ref->object.classId == RelationRelationId && ref->object.objectId == relid;
                if (!own && !builtin_object(ref->object.objectId))
                    why = psprintf("its generated column %s calls a function of the database",
                                   quote_identifier(NameStr(att->attname)));
            }
        }
    }
    relation_close(rel, AccessShareLock);
    return why;
}

void cut_live_links(Oid relid, List **own, List **run_as) {
    Cut c{relid, getOwnedSequences(relid), NIL, NIL};
    const Oid owner = relation_owner(relid);
    const char *table = qualified_relation(relid);
    {
        Relation rel = relation_open(relid, NoLock);
        const TupleDesc desc = RelationGetDescr(rel);
        for (int i = 0; i < desc->natts; i++) {
            const Form_pg_attribute att = TupleDescAttr(desc, i);
            if (!att->attisdropped && kept_as_text(att->atttypid, att->attcollation))
                c.text_cols = lappend_int(c.text_cols, att->attnum);
        }
        relation_close(rel, NoLock);
    }

    // The table's own objects, each once.
    List *objects = NIL;
    ListCell *lc;
    foreach (lc, dependents(RelationRelationId, relid)) {
        const Dep *d = static_cast<Dep *>(lfirst(lc));
        if (d->deptype != DEPENDENCY_AUTO && d->deptype != DEPENDENCY_INTERNAL) continue;
        const ObjectAddress &o = d->object;
        if (o.classId == RelationRelationId && get_rel_relkind(o.objectId) != RELKIND_INDEX) continue;  // toast, sequences
        if (o.classId == RelationRelationId && OidIsValid(get_index_constraint(o.objectId))) continue;  // with its constraint
        if (o.classId == TypeRelationId) continue;
        if (!listed(objects, o)) objects = lappend(objects, address(o.classId, o.objectId));
    }

    // Cut: what always ties a table to others, then what reaches outside, until nothing more does.
    ObjectAddresses *drop = new_object_addresses();
    List *steps_defaults = NIL, *as_defaults = NIL, *steps_keys = NIL, *as_keys = NIL, *steps_rest = NIL, *as_rest = NIL, *steps_fk = NIL, *as_fk = NIL;
    auto cut = [&](const ObjectAddress &o) {
        c.cut = lappend(c.cut, address(o.classId, o.objectId));
        add_exact_object_address(&o, drop);
    };
    foreach (lc, objects) {
        const ObjectAddress &o = *static_cast<ObjectAddress *>(lfirst(lc));
        if (o.classId == TriggerRelationId) {
            bool internal = true;
            char enabled = TRIGGER_FIRES_ON_ORIGIN;
            char *name = nullptr;
            with_catalog_row(TriggerRelationId, TriggerOidIndexId, Anum_pg_trigger_oid, o.objectId, [&](HeapTuple t, TupleDesc) {
                const Form_pg_trigger tg = reinterpret_cast<Form_pg_trigger>(GETSTRUCT(t));
                internal = tg->tgisinternal;
                enabled = tg->tgenabled;
                name = pstrdup(NameStr(tg->tgname));
            });
            if (internal) continue;  // a foreign key's: goes with the constraint
            add_step(&steps_rest, &as_rest,
                     TextDatumGetCString(DirectFunctionCall1(pg_get_triggerdef, ObjectIdGetDatum(o.objectId))), owner);
            if (enabled != TRIGGER_FIRES_ON_ORIGIN)
                add_step(&steps_rest, &as_rest,
                         psprintf("ALTER TABLE %s %s TRIGGER %s", table,
                                  enabled == TRIGGER_DISABLED ? "DISABLE" : enabled == TRIGGER_FIRES_ALWAYS ? "ENABLE ALWAYS" : "ENABLE REPLICA",
                                  quote_identifier(name)),
                         owner);
            cut(o);
        } else if (o.classId == RewriteRelationId) {
            add_step(&steps_rest, &as_rest,
                     strip_semicolon(TextDatumGetCString(DirectFunctionCall1(pg_get_ruledef, ObjectIdGetDatum(o.objectId)))), owner);
            cut(o);
        } else if (o.classId == PolicyRelationId) {
            if (char *sql = policy_sql(o.objectId)) add_step(&steps_rest, &as_rest, sql, owner);
            cut(o);
        } else if (o.classId == StatisticExtRelationId) {
            HeapTuple t = SearchSysCache1(STATEXTOID, ObjectIdGetDatum(o.objectId));
            Oid stats_owner = owner;
            if (HeapTupleIsValid(t)) {
                stats_owner = reinterpret_cast<Form_pg_statistic_ext>(GETSTRUCT(t))->stxowner;
                ReleaseSysCache(t);
            }
            add_step(&steps_rest, &as_rest,
                     TextDatumGetCString(DirectFunctionCall1(pg_get_statisticsobjdef, ObjectIdGetDatum(o.objectId))), stats_owner);
            cut(o);
        } else if (o.classId == PublicationRelRelationId) {
            HeapTuple t = SearchSysCache1(PUBLICATIONREL, ObjectIdGetDatum(o.objectId));
            if (HeapTupleIsValid(t)) {
                const Oid pub = reinterpret_cast<Form_pg_publication_rel>(GETSTRUCT(t))->prpubid;
                ReleaseSysCache(t);
                HeapTuple p = SearchSysCache1(PUBLICATIONOID, ObjectIdGetDatum(pub));
                if (HeapTupleIsValid(p)) {
                    const Form_pg_publication pf = reinterpret_cast<Form_pg_publication>(GETSTRUCT(p));
                    add_step(&steps_rest, &as_rest,
                             psprintf("ALTER PUBLICATION %s ADD TABLE %s", quote_identifier(NameStr(pf->pubname)), table),
                             pf->pubowner);
                    ReleaseSysCache(p);
                }
            }
            cut(o);
        }
    }
    // Constraints, indexes and defaults: cut when they reach outside (repeated, since cutting
    // one can make another reach something cut).
    for (bool changed = true; changed;) {
        changed = false;
        foreach (lc, objects) {
            const ObjectAddress &o = *static_cast<ObjectAddress *>(lfirst(lc));
            if (listed(c.cut, o)) continue;
            if (o.classId != ConstraintRelationId && o.classId != RelationRelationId && o.classId != AttrDefaultRelationId)
                continue;
            bool outside = reaches_outside(c, o);
            if (!outside && o.classId == ConstraintRelationId) {
                const Oid index = get_constraint_index(o.objectId);
                HeapTuple t = SearchSysCache1(CONSTROID, ObjectIdGetDatum(o.objectId));
                const bool foreign = HeapTupleIsValid(t) && reinterpret_cast<Form_pg_constraint>(GETSTRUCT(t))->contype == CONSTRAINT_FOREIGN;
                if (HeapTupleIsValid(t)) ReleaseSysCache(t);
                if (OidIsValid(index) && !foreign) outside = reaches_outside(c, ObjectAddress{RelationRelationId, index, 0});
            }
            if (!outside) continue;
            changed = true;
            if (o.classId == ConstraintRelationId) {
                HeapTuple t = SearchSysCache1(CONSTROID, ObjectIdGetDatum(o.objectId));
                if (!HeapTupleIsValid(t)) continue;
                const Form_pg_constraint con = reinterpret_cast<Form_pg_constraint>(GETSTRUCT(t));
                const bool foreign = con->contype == CONSTRAINT_FOREIGN;
                char *sql = psprintf("ALTER TABLE %s ADD CONSTRAINT %s %s", table, quote_identifier(NameStr(con->conname)),
                                     TextDatumGetCString(DirectFunctionCall1(pg_get_constraintdef, ObjectIdGetDatum(o.objectId))));
                ReleaseSysCache(t);
                if (foreign) add_step(&steps_fk, &as_fk, sql, owner);
                else add_step(&steps_keys, &as_keys, sql, owner);
            } else if (o.classId == RelationRelationId) {
                add_step(&steps_keys, &as_keys, TextDatumGetCString(DirectFunctionCall1(pg_get_indexdef, ObjectIdGetDatum(o.objectId))),
                         owner);
            } else {
                AttrNumber column = 0;
                char *expr = nullptr;
                with_catalog_row(AttrDefaultRelationId, AttrDefaultOidIndexId, Anum_pg_attrdef_oid, o.objectId, [&](HeapTuple t, TupleDesc desc) {
                    column = reinterpret_cast<Form_pg_attrdef>(GETSTRUCT(t))->adnum;
                    bool isnull = true;
                    const Datum bin = heap_getattr(t, Anum_pg_attrdef_adbin, desc, &isnull);
                    if (!isnull) expr = TextDatumGetCString(DirectFunctionCall2(pg_get_expr, bin, ObjectIdGetDatum(relid)));
                });
                if (expr)
                    add_step(&steps_defaults, &as_defaults,
                             psprintf("ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s", table,
                                      quote_identifier(get_attname(relid, column, false)), expr),
                             owner);
            }
            cut(o);
        }
    }
    // Grants, by role oid: the table's and its sequences'.
    List *steps_grants = NIL, *as_grants = NIL;
    relation_grants(relid, &steps_grants, &as_grants, nullptr);
    foreach (lc, c.sequences) relation_grants(lfirst_oid(lc), &steps_grants, &as_grants, nullptr);
    // Tablespaces: the bin lives in the database's default one.
    List *steps_space = NIL, *as_space = NIL;
    if (char *space = tablespace_name_of(relid))
        add_step(&steps_space, &as_space, psprintf("ALTER TABLE %s SET TABLESPACE %s", table, quote_identifier(space)), owner);

    performMultipleDeletions(drop, DROP_RESTRICT, PERFORM_DELETION_INTERNAL | PERFORM_DELETION_QUIETLY);
    CommandCounterIncrement();
    foreach (lc, c.text_cols) {
        const AttrNumber a = static_cast<AttrNumber>(lfirst_int(lc));
        Oid type, collation;
        int32 typmod;
        get_atttypetypmodcoll(relid, a, &type, &typmod, &collation);
        add_step(own, run_as, type_step(get_attname(relid, a, false), type, typmod, collation), owner);
    }
    {
        HeapTuple t = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
        const Oid of = HeapTupleIsValid(t) ? reinterpret_cast<Form_pg_class>(GETSTRUCT(t))->reloftype : InvalidOid;
        if (HeapTupleIsValid(t)) ReleaseSysCache(t);
        if (OidIsValid(of)) add_step(own, run_as, psprintf("@of\t%u", of), owner);
    }
    *own = list_concat(*own, steps_defaults);
    *run_as = list_concat(*run_as, as_defaults);
    *own = list_concat(*own, steps_keys);
    *run_as = list_concat(*run_as, as_keys);
    *own = list_concat(*own, steps_fk);
    *run_as = list_concat(*run_as, as_fk);
    *own = list_concat(*own, steps_rest);
    *run_as = list_concat(*run_as, as_rest);
    *own = list_concat(*own, steps_grants);
    *run_as = list_concat(*run_as, as_grants);
    *own = list_concat(*own, steps_space);
    *run_as = list_concat(*run_as, as_space);
}

void make_inert(Oid relid) {
    const Oid guard = extension_place_pg().owner;
    const char *kept = qualified_relation(relid);
    // Columns of the database's types or collations: their text.
    StringInfoData alter;
    initStringInfo(&alter);
    {
        Relation rel = relation_open(relid, NoLock);
        const TupleDesc desc = RelationGetDescr(rel);
        for (int i = 0; i < desc->natts; i++) {
            const Form_pg_attribute att = TupleDescAttr(desc, i);
            if (att->attisdropped || !kept_as_text(att->atttypid, att->attcollation)) continue;
            const char *column = quote_identifier(NameStr(att->attname));
            appendStringInfo(&alter, "%s ALTER COLUMN %s TYPE pg_catalog.text COLLATE pg_catalog.\"default\" USING %s",
                             alter.len ? "," : "", column, inert_value(column, att->atttypid, att->attcollation));
        }
        if (OidIsValid(rel->rd_rel->reloftype)) appendStringInfo(&alter, "%s NOT OF", alter.len ? "," : "");
        relation_close(rel, NoLock);
    }
    if (alter.len) {
        run_internal_sql(psprintf("ALTER TABLE %s%s", kept, alter.data), guard);
        CommandCounterIncrement();
    }
    // No grants: the bin is the guard's alone until a restore.
    List *relations = lcons_oid(relid, getOwnedSequences(relid));
    ListCell *lc;
    foreach (lc, relations) {
        const Oid rel = lfirst_oid(lc);
        List *grantees = NIL;
        relation_grants(rel, nullptr, nullptr, &grantees);
        if (grantees != NIL) {
            run_internal_sql(psprintf("REVOKE ALL ON %s %s FROM %s CASCADE", get_rel_relkind(rel) == RELKIND_SEQUENCE ? "SEQUENCE" : "TABLE",
                                      qualified_relation(rel), role_list(grantees)),
                             guard);
            CommandCounterIncrement();
        }
    }
    if (tablespace_name_of(relid)) {
        run_internal_sql(psprintf("ALTER TABLE %s SET TABLESPACE pg_default", kept), guard);
        CommandCounterIncrement();
    }
    Relation rel = relation_open(relid, NoLock);
    List *indexes = RelationGetIndexList(rel);
    relation_close(rel, NoLock);
    foreach (lc, indexes) {
        if (!tablespace_name_of(lfirst_oid(lc))) continue;
        run_internal_sql(psprintf("ALTER INDEX %s SET TABLESPACE pg_default", qualified_relation(lfirst_oid(lc))), guard);
        CommandCounterIncrement();
    }
}

char *restore_step_sql(const std::string &step, const char *table, const char **why) {
    *why = nullptr;
    if (step.rfind("@", 0) != 0) return pstrdup(step.c_str());
    std::vector<std::string> f;
    size_t start = 0;
    // The last field (a column name) may hold anything; the ones before it are ours.
    const size_t fields = step.rfind("@type\t", 0) == 0 ? 6 : step.rfind("@grant\t", 0) == 0 ? 7 : 2;
    for (size_t tab; (tab = step.find('\t', start)) != std::string::npos && f.size() + 1 < fields; start = tab + 1)
        f.push_back(step.substr(start, tab - start));
    f.push_back(step.substr(start));
    auto oid_of = [](const std::string &s) { return static_cast<Oid>(strtoul(s.c_str(), nullptr, 10)); };
    if (f[0] == "@type" && f.size() == 6) {
        const Oid type = oid_of(f[1]);
        const Oid collation = oid_of(f[3]);
        const int32 typmod = static_cast<int32>(strtol(f[2].c_str(), nullptr, 10));
        const char *column = quote_identifier(f[5].c_str());
        if (!SearchSysCacheExists1(TYPEOID, ObjectIdGetDatum(type))) {
            *why = psprintf("column %s stays text: its type %s was dropped since", column, f[4].c_str());
            return nullptr;
        }
        const char *type_sql = format_type_with_typemod(type, typmod);
        const char *collate = "";
        if (OidIsValid(collation) && collation != get_typcollation(type)) {
            HeapTuple c = SearchSysCache1(COLLOID, ObjectIdGetDatum(collation));
            if (!HeapTupleIsValid(c)) {
                *why = psprintf("column %s stays text: its collation was dropped since", column);
                return nullptr;
            }
            const Form_pg_collation coll = reinterpret_cast<Form_pg_collation>(GETSTRUCT(c));
            collate = psprintf(" COLLATE %s", quote_qualified_identifier(get_namespace_name(coll->collnamespace), NameStr(coll->collname)));
            ReleaseSysCache(c);
        }
        return psprintf("ALTER TABLE %s ALTER COLUMN %s TYPE %s%s USING %s::%s", table, column, type_sql, collate, column,
                        type_sql);
    }
    if (f[0] == "@of" && f.size() >= 2) {
        const Oid type = oid_of(f[1]);
        if (!SearchSysCacheExists1(TYPEOID, ObjectIdGetDatum(type))) {
            *why = psprintf("the table is no longer OF its type (oid %u): the type was dropped since", type);
            return nullptr;
        }
        return psprintf("ALTER TABLE %s OF %s", table, format_type_be_qualified(type));
    }
    if (f[0] == "@grant" && f.size() == 7) {
        // The relation by oid: a kept table (and its sequences) comes back as the same relation.
        const Oid role = oid_of(f[1]), relid = oid_of(f[4]);
        const AttrNumber attnum = static_cast<AttrNumber>(strtol(f[5].c_str(), nullptr, 10));
        const char kind = get_rel_relkind(relid);
        if (kind == '\0') {
            *why = psprintf("%s to %s: the relation is gone", f[2].c_str(), quote_identifier(f[6].c_str()));
            return nullptr;
        }
        const char *object = psprintf("%s %s", kind == RELKIND_SEQUENCE ? "SEQUENCE" : "TABLE", qualified_relation(relid));
        const char *grantee = role == ACL_ID_PUBLIC ? "PUBLIC" : nullptr;
        if (!grantee) {
            char *name = GetUserNameFromId(role, true);
            if (!name) {
                *why = psprintf("%s on %s to %s: the role was dropped since", f[2].c_str(), object, quote_identifier(f[6].c_str()));
                return nullptr;
            }
            grantee = quote_identifier(name);
        }
        const char *column = attnum > 0 ? psprintf(" (%s)", quote_identifier(get_attname(relid, attnum, false))) : "";
        return psprintf("GRANT %s%s ON %s TO %s%s", f[2].c_str(), column, object, grantee, f[3] == "1" ? " WITH GRANT OPTION" : "");
    }
    *why = psprintf("unknown step %s", f[0].c_str());
    return nullptr;
}

}  // namespace mg::server
