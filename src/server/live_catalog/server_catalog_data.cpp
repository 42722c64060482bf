// ServerCatalog's looks at the data (failure predictions) and at pg_depend (what a CASCADE takes).
#include "server/boundary.hpp"
#include "server/live_catalog/data_checks.hpp"
#include "server/pinned_path.hpp"
#include "server/live_catalog/server_catalog.hpp"
#include "server/settings.hpp"

extern "C" {
#include "access/relation.h"
#include "catalog/pg_class.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_depend.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_namespace.h"
#include "commands/extension.h"
#include "storage/lmgr.h"
#include "catalog/pg_index.h"
#include "parser/parse_coerce.h"
#include "parser/parse_type.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/typcache.h"
#include "utils/acl.h"
#include "access/transam.h"
}

namespace mg::server {

namespace {

std::string quoted(const std::string &identifier) {
    const char *q = nullptr;
    pg_call([&] { q = quote_identifier(identifier.c_str()); });
    return q;
}

std::string column_list(const std::vector<std::string> &cols, const char *prefix = "") {
    std::string out;
    for (const auto &c : cols) out += (out.empty() ? "" : ", ") + std::string(prefix) + quoted(c);
    return out;
}

std::string not_null_all(const std::vector<std::string> &cols, const char *prefix) {
    std::string out;
    for (const auto &c : cols) out += (out.empty() ? "" : " AND ") + std::string(prefix) + quoted(c) + " IS NOT NULL";
    return out;
}

// PostgreSQL's own (pinned by initdb): no role wrote it.
bool pinned(Oid oid) { return OidIsValid(oid) && oid < FirstUnpinnedObjectId; }

// Whether comparing values of the columns runs only PostgreSQL's own code: the types and their
// equality (and hashing) operators built in. Otherwise a data check would run code some role
// wrote, as the table's owner, on anybody's request: the answer is then unknown.
bool builtin_comparison(Oid relid, const std::vector<std::string> &cols) {
    bool ok = true;
    pg_call([&] {
        for (const auto &c : cols) {
            const AttrNumber a = get_attnum(relid, c.c_str());
            if (a <= 0) continue;
            const Oid type = get_atttype(relid, a);
            TypeCacheEntry *t = lookup_type_cache(type, TYPECACHE_EQ_OPR | TYPECACHE_HASH_PROC);
            ok = ok && pinned(type) && pinned(t->eq_opr) && (!OidIsValid(t->hash_proc) || pinned(t->hash_proc));
        }
    });
    return ok;
}

// Whose rights a data check on the table runs with: its owner's; none (the answer is unknown)
// when the caller may not read the table itself, since a count tells about its rows.
Oid owner_of(Oid relid) {
    Oid owner = InvalidOid;
    pg_call([&] {
        if (pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK) return;
        HeapTuple t = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
        if (!HeapTupleIsValid(t)) return;
        owner = reinterpret_cast<Form_pg_class>(GETSTRUCT(t))->relowner;
        ReleaseSysCache(t);
    });
    return owner;
}

bool has_columns(Oid relid, const std::vector<std::string> &cols) {
    bool all = true;
    pg_call([&] {
        for (const auto &c : cols)
            if (get_attnum(relid, c.c_str()) <= 0) all = false;
    });
    return all && !cols.empty();
}

}  // namespace

std::optional<DataCount> ServerCatalog::count_nulls(const QualifiedName &t, const std::string &col) const {
    const Oid relid = relation(t);
    auto facts = table(t);
    if (!OidIsValid(relid) || !facts || !has_columns(relid, {col})) return std::nullopt;
    return bounded_count("SELECT 1 FROM (SELECT " + quoted(col) + " AS v FROM " + scan_source(relid) + " LIMIT " +
                             std::to_string(check_rows()) + ") s WHERE v IS NULL",
                         facts->rows, owner_of(relid));
}

std::optional<DataCount> ServerCatalog::count_duplicates(const QualifiedName &t, const std::vector<std::string> &cols) const {
    const Oid relid = relation(t);
    auto facts = table(t);
    if (!OidIsValid(relid) || !facts || !has_columns(relid, cols) || !builtin_comparison(relid, cols)) return std::nullopt;
    return bounded_count("SELECT 1 FROM (SELECT " + column_list(cols) + " FROM " + scan_source(relid) + " LIMIT " +
                             std::to_string(check_rows()) + ") s WHERE " + not_null_all(cols, "s.") + " GROUP BY " +
                             column_list(cols, "s.") + " HAVING count(*) > 1",
                         facts->rows, owner_of(relid));
}

std::optional<DataCount> ServerCatalog::count_orphans(const QualifiedName &t, const std::vector<std::string> &cols,
                                                      const QualifiedName &ref,
                                                      const std::vector<std::string> &ref_cols) const {
    const Oid relid = relation(t), ref_relid = relation(ref);
    auto facts = table(t);
    if (!OidIsValid(relid) || !OidIsValid(ref_relid) || !facts || !has_columns(relid, cols)) return std::nullopt;
    std::vector<std::string> targets = ref_cols;
    if (targets.empty()) targets = primary_key_columns(ref_relid);
    if (targets.size() != cols.size() || !has_columns(ref_relid, targets)) return std::nullopt;
    if (!builtin_comparison(relid, cols) || !builtin_comparison(ref_relid, targets)) return std::nullopt;
    // Read as the referencing table's owner: the referenced table's row security (its owner's
    // policies) would otherwise run as that role, so the answer is then unknown.
    const Oid owner = owner_of(relid);
    bool foreign_policies = false;
    pg_call([&] {
        HeapTuple t = SearchSysCache1(RELOID, ObjectIdGetDatum(ref_relid));
        if (!HeapTupleIsValid(t)) return;
        const Form_pg_class c = reinterpret_cast<Form_pg_class>(GETSTRUCT(t));
        foreign_policies = c->relrowsecurity && c->relowner != owner;
        ReleaseSysCache(t);
    });
    if (foreign_policies) return std::nullopt;
    std::string match;
    for (size_t i = 0; i < cols.size(); ++i)
        match += (i ? " AND " : "") + std::string("r.") + quoted(targets[i]) + " = s." + quoted(cols[i]);
    return bounded_count("SELECT 1 FROM (SELECT " + column_list(cols) + " FROM " + scan_source(relid) +
                             " LIMIT " + std::to_string(check_rows()) + ") s WHERE " + not_null_all(cols, "s.") +
                             " AND NOT EXISTS (SELECT 1 FROM " + scan_source(ref_relid) + " r WHERE " + match +
                             ")",
                         facts->rows, owner);
}

std::optional<DataCount> ServerCatalog::count_failed_casts(const QualifiedName &t, const std::string &col,
                                                           const std::string &sql_type, bool explicit_cast) const {
    const Oid relid = relation(t);
    auto facts = table(t);
    if (!OidIsValid(relid) || !facts || !has_columns(relid, {col})) return std::nullopt;
    const char *type_literal = nullptr;
    bool castable = true, readable = true;
    pg_call([&] {
        type_literal = quote_literal_cstr(sql_type.c_str());
        const AttrNumber attnum = get_attnum(relid, col.c_str());
        Oid target = InvalidOid;
        int32 typmod;
        // The type as the engine spells it: a quoted name PostgreSQL reads differently is a
        // syntax error here, which must leave the answer unknown, not fail the statement.
        ErrorData *error = pg_subtransaction([&] { mg::pg::parse_type_string(sql_type.c_str(), &target, &typmod, true); });
        if (is_interrupt(error)) ReThrowError(error);
        readable = !error;
        Oid func = InvalidOid;
        castable = OidIsValid(target) &&
                   find_coercion_pathway(target, get_atttype(relid, attnum),
                                         explicit_cast ? COERCION_EXPLICIT : COERCION_ASSIGNMENT, &func) != COERCION_PATH_NONE;
        // A type, domain or cast some role made would run its code (a CHECK, a cast function) as
        // the table's owner for whoever asks: unknown instead. Only PostgreSQL's own conversions
        // are tried on the data.
        const Oid element = OidIsValid(target) ? get_element_type(target) : InvalidOid;
        if (castable && (!pinned(target) || (OidIsValid(element) && !pinned(element)) || (OidIsValid(func) && !pinned(func))))
            readable = false;
    });
    if (!readable) return std::nullopt;
    if (!castable) {
        DataCount none;
        none.impossible = true;
        return none;
    }
    return bounded_count("SELECT 1 FROM (SELECT " + quoted(col) + " AS v FROM " + scan_source(relid) +
                             " LIMIT " + std::to_string(check_rows()) +
                             ") s WHERE v IS NOT NULL AND migration_guard.cast_fails(v, " + type_literal + (explicit_cast ? ", true" : "") + ")",
                         facts->rows, owner_of(relid));
}

std::vector<std::string> ServerCatalog::cascade_targets(const std::string &kind, const QualifiedName &object,
                                                        const std::string &sub_object) const {
    // The starting object's address, resolved here the way the statement resolves it (the
    // caller's search_path); the walk itself then runs with the guard's pinned path.
    Oid classid = InvalidOid, objid = InvalidOid;
    int32 objsubid = 0;
    if (kind == "table" || kind == "view" || kind == "sequence" || kind == "column" || kind == "constraint") {
        const Oid relid = relation(object);
        if (!OidIsValid(relid)) return {};
        classid = RelationRelationId;
        objid = relid;
        if (kind == "column") {
            pg_call([&] { objsubid = get_attnum(relid, sub_object.c_str()); });
            if (objsubid <= 0) return {};
        } else if (kind == "constraint") {
            classid = ConstraintRelationId;
            pg_call([&] { objid = get_relation_constraint_oid(relid, sub_object.c_str(), true); });
        }
    } else if (kind == "schema") {
        classid = NamespaceRelationId;
        pg_call([&] { objid = get_namespace_oid(object.name.c_str(), true); });
    } else if (kind == "type") {
        classid = TypeRelationId;
        const std::string name = object.schema.empty() ? quoted(object.name) : quoted(object.schema) + "." + quoted(object.name);
        pg_call([&] {
            int32 typmod;
            mg::pg::parse_type_string(name.c_str(), &objid, &typmod, true);
        });
    } else if (kind == "extension") {
        classid = ExtensionRelationId;
        pg_call([&] { objid = get_extension_oid(object.name.c_str(), true); });
    } else {
        return {};
    }
    if (!OidIsValid(objid)) return {};
    // Walks normal, automatic, internal and extension dependencies down from the object; an
    // internal part (a view's rewrite rule) leads up to the object that owns it (the view).
    // Every function and operator is pg_catalog's, spelled out.
    static const char *const query =
        "WITH RECURSIVE deps(classid, objid, objsubid, cascaded, depth) AS ("
        "  SELECT $1::pg_catalog.oid, $2::pg_catalog.oid, $3::pg_catalog.int4, false, 0"
        "  UNION"
        "  SELECT x.classid, x.objid, x.objsubid, x.cascaded, x.depth FROM deps, LATERAL ("
        "    SELECT d.classid, d.objid, d.objsubid, deps.cascaded OR d.deptype OPERATOR(pg_catalog.=) 'n' AS cascaded,"
        "           deps.depth OPERATOR(pg_catalog.+) 1 AS depth"
        "    FROM pg_catalog.pg_depend d WHERE d.refclassid OPERATOR(pg_catalog.=) deps.classid"
        "     AND d.refobjid OPERATOR(pg_catalog.=) deps.objid"
        "     AND (deps.objsubid OPERATOR(pg_catalog.=) 0 OR d.refobjsubid OPERATOR(pg_catalog.=) deps.objsubid)"
        "     AND d.deptype OPERATOR(pg_catalog.=) ANY ('{n,a,i,e}'::pg_catalog.\"char\"[])"
        "    UNION ALL"
        "    SELECT o.refclassid, o.refobjid, 0, deps.cascaded, deps.depth OPERATOR(pg_catalog.+) 1"
        "    FROM pg_catalog.pg_depend o WHERE o.classid OPERATOR(pg_catalog.=) deps.classid"
        "     AND o.objid OPERATOR(pg_catalog.=) deps.objid AND o.deptype OPERATOR(pg_catalog.=) 'i'"
        "  ) x WHERE deps.depth OPERATOR(pg_catalog.<) 16"
        ") "
        "SELECT t FROM ("
        " SELECT DISTINCT i.type OPERATOR(pg_catalog.||) E'\\t' OPERATOR(pg_catalog.||) i.identity AS t"
        " FROM deps, pg_catalog.pg_identify_object(deps.classid, deps.objid, deps.objsubid) i "
        " WHERE deps.cascaded AND i.type OPERATOR(pg_catalog.=) ANY ('{table,\"table column\",view,\"materialized view\","
        "function,\"table constraint\",trigger,policy,sequence,\"foreign table\",domain}'::pg_catalog.text[]) "
        " AND NOT (i.type OPERATOR(pg_catalog.=) 'trigger' AND i.identity OPERATOR(pg_catalog.~~) '\"RI\\_ConstraintTrigger%') "
        " ORDER BY 1 LIMIT 500) o"
        // An object of the guard's own reached: PostgreSQL would take the whole extension with it.
        " UNION ALL SELECT 'migration_guard' OPERATOR(pg_catalog.||) E'\\t' OPERATOR(pg_catalog.||)"
        "  pg_catalog.pg_describe_object(m.classid, m.objid, 0) FROM ("
        "  SELECT e.classid, e.objid FROM deps JOIN pg_catalog.pg_depend e ON e.classid OPERATOR(pg_catalog.=) deps.classid"
        "   AND e.objid OPERATOR(pg_catalog.=) deps.objid AND e.deptype OPERATOR(pg_catalog.=) 'e'"
        "   AND e.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass"
        "   JOIN pg_catalog.pg_extension x ON x.oid OPERATOR(pg_catalog.=) e.refobjid"
        "   AND x.extname OPERATOR(pg_catalog.=) 'migration_guard'"
        "  WHERE deps.cascaded LIMIT 1) m";
    std::vector<std::string> out;
    List *rows = NIL;
    ErrorData *error = nullptr;
    pg_call([&] {
        MemoryContext outer = CurrentMemoryContext;  // outlives the subtransaction
        error = pg_subtransaction([&] {
            with_pinned_search_path([&] {
                if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
                Oid types[3] = {OIDOID, OIDOID, INT4OID};
                Datum args[3] = {ObjectIdGetDatum(classid), ObjectIdGetDatum(objid), Int32GetDatum(objsubid)};
                if (SPI_execute_with_args(query, 3, types, args, nullptr, true, 0) == SPI_OK_SELECT)
                    for (uint64 i = 0; i < SPI_processed; i++) {
                        MemoryContext old = MemoryContextSwitchTo(outer);
                        rows = lappend(rows, pstrdup(SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1)));
                        MemoryContextSwitchTo(old);
                    }
                SPI_finish();
            });
        });
        if (is_interrupt(error)) ReThrowError(error);
    });
    // A failed catalog look-up (rolled back with its subtransaction) leaves the list unknown,
    // not the statement.
    if (error) return {};
    ListCell *lc;
    foreach (lc, rows) out.emplace_back(static_cast<char *>(lfirst(lc)));
    return out;
}

std::string ServerCatalog::scan_source(Oid relid) const {
    // ONLY the table itself, unless it is partitioned: then its partitions hold the rows.
    bool partitioned = false;
    pg_call([&] { partitioned = get_rel_relkind(relid) == RELKIND_PARTITIONED_TABLE; });
    return (partitioned ? "" : "ONLY ") + qualified_name(relid);
}

std::string ServerCatalog::qualified_name(Oid relid) const {
    const char *q = nullptr;
    pg_call([&] { q = quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)), get_rel_name(relid)); });
    return q;
}

std::vector<std::string> ServerCatalog::primary_key_columns(Oid relid) const {
    List *names = NIL;
    pg_call([&] {
        Relation rel = open_without_waiting(relid);
        if (!rel) return;
        const Oid pk = mg::pg::primary_key_index(rel);
        if (OidIsValid(pk)) {
            HeapTuple tuple = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(pk));
            if (HeapTupleIsValid(tuple)) {
                Form_pg_index index = reinterpret_cast<Form_pg_index>(GETSTRUCT(tuple));
                for (int i = 0; i < index->indnkeyatts; i++)
                    names = lappend(names, get_attname(relid, index->indkey.values[i], false));
                ReleaseSysCache(tuple);
            }
        }
        close_after_look(rel);
    });
    std::vector<std::string> out;
    ListCell *lc;
    foreach (lc, names) out.emplace_back(static_cast<char *>(lfirst(lc)));
    return out;
}

}  // namespace mg::server
