// ServerCatalog's looks at the data (failure predictions) and at pg_depend (what a CASCADE takes).
#include "server/boundary.hpp"
#include "server/data_checks.hpp"
#include "server/server_catalog.hpp"
#include "server/settings.hpp"

extern "C" {
#include "access/relation.h"
#include "catalog/pg_class.h"
#include "storage/lmgr.h"
#include "catalog/pg_index.h"
#include "parser/parse_coerce.h"
#include "parser/parse_type.h"
#include "utils/rel.h"
#include "utils/relcache.h"
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
                         facts->rows);
}

std::optional<DataCount> ServerCatalog::count_duplicates(const QualifiedName &t, const std::vector<std::string> &cols) const {
    const Oid relid = relation(t);
    auto facts = table(t);
    if (!OidIsValid(relid) || !facts || !has_columns(relid, cols)) return std::nullopt;
    return bounded_count("SELECT 1 FROM (SELECT " + column_list(cols) + " FROM " + scan_source(relid) + " LIMIT " +
                             std::to_string(check_rows()) + ") s WHERE " + not_null_all(cols, "s.") + " GROUP BY " +
                             column_list(cols, "s.") + " HAVING count(*) > 1",
                         facts->rows);
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
    std::string match;
    for (size_t i = 0; i < cols.size(); ++i)
        match += (i ? " AND " : "") + std::string("r.") + quoted(targets[i]) + " = s." + quoted(cols[i]);
    return bounded_count("SELECT 1 FROM (SELECT " + column_list(cols) + " FROM " + scan_source(relid) +
                             " LIMIT " + std::to_string(check_rows()) + ") s WHERE " + not_null_all(cols, "s.") +
                             " AND NOT EXISTS (SELECT 1 FROM " + scan_source(ref_relid) + " r WHERE " + match +
                             ")",
                         facts->rows);
}

std::optional<DataCount> ServerCatalog::count_failed_casts(const QualifiedName &t, const std::string &col,
                                                           const std::string &sql_type) const {
    const Oid relid = relation(t);
    auto facts = table(t);
    if (!OidIsValid(relid) || !facts || !has_columns(relid, {col})) return std::nullopt;
    const char *type_literal = nullptr;
    bool castable = true;
    pg_call([&] {
        type_literal = quote_literal_cstr(sql_type.c_str());
        const AttrNumber attnum = get_attnum(relid, col.c_str());
        Oid target;
        int32 typmod;
        parseTypeString(sql_type.c_str(), &target, &typmod, true);
        Oid func;
        castable = OidIsValid(target) &&
                   find_coercion_pathway(target, get_atttype(relid, attnum), COERCION_ASSIGNMENT, &func) != COERCION_PATH_NONE;
    });
    if (!castable) {
        DataCount none;
        none.impossible = true;
        return none;
    }
    return bounded_count("SELECT 1 FROM (SELECT " + quoted(col) + " AS v FROM " + scan_source(relid) +
                             " LIMIT " + std::to_string(check_rows()) +
                             ") s WHERE v IS NOT NULL AND migration_guard.cast_fails(v, " + type_literal + ")",
                         facts->rows);
}

std::vector<std::string> ServerCatalog::cascade_targets(const std::string &kind, const QualifiedName &object,
                                                        const std::string &sub_object) const {
    // The starting object's address, by kind; then everything that depends on it with a normal
    // dependency (which only CASCADE overrides), and what depends on those in turn.
    std::string start;
    const std::string name = object.schema.empty() ? quoted(object.name) : quoted(object.schema) + "." + quoted(object.name);
    const char *lit = nullptr;
    pg_call([&] { lit = quote_literal_cstr(name.c_str()); });
    const std::string literal = lit;
    if (kind == "table" || kind == "view" || kind == "sequence") {
        start = "SELECT 'pg_class'::regclass::oid, to_regclass(" + literal + ")::oid, 0";
    } else if (kind == "column") {
        const char *col = nullptr;
        pg_call([&] { col = quote_literal_cstr(sub_object.c_str()); });
        start = "SELECT 'pg_class'::regclass::oid, a.attrelid, a.attnum::int FROM pg_attribute a WHERE a.attrelid = "
                "to_regclass(" + literal + ") AND a.attname = " + col + " AND NOT a.attisdropped";
    } else if (kind == "constraint") {
        const char *con = nullptr;
        pg_call([&] { con = quote_literal_cstr(sub_object.c_str()); });
        start = "SELECT 'pg_constraint'::regclass::oid, c.oid, 0 FROM pg_constraint c WHERE c.conrelid = to_regclass(" +
                literal + ") AND c.conname = " + con;
    } else if (kind == "schema") {
        const char *s = nullptr;
        pg_call([&] { s = quote_literal_cstr(object.name.c_str()); });
        start = "SELECT 'pg_namespace'::regclass::oid, n.oid, 0 FROM pg_namespace n WHERE n.nspname = " + std::string(s);
    } else if (kind == "type") {
        start = "SELECT 'pg_type'::regclass::oid, to_regtype(" + literal + ")::oid, 0";
    } else if (kind == "extension") {
        const char *e = nullptr;
        pg_call([&] { e = quote_literal_cstr(object.name.c_str()); });
        start = "SELECT 'pg_extension'::regclass::oid, x.oid, 0 FROM pg_extension x WHERE x.extname = " + std::string(e);
    } else {
        return {};
    }
    // Walks normal, automatic, internal and extension dependencies down from the object; an
    // internal part (a view's rewrite rule) leads up to the object that owns it (the view).
    const std::string query =
        "WITH RECURSIVE start(classid, objid, objsubid) AS (" + start + "), "
        "deps(classid, objid, objsubid, cascaded, depth) AS ("
        "  SELECT classid, objid, objsubid, false, 0 FROM start WHERE objid IS NOT NULL"
        "  UNION"
        "  SELECT x.classid, x.objid, x.objsubid, x.cascaded, x.depth FROM deps, LATERAL ("
        "    SELECT d.classid, d.objid, d.objsubid, deps.cascaded OR d.deptype = 'n' AS cascaded, deps.depth + 1 AS depth"
        "    FROM pg_depend d WHERE d.refclassid = deps.classid AND d.refobjid = deps.objid"
        "     AND (deps.objsubid = 0 OR d.refobjsubid = deps.objsubid) AND d.deptype IN ('n', 'a', 'i', 'e')"
        "    UNION ALL"
        "    SELECT o.refclassid, o.refobjid, 0, deps.cascaded, deps.depth + 1"
        "    FROM pg_depend o WHERE o.classid = deps.classid AND o.objid = deps.objid AND o.deptype = 'i'"
        "  ) x WHERE deps.depth < 16"
        ") "
        "SELECT DISTINCT i.type || E'\\t' || i.identity FROM deps, pg_identify_object(deps.classid, deps.objid, deps.objsubid) i "
        "WHERE deps.cascaded AND i.type IN ('table', 'table column', 'view', 'materialized view', 'function', "
        "'table constraint', 'trigger', 'policy', 'sequence', 'foreign table', 'domain') "
        "AND NOT (i.type = 'trigger' AND i.identity LIKE '\"RI\\_ConstraintTrigger%') "
        "ORDER BY 1 LIMIT 500";
    std::vector<std::string> out;
    List *rows = NIL;
    ErrorData *error = nullptr;
    pg_call([&] {
        MemoryContext outer = CurrentMemoryContext;  // outlives the subtransaction
        error = pg_subtransaction([&] {
            if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
            if (SPI_execute(query.c_str(), true, 0) == SPI_OK_SELECT)
                for (uint64 i = 0; i < SPI_processed; i++) {
                    MemoryContext old = MemoryContextSwitchTo(outer);
                    rows = lappend(rows, pstrdup(SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1)));
                    MemoryContextSwitchTo(old);
                }
            SPI_finish();
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
        if (!ConditionalLockRelationOid(relid, AccessShareLock)) return;
        Relation rel = try_relation_open(relid, NoLock);
        if (!rel) return;
        const Oid pk = RelationGetPrimaryKeyIndex(rel);
        if (OidIsValid(pk)) {
            HeapTuple tuple = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(pk));
            if (HeapTupleIsValid(tuple)) {
                Form_pg_index index = reinterpret_cast<Form_pg_index>(GETSTRUCT(tuple));
                for (int i = 0; i < index->indnkeyatts; i++)
                    names = lappend(names, get_attname(relid, index->indkey.values[i], false));
                ReleaseSysCache(tuple);
            }
        }
        relation_close(rel, NoLock);
    });
    std::vector<std::string> out;
    ListCell *lc;
    foreach (lc, names) out.emplace_back(static_cast<char *>(lfirst(lc)));
    return out;
}

}  // namespace mg::server
