#include "server/recycle_bin/inert.hpp"

#include <cstring>
#include <vector>

#include "server/extension_cache.hpp"
#include "server/recycle_bin/catalog_walk.hpp"
#include "server/recycle_bin/internal_sql.hpp"

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

}  // namespace

bool kept_as_text(Oid type, Oid collation) {
    return !builtin_object(type) || (OidIsValid(collation) && !builtin_object(collation));
}

char *type_step(const char *column, Oid type, int32 typmod, Oid collation) {
    // The type's name is for messages only: no tab (the field separator) or other control character.
    char *name = pstrdup(format_type_with_typemod(type, typmod));
    for (char *p = name; *p; p++)
        if (static_cast<unsigned char>(*p) < 0x20 || *p == 0x7f) *p = '?';
    return psprintf("@type\t%u\t%d\t%u\t%s\t%s", type, typmod, collation, name, column);
}

char *grant_step(const char *object_sql, const char *column_sql, Oid role, const char *privilege, bool grantable) {
    char *name = role == ACL_ID_PUBLIC ? pstrdup("PUBLIC") : GetUserNameFromId(role, true);
    return psprintf("@grant\t%u\t%s\t%d\t%s\t%s\t%s", role, privilege, grantable ? 1 : 0, object_sql, column_sql,
                    name ? name : "?");
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
            foreach (r, references(AttrDefaultRelationId, d->object.objectId)) {
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

char *restore_type_sql(const std::string &step, const char **why) {
    *why = nullptr;
    // @type, oid, typmod, collation oid, type name then (for messages), column.
    std::vector<std::string> f;
    size_t start = 0;
    for (size_t tab; f.size() < 5 && (tab = step.find('\t', start)) != std::string::npos; start = tab + 1)
        f.push_back(step.substr(start, tab - start));
    f.push_back(step.substr(start));
    if (f.size() != 6 || f[0] != "@type") {
        *why = "the kept column's type was not recorded";
        return nullptr;
    }
    const Oid type = static_cast<Oid>(strtoul(f[1].c_str(), nullptr, 10));
    const Oid collation = static_cast<Oid>(strtoul(f[3].c_str(), nullptr, 10));
    const int32 typmod = static_cast<int32>(strtol(f[2].c_str(), nullptr, 10));
    const char *column = quote_identifier(f[5].c_str());
    if (!SearchSysCacheExists1(TYPEOID, ObjectIdGetDatum(type))) {
        *why = psprintf("column %s stays text: its type %s was dropped since", column, f[4].c_str());
        return nullptr;
    }
    const char *type_sql = format_type_with_typemod(type, typmod);
    if (OidIsValid(collation) && collation != get_typcollation(type)) {
        HeapTuple c = SearchSysCache1(COLLOID, ObjectIdGetDatum(collation));
        if (!HeapTupleIsValid(c)) {
            *why = psprintf("column %s stays text: its collation was dropped since", column);
            return nullptr;
        }
        const Form_pg_collation coll = reinterpret_cast<Form_pg_collation>(GETSTRUCT(c));
        type_sql = psprintf("%s COLLATE %s", type_sql,
                            quote_qualified_identifier(get_namespace_name(coll->collnamespace), NameStr(coll->collname)));
        ReleaseSysCache(c);
    }
    return pstrdup(type_sql);
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
        const char *column = quote_identifier(f[5].c_str());
        char *type_sql = restore_type_sql(step, why);
        if (!type_sql) return nullptr;
        const char *bare_type = pstrdup(type_sql);
        if (char *collate = strstr(const_cast<char *>(bare_type), " COLLATE ")) *collate = '\0';
        return psprintf("ALTER TABLE %s ALTER COLUMN %s TYPE %s USING %s::%s", table, column, type_sql, column, bare_type);
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
        // @grant, role oid, privilege, grantable, object, column (both quoted without control
        // characters), and last the role's name when it was recorded.
        const Oid role = oid_of(f[1]);
        const char *grantee = role == ACL_ID_PUBLIC ? "PUBLIC" : nullptr;
        if (!grantee) {
            char *name = GetUserNameFromId(role, true);
            if (!name) {
                *why = psprintf("%s on %s to %s: the role was dropped since", f[2].c_str(), f[4].c_str(), quote_identifier(f[6].c_str()));
                return nullptr;
            }
            grantee = quote_identifier(name);
        }
        const std::string column = f[5].empty() ? "" : " (" + f[5] + ")";
        return psprintf("GRANT %s%s ON %s TO %s%s", f[2].c_str(), column.c_str(), f[4].c_str(), grantee,
                        f[3] == "1" ? " WITH GRANT OPTION" : "");
    }
    *why = psprintf("unknown step %s", f[0].c_str());
    return nullptr;
}

}  // namespace mg::server
