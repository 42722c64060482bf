#include "server/recycle_bin/table_record.hpp"

#include <cstring>

#include "engine/undo.hpp"
#include "server/extension_cache.hpp"
#include "server/recycle_bin/catalog_walk.hpp"
#include "server/recycle_bin/inert.hpp"

extern "C" {
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "catalog/dependency.h"
#include "catalog/indexing.h"
#include "catalog/objectaddress.h"
#include "catalog/pg_attrdef.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_depend.h"
#include "catalog/pg_description.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_index.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_policy.h"
#include "catalog/pg_publication.h"
#include "catalog/pg_publication_rel.h"
#include "catalog/pg_rewrite.h"
#include "catalog/pg_sequence.h"
#include "catalog/pg_statistic_ext.h"
#include "catalog/pg_trigger.h"
#include "commands/comment.h"
#include "commands/extension.h"
#include "commands/sequence.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/fmgroids.h"
#include "utils/fmgrprotos.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"
#include "commands/tablespace.h"
#include "utils/relcache.h"
}

namespace mg::server {

namespace {

// Steps and the role each runs as, in order.
struct Steps {
    List *sql = NIL;
    List *as = NIL;
    void add(char *step, Oid role) {
        sql = lappend(sql, step);
        char *name = OidIsValid(role) ? GetUserNameFromId(role, true) : nullptr;
        as = lappend(as, name ? name : pstrdup(""));
    }
    void append(const Steps &o) {
        sql = list_concat(sql, o.sql);
        as = list_concat(as, o.as);
    }
};

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

// Generated SQL names: quoted so that they hold no control character (engine/undo.hpp).
char *sql_name(const char *name) { return pstrdup(mg::quote_ident(name).c_str()); }

char *flat_reloptions(Oid relid) {
    HeapTuple t = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
    if (!HeapTupleIsValid(t)) return nullptr;
    bool isnull = true;
    const Datum options = SysCacheGetAttr(RELOID, t, Anum_pg_class_reloptions, &isnull);
    char *out = nullptr;
    if (!isnull) {
        Datum *items;
        int n;
        deconstruct_array(DatumGetArrayTypeP(options), TEXTOID, -1, false, TYPALIGN_INT, &items, nullptr, &n);
        StringInfoData s;
        initStringInfo(&s);
        for (int i = 0; i < n; i++) {
            char *option = TextDatumGetCString(items[i]);
            char *eq = strchr(option, '=');
            if (!eq) continue;
            *eq = '\0';
            appendStringInfo(&s, "%s%s = %s", s.len ? ", " : "", quote_identifier(option), quote_literal_cstr(eq + 1));
        }
        out = s.data;
    }
    ReleaseSysCache(t);
    return out;
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

// The grants of an ACL as steps by role oid (the owner's own entry is implicit).
void record_acl(Datum acl_datum, Oid owner, const char *object_sql, const char *column_sql, Steps &steps) {
    Acl *acl = DatumGetAclPCopy(acl_datum);
    const AclItem *items = ACL_DAT(acl);
    for (int i = 0; i < ACL_NUM(acl); i++) {
        const AclItem &item = items[i];
        if (item.ai_grantee == owner) continue;
        const AclMode privs = ACLITEM_GET_PRIVS(item), options = ACLITEM_GET_GOPTIONS(item);
        for (int b = 0; b < N_ACL_RIGHTS; b++) {
            const AclMode bit = static_cast<AclMode>(1) << b;
            const char *name = privilege_name(bit);
            if (!(privs & bit) || !name) continue;
            steps.add(grant_step(object_sql, column_sql, item.ai_grantee, name, (options & bit) != 0), owner);
        }
    }
}

void record_grants(Oid relid, const char *object_sql, Steps &steps) {
    HeapTuple t = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
    if (!HeapTupleIsValid(t)) return;
    const Oid owner = reinterpret_cast<Form_pg_class>(GETSTRUCT(t))->relowner;
    const int natts = reinterpret_cast<Form_pg_class>(GETSTRUCT(t))->relnatts;
    bool isnull = true;
    const Datum acl = SysCacheGetAttr(RELOID, t, Anum_pg_class_relacl, &isnull);
    if (!isnull) record_acl(acl, owner, object_sql, "", steps);
    ReleaseSysCache(t);
    for (AttrNumber a = 1; a <= natts; a++) {
        HeapTuple at = SearchSysCache2(ATTNUM, ObjectIdGetDatum(relid), Int16GetDatum(a));
        if (!HeapTupleIsValid(at)) continue;
        const Form_pg_attribute att = reinterpret_cast<Form_pg_attribute>(GETSTRUCT(at));
        const Datum col_acl = SysCacheGetAttr(ATTNUM, at, Anum_pg_attribute_attacl, &isnull);
        if (!att->attisdropped && !isnull) record_acl(col_acl, owner, object_sql, sql_name(NameStr(att->attname)), steps);
        ReleaseSysCache(at);
    }
}

char *sequence_options(Oid seq) {
    HeapTuple t = SearchSysCache1(SEQRELID, ObjectIdGetDatum(seq));
    if (!HeapTupleIsValid(t)) return pstrdup("");
    const Form_pg_sequence s = reinterpret_cast<Form_pg_sequence>(GETSTRUCT(t));
    char *out = psprintf("AS %s INCREMENT BY " INT64_FORMAT " MINVALUE " INT64_FORMAT " MAXVALUE " INT64_FORMAT
                         " START WITH " INT64_FORMAT " CACHE " INT64_FORMAT " %sCYCLE",
                         format_type_be(s->seqtypid), s->seqincrement, s->seqmin, s->seqmax, s->seqstart, s->seqcache,
                         s->seqcycle ? "" : "NO ");
    ReleaseSysCache(t);
    return out;
}

// A sequence's last value, read as the guard (the dropping role may own just the schema); false
// when it was never called.
bool last_value(Oid seq, int64 *value) {
    Oid saved_user;
    int saved_context;
    GetUserIdAndSecContext(&saved_user, &saved_context);
    SetUserIdAndSecContext(extension_place_pg().owner, saved_context | SECURITY_LOCAL_USERID_CHANGE);
    LOCAL_FCINFO(fcinfo, 1);
    InitFunctionCallInfoData(*fcinfo, nullptr, 1, InvalidOid, nullptr, nullptr);
    fcinfo->args[0].value = ObjectIdGetDatum(seq);
    fcinfo->args[0].isnull = false;
    const Datum d = pg_sequence_last_value(fcinfo);
    SetUserIdAndSecContext(saved_user, saved_context);
    if (fcinfo->isnull) return false;
    *value = DatumGetInt64(d);
    return true;
}

// A publication membership's column list and row filter, as ALTER PUBLICATION ... ADD TABLE takes them.
char *publication_filter(Oid membership, Oid relid) {
    HeapTuple t = SearchSysCache1(PUBLICATIONREL, ObjectIdGetDatum(membership));
    if (!HeapTupleIsValid(t)) return pstrdup("");
    StringInfoData out;
    initStringInfo(&out);
    bool isnull = true;
    const Datum attrs = SysCacheGetAttr(PUBLICATIONREL, t, Anum_pg_publication_rel_prattrs, &isnull);
    if (!isnull) {
        const int2vector *cols = reinterpret_cast<int2vector *>(DatumGetPointer(attrs));
        appendStringInfoString(&out, " (");
        for (int i = 0; i < cols->dim1; i++)
            appendStringInfo(&out, "%s%s", i ? ", " : "", quote_identifier(get_attname(relid, cols->values[i], false)));
        appendStringInfoChar(&out, ')');
    }
    const Datum qual = SysCacheGetAttr(PUBLICATIONREL, t, Anum_pg_publication_rel_prqual, &isnull);
    if (!isnull)
        appendStringInfo(&out, " WHERE (%s)", TextDatumGetCString(DirectFunctionCall2(pg_get_expr, qual, ObjectIdGetDatum(relid))));
    ReleaseSysCache(t);
    return out.data;
}

char *comment_step(const char *what, const char *comment) {
    return psprintf("COMMENT ON %s IS %s", what, quote_literal_cstr(comment));
}

// Whether building the index runs only PostgreSQL's own code (its columns, opclasses,
// collations and any expression all pinned): then a restore may lend the owner CREATE on the
// schema for it (an index needs it) without lending it to code of anybody's.
bool index_runs_no_code(Oid index, Oid relid) {
    ListCell *lc;
    foreach (lc, references(RelationRelationId, index)) {
        const ObjectAddress &r = static_cast<Dep *>(lfirst(lc))->object;
        if (r.classId == RelationRelationId && r.objectId == relid) continue;
        if (r.classId == ConstraintRelationId) continue;  // the key it backs
        if (!builtin_object(r.objectId)) return false;
    }
    return true;
}

// CREATE TRIGGER, and how it fires when not as by default.
void record_trigger(Oid trigger, const char *table, Oid owner, List *&sql, List *&as) {
    Relation rel = table_open(TriggerRelationId, AccessShareLock);
    ScanKeyData key;
    ScanKeyInit(&key, Anum_pg_trigger_oid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(trigger));
    SysScanDesc scan = systable_beginscan(rel, TriggerOidIndexId, true, nullptr, 1, &key);
    HeapTuple t = systable_getnext(scan);
    bool internal = true;
    char enabled = TRIGGER_FIRES_ON_ORIGIN;
    char *name = nullptr;
    if (HeapTupleIsValid(t)) {
        const Form_pg_trigger tg = reinterpret_cast<Form_pg_trigger>(GETSTRUCT(t));
        internal = tg->tgisinternal;
        enabled = tg->tgenabled;
        name = pstrdup(NameStr(tg->tgname));
    }
    systable_endscan(scan);
    table_close(rel, AccessShareLock);
    if (internal) return;  // a foreign key's: comes back with the constraint
    char *owner_name = GetUserNameFromId(owner, true);
    sql = lappend(sql, TextDatumGetCString(DirectFunctionCall1(pg_get_triggerdef, ObjectIdGetDatum(trigger))));
    as = lappend(as, owner_name ? owner_name : pstrdup(""));
    if (enabled == TRIGGER_FIRES_ON_ORIGIN) return;
    sql = lappend(sql, psprintf("ALTER TABLE %s %s TRIGGER %s", table,
                                enabled == TRIGGER_DISABLED       ? "DISABLE"
                                : enabled == TRIGGER_FIRES_ALWAYS ? "ENABLE ALWAYS"
                                                                  : "ENABLE REPLICA",
                                quote_identifier(name)));
    as = lappend(as, owner_name ? owner_name : pstrdup(""));
}

// Records how to recreate a dependent object that the move drops (a view: with the views on it).
void record_dependent(Steps &m, const ObjectAddress &a, const List *dropping, List **seen) {
    if (a.classId == RewriteRelationId) {
        const Oid view = owning_relation(a);
        if (!OidIsValid(view) || list_member_oid(*seen, view)) return;
        *seen = lappend_oid(*seen, view);
        char *def = TextDatumGetCString(DirectFunctionCall2(pg_get_viewdef_ext, ObjectIdGetDatum(view), BoolGetDatum(false)));
        const bool matview = get_rel_relkind(view) == RELKIND_MATVIEW;
        // Its options too (security_barrier, security_invoker, check_option): a view recreated
        // without them would show rows it did not.
        char *options = flat_reloptions(view);
        const char *name = qualified_relation(view);
        const Oid owner = relation_owner(view);
        m.add(psprintf("CREATE %s %s%s%s%s AS %s", matview ? "MATERIALIZED VIEW" : "VIEW", name, options ? " WITH (" : "",
                       options ? options : "", options ? ")" : "", strip_semicolon(def)),
              owner);
        if (char *c = GetComment(view, RelationRelationId, 0)) m.add(comment_step(psprintf("%s %s", matview ? "MATERIALIZED VIEW" : "VIEW", name), c), owner);
        record_grants(view, psprintf("TABLE %s", mg::quote_name({get_namespace_name(get_rel_namespace(view)), get_rel_name(view)}).c_str()), m);
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
            m.add(psprintf("ALTER TABLE %s ADD CONSTRAINT %s %s", qualified_relation(con->conrelid),
                                     quote_identifier(NameStr(con->conname)), def),
                         relation_owner(con->conrelid));
            ReleaseSysCache(t);
            return;
        }
    }
    if (a.classId == PolicyRelationId) {
        if (char *sql = policy_sql(a.objectId)) {
            m.add(sql, relation_owner(owning_relation(a)));
            return;
        }
    }
    m.add(psprintf("-- not recreated: %s", getObjectDescription(&a, true)), InvalidOid);
}

}  // namespace

const char *why_not_keepable(Oid relid, const List *dropping, bool restrict_drop) {
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
    return why_not_inert(relid);
}

void record_table(Oid relid, const List *dropping, List **steps_out, List **as_out) {
    Relation rel = relation_open(relid, NoLock);
    const Oid owner = rel->rd_rel->relowner;
    const char *table = qualified_relation(relid);
    const TupleDesc desc = RelationGetDescr(rel);
    const TupleConstr *constr = desc->constr;
    auto default_of = [&](AttrNumber attnum) -> char * {
        for (int i = 0; constr && i < constr->num_defval; i++)
            if (constr->defval[i].adnum == attnum)
                return TextDatumGetCString(
                    DirectFunctionCall2(pg_get_expr, CStringGetTextDatum(constr->defval[i].adbin), ObjectIdGetDatum(relid)));
        return nullptr;
    };
    Steps before, create, after, keys, foreign, rest, grants;
    List *sequences = getOwnedSequences(relid);

    // The table itself, with the columns as the kept copy holds them (text for the database's
    // types); "@rows" puts the rows back, then the types return by oid.
    StringInfoData columns;
    initStringInfo(&columns);
    for (int i = 0; i < desc->natts; i++) {
        const Form_pg_attribute att = TupleDescAttr(desc, i);
        if (att->attisdropped) continue;
        const char *name = quote_identifier(NameStr(att->attname));
        const bool as_text = kept_as_text(att->atttypid, att->attcollation);
        appendStringInfo(&columns, "%s%s %s", columns.len ? ", " : "", name,
                         as_text ? "pg_catalog.text" : format_type_with_typemod(att->atttypid, att->atttypmod));
        if (!as_text && OidIsValid(att->attcollation) && att->attcollation != get_typcollation(att->atttypid))
            appendStringInfo(&columns, " COLLATE %s", generate_collation_name(att->attcollation));
        if (att->attgenerated) {
            appendStringInfo(&columns, " GENERATED ALWAYS AS (%s) %s", default_of(att->attnum),
                             mg::pg::generated_kind(att->attgenerated));
        } else if (att->attidentity) {
            const Oid seq = mg::pg::identity_sequence(relid, att->attnum);
            appendStringInfo(&columns, " GENERATED %s AS IDENTITY (%s)",
                             att->attidentity == ATTRIBUTE_IDENTITY_ALWAYS ? "ALWAYS" : "BY DEFAULT",
                             OidIsValid(seq) ? sequence_options(seq) : "");
            int64 last = 0;
            if (OidIsValid(seq) && last_value(seq, &last))
                after.add(psprintf("SELECT pg_catalog.setval(pg_catalog.pg_get_serial_sequence(%s, %s), " INT64_FORMAT ")",
                                   quote_literal_cstr(table), quote_literal_cstr(quote_identifier(NameStr(att->attname))), last),
                          owner);
        } else {
            if (as_text) after.add(type_step(NameStr(att->attname), att->atttypid, att->atttypmod, att->attcollation), owner);
            if (char *def = default_of(att->attnum))
                keys.add(psprintf("ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s", table, name, def), owner);
        }
        // On 18 the column's NOT NULL constraint comes back with the constraints, by its name and
        // NOT VALID where it was.
        if (att->attnotnull && !att->attidentity && !mg::pg::not_null_constraint_name(relid, NameStr(att->attname)))
            keys.add(psprintf("ALTER TABLE %s ALTER COLUMN %s SET NOT NULL", table, name), owner);
        if (char *c = GetComment(relid, RelationRelationId, att->attnum))
            rest.add(comment_step(psprintf("COLUMN %s.%s", table, name), c), owner);
    }
    char *options = flat_reloptions(relid);
    create.add(psprintf("CREATE %sTABLE %s (%s)%s%s%s", rel->rd_rel->relpersistence == RELPERSISTENCE_UNLOGGED ? "UNLOGGED " : "",
                        table, columns.data, options ? " WITH (" : "", options ? options : "", options ? ")" : ""),
               owner);
    create.add(pstrdup("@rows"), owner);
    if (OidIsValid(rel->rd_rel->reloftype)) after.add(psprintf("@of\t%u", rel->rd_rel->reloftype), owner);

    // Sequences it owns (serial columns): made before the defaults that call them.
    ListCell *lc;
    foreach (lc, sequences) {
        const Oid seq = lfirst_oid(lc);
        bool identity = false;
        for (int i = 0; i < desc->natts; i++) {
            const Form_pg_attribute att = TupleDescAttr(desc, i);
            if (!att->attisdropped && att->attidentity && mg::pg::identity_sequence(relid, att->attnum) == seq) identity = true;
        }
        if (identity) continue;
        const char *sequence = qualified_relation(seq);
        before.add(psprintf("CREATE SEQUENCE %s %s", sequence, sequence_options(seq)), owner);
        int64 last = 0;
        if (last_value(seq, &last))
            before.add(psprintf("SELECT pg_catalog.setval(%s, " INT64_FORMAT ")", quote_literal_cstr(sequence), last), owner);
        // Which column owns it.
        ListCell *d;
        foreach (d, references(RelationRelationId, seq)) {
            const ObjectAddress *a = &static_cast<Dep *>(lfirst(d))->object;
            if (a->classId == RelationRelationId && a->objectId == relid && a->objectSubId > 0)
                rest.add(psprintf("ALTER SEQUENCE %s OWNED BY %s.%s", sequence, table,
                                  quote_identifier(get_attname(relid, a->objectSubId, false))),
                         owner);
        }
        record_grants(seq, psprintf("SEQUENCE %s", mg::quote_name({get_namespace_name(get_rel_namespace(seq)), get_rel_name(seq)}).c_str()), grants);
    }

    // Constraints (foreign keys last: they may need this table's own keys) and indexes.
    foreach (lc, constraints_of(relid)) {
        HeapTuple t = SearchSysCache1(CONSTROID, ObjectIdGetDatum(lfirst_oid(lc)));
        if (!HeapTupleIsValid(t)) continue;
        const Form_pg_constraint con = reinterpret_cast<Form_pg_constraint>(GETSTRUCT(t));
        char *sql = psprintf("ALTER TABLE %s ADD CONSTRAINT %s %s", table, quote_identifier(NameStr(con->conname)),
                             TextDatumGetCString(DirectFunctionCall1(pg_get_constraintdef, ObjectIdGetDatum(lfirst_oid(lc)))));
        if (con->contype == CONSTRAINT_FOREIGN) foreign.add(sql, owner);
        else keys.add(OidIsValid(con->conindid) && index_runs_no_code(con->conindid, relid) ? psprintf("@create\t%s", sql) : sql, owner);
        if (char *c = GetComment(lfirst_oid(lc), ConstraintRelationId, 0))
            rest.add(comment_step(psprintf("CONSTRAINT %s ON %s", quote_identifier(NameStr(con->conname)), table), c), owner);
        ReleaseSysCache(t);
    }
    foreach (lc, RelationGetIndexList(rel)) {
        const Oid index = lfirst_oid(lc);
        if (!OidIsValid(get_index_constraint(index))) {
            char *sql = TextDatumGetCString(DirectFunctionCall1(pg_get_indexdef, ObjectIdGetDatum(index)));
            keys.add(index_runs_no_code(index, relid) ? psprintf("@create\t%s", sql) : sql, owner);
        }
        if (rel->rd_rel->relreplident == REPLICA_IDENTITY_INDEX && index == RelationGetReplicaIndex(rel))
            rest.add(psprintf("ALTER TABLE %s REPLICA IDENTITY USING INDEX %s", table, quote_identifier(get_rel_name(index))), owner);
    }
    if (rel->rd_rel->relreplident == REPLICA_IDENTITY_FULL) rest.add(psprintf("ALTER TABLE %s REPLICA IDENTITY FULL", table), owner);
    if (rel->rd_rel->relreplident == REPLICA_IDENTITY_NOTHING)
        rest.add(psprintf("ALTER TABLE %s REPLICA IDENTITY NOTHING", table), owner);
    if (rel->rd_rel->relrowsecurity) rest.add(psprintf("ALTER TABLE %s ENABLE ROW LEVEL SECURITY", table), owner);
    if (rel->rd_rel->relforcerowsecurity) rest.add(psprintf("ALTER TABLE %s FORCE ROW LEVEL SECURITY", table), owner);

    // Triggers, rules, policies, statistics, publications: the table's own objects in pg_depend.
    List *seen = NIL;
    foreach (lc, dependents(RelationRelationId, relid)) {
        const Dep *d = static_cast<Dep *>(lfirst(lc));
        const ObjectAddress &o = d->object;
        if (d->deptype != DEPENDENCY_AUTO) continue;
        bool done = false;
        ListCell *s;
        foreach (s, seen) done = done || (static_cast<ObjectAddress *>(lfirst(s))->classId == o.classId &&
                                          static_cast<ObjectAddress *>(lfirst(s))->objectId == o.objectId);
        if (done) continue;
        ObjectAddress *copy = static_cast<ObjectAddress *>(palloc(sizeof(ObjectAddress)));
        *copy = o;
        seen = lappend(seen, copy);
        if (o.classId == TriggerRelationId) {
            record_trigger(o.objectId, table, owner, rest.sql, rest.as);
        } else if (o.classId == RewriteRelationId) {
            rest.add(strip_semicolon(TextDatumGetCString(DirectFunctionCall1(pg_get_ruledef, ObjectIdGetDatum(o.objectId)))), owner);
        } else if (o.classId == PolicyRelationId) {
            if (char *sql = policy_sql(o.objectId)) rest.add(sql, owner);
        } else if (o.classId == StatisticExtRelationId) {
            HeapTuple t = SearchSysCache1(STATEXTOID, ObjectIdGetDatum(o.objectId));
            Oid stats_owner = owner;
            if (HeapTupleIsValid(t)) {
                stats_owner = reinterpret_cast<Form_pg_statistic_ext>(GETSTRUCT(t))->stxowner;
                ReleaseSysCache(t);
            }
            rest.add(TextDatumGetCString(DirectFunctionCall1(pg_get_statisticsobjdef, ObjectIdGetDatum(o.objectId))), stats_owner);
        } else if (o.classId == PublicationRelRelationId) {
            HeapTuple t = SearchSysCache1(PUBLICATIONREL, ObjectIdGetDatum(o.objectId));
            if (!HeapTupleIsValid(t)) continue;
            const Oid pub = reinterpret_cast<Form_pg_publication_rel>(GETSTRUCT(t))->prpubid;
            ReleaseSysCache(t);
            HeapTuple p = SearchSysCache1(PUBLICATIONOID, ObjectIdGetDatum(pub));
            if (!HeapTupleIsValid(p)) continue;
            const Form_pg_publication pf = reinterpret_cast<Form_pg_publication>(GETSTRUCT(p));
            // With its column list and row filter: without them the table would publish more.
            rest.add(psprintf("ALTER PUBLICATION %s ADD TABLE %s%s", quote_identifier(NameStr(pf->pubname)), table,
                              publication_filter(o.objectId, relid)),
                     pf->pubowner);
            ReleaseSysCache(p);
        }
    }
    if (char *c = GetComment(relid, RelationRelationId, 0)) rest.add(comment_step(psprintf("TABLE %s", table), c), owner);
    record_grants(relid, psprintf("TABLE %s", mg::quote_name({get_namespace_name(get_rel_namespace(relid)), get_rel_name(relid)}).c_str()),
                  grants);
    if (OidIsValid(rel->rd_rel->reltablespace) && rel->rd_rel->reltablespace != MyDatabaseTableSpace)
        grants.add(psprintf("ALTER TABLE %s SET TABLESPACE %s", table, quote_identifier(get_tablespace_name(rel->rd_rel->reltablespace))),
                   owner);
    relation_close(rel, NoLock);

    // What depends on it from outside: the drop takes it, a restore brings it back.
    Steps outside;
    List *seen_views = NIL;
    foreach (lc, outside_dependents(relid, dropping))
        record_dependent(outside, *static_cast<ObjectAddress *>(lfirst(lc)), dropping, &seen_views);

    Steps all;
    all.append(before);
    all.append(create);
    all.append(after);
    all.append(keys);
    all.append(foreign);
    all.append(rest);
    all.append(grants);
    all.append(outside);
    *steps_out = all.sql;
    *as_out = all.as;
}

Oid kept_schema_oid() { return get_namespace_oid(kKeptSchema, false); }

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
    if (!member) {
        // Its row type and that type's array type, where ALTER EXTENSION ADD made them members.
        const Oid rowtype = get_rel_type_id(relid);
        if (OidIsValid(rowtype)) {
            deleteDependencyRecordsForSpecific(TypeRelationId, rowtype, DEPENDENCY_EXTENSION, ExtensionRelationId, extension);
            const Oid array = get_array_type(rowtype);
            if (OidIsValid(array))
                deleteDependencyRecordsForSpecific(TypeRelationId, array, DEPENDENCY_EXTENSION, ExtensionRelationId, extension);
        }
    }
    CommandCounterIncrement();
}

}  // namespace mg::server
