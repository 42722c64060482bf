#include "server/live_catalog/server_catalog.hpp"

#include <algorithm>

#include "server/boundary.hpp"
#include "server/live_catalog/rls_schemas.hpp"
#include "server/settings.hpp"

extern "C" {
#include "access/genam.h"
#include "access/heapam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/heap.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_am.h"
#include "catalog/pg_class.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_index.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_proc.h"
#include "storage/bufmgr.h"
#include "storage/procarray.h"
#include "storage/lmgr.h"
#include "storage/proc.h"
#include "executor/tuptable.h"
#include "utils/fmgroids.h"
#include "utils/snapmgr.h"
#include "utils/fmgrprotos.h"
#include "utils/rel.h"
}

namespace mg::server {

namespace {
// A table never analyzed has no row estimate: it is estimated at a typical density.
constexpr double kUnanalyzedRowsPerPage = 80;
// A real count reads at most this many pages (8 MB) of a table the statistics call small.
constexpr BlockNumber kVerifyPages = 1024;

// A real count of the rows visible now, stopping at `max_rows` or after `max_pages` pages;
// `complete` says it saw the whole table.
double count_rows(Relation rel, double max_rows, BlockNumber max_pages, BlockNumber pages, bool &complete) {
    double n = 0;
    TableScanDesc scan = table_beginscan(rel, GetActiveSnapshot(), 0, nullptr);
    if (pages > max_pages) heap_setscanlimits(scan, 0, max_pages);
    TupleTableSlot *slot = table_slot_create(rel, nullptr);
    while (n < max_rows && table_scan_getnextslot(scan, ForwardScanDirection, slot)) n += 1;
    ExecDropSingleTupleTableSlot(slot);
    table_endscan(scan);
    complete = n < max_rows && pages <= max_pages;
    return n;
}

int volatility_rank(char v) {
    return v == PROVOLATILE_VOLATILE ? 3 : v == PROVOLATILE_STABLE ? 2 : v == PROVOLATILE_IMMUTABLE ? 1 : 0;
}
char most_volatile(char a, char b) { return volatility_rank(a) >= volatility_rank(b) ? a : b; }

// The column number a CHECK constraint tests with `col IS NOT NULL`, or 0. PostgreSQL code only.
AttrNumber not_null_check_attnum(HeapTuple tuple, TupleDesc desc) {
    Form_pg_constraint con = reinterpret_cast<Form_pg_constraint>(GETSTRUCT(tuple));
    if (con->contype != CONSTRAINT_CHECK) return 0;
    bool isnull = true;
    Datum bin = heap_getattr(tuple, Anum_pg_constraint_conbin, desc, &isnull);
    if (isnull) return 0;
    Node *expr = static_cast<Node *>(stringToNode(TextDatumGetCString(bin)));
    if (!IsA(expr, NullTest)) return 0;
    NullTest *test = reinterpret_cast<NullTest *>(expr);
    if (test->nulltesttype != IS_NOT_NULL || !test->arg || !IsA(test->arg, Var)) return 0;
    return reinterpret_cast<Var *>(test->arg)->varattno;
}
}  // namespace

ServerCatalog::ServerCatalog() {
    char *name = nullptr;
    pg_call([&] {
        List *path = fetch_search_path(false);
        if (path != NIL) name = get_namespace_name(linitial_oid(path));
    });
    default_schema_ = name ? name : "public";
}

Oid ServerCatalog::relation(const QualifiedName &t) const {
    const std::string key = t.schema + "\x1f" + t.name;
    if (auto it = relations_.find(key); it != relations_.end()) return it->second;
    Oid relid = InvalidOid;
    pg_call([&] {
        RangeVar *rv = makeRangeVar(t.schema.empty() ? nullptr : pstrdup(t.schema.c_str()),
                                    pstrdup(t.name.c_str()), -1);
        relid = RangeVarGetRelid(rv, NoLock, true);
    });
    relations_[key] = relid;
    return relid;
}

std::optional<std::string> ServerCatalog::schema_of(const QualifiedName &t) const {
    const Oid relid = relation(t);
    if (!OidIsValid(relid)) return std::nullopt;
    char *schema = nullptr;
    pg_call([&] { schema = get_namespace_name(get_rel_namespace(relid)); });
    if (!schema) return std::nullopt;
    return std::string(schema);
}

std::optional<TableFacts> ServerCatalog::table(const QualifiedName &t) const {
    const Oid relid = relation(t);
    if (!OidIsValid(relid)) return std::nullopt;
    if (auto it = tables_.find(relid); it != tables_.end()) return it->second;
    return tables_[relid] = read_table(relid);
}

namespace {

// Rows and bytes of one plain table or materialized view (PostgreSQL code only).
//
// A fact that lowers a risk must be one a transaction cannot fake. reltuples and relpages are
// written in place by ANALYZE: DELETE everything, ANALYZE, ROLLBACK leaves a full table that
// looks empty. So the statistics only ever raise the count; a table they call small (below
// `small_rows`) is counted for real, up to that many rows and kVerifyPages pages, and one the
// count cannot settle is taken as not small. The number of blocks on disk is real: a table of
// none is empty.
void add_leaf_size(Relation rel, TableFacts &facts, double small_rows) {
    const double reltuples = rel->rd_rel->reltuples;
    const double relpages = rel->rd_rel->relpages;
    const BlockNumber pages = RelationGetNumberOfBlocks(rel);
    const double curpages = static_cast<double>(pages);
    const double estimate = reltuples >= 0 && relpages > 0 ? reltuples / relpages * curpages : curpages * kUnanalyzedRowsPerPage;
    if (pages == 0)
        ;  // empty
    else if (estimate >= small_rows)
        facts.rows += estimate;
    else if (ActiveSnapshotSet() && rel->rd_rel->relkind == RELKIND_RELATION && rel->rd_rel->relam == HEAP_TABLE_AM_OID) {
        bool complete = false;
        const double counted = count_rows(rel, std::max(small_rows, 1.0), kVerifyPages, pages, complete);
        facts.rows += complete ? counted : std::max({estimate, counted, small_rows});
    } else {
        facts.rows += std::max(estimate, small_rows);
    }
    facts.bytes += DatumGetInt64(DirectFunctionCall1(pg_total_relation_size, ObjectIdGetDatum(RelationGetRelid(rel))));
}

}  // namespace

Relation open_without_waiting(Oid relid) {
    if (!ConditionalLockRelationOid(relid, AccessShareLock)) return nullptr;
    Relation rel = try_relation_open(relid, NoLock);
    if (!rel) UnlockRelationOid(relid, AccessShareLock);
    return rel;
}

void close_after_look(Relation rel) {
    const Oid relid = RelationGetRelid(rel);
    relation_close(rel, NoLock);
    UnlockRelationOid(relid, AccessShareLock);
}

std::optional<TableFacts> ServerCatalog::read_table(Oid relid) const {
    bool found = false;
    TableFacts facts;
    const double small_rows = medium_table_rows();
    pg_call([&] {
        Relation rel = open_without_waiting(relid);
        if (!rel) {
            // Another session holds a lock that conflicts: the table is still there and the
            // statement acts on it once the lock is granted. Judged on its catalog row, as holding
            // at least a small table's rows; never as missing or empty.
            HeapTuple t = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
            if (!HeapTupleIsValid(t)) return;
            const Form_pg_class c = reinterpret_cast<Form_pg_class>(GETSTRUCT(t));
            if (c->relkind == RELKIND_RELATION || c->relkind == RELKIND_MATVIEW || c->relkind == RELKIND_PARTITIONED_TABLE) {
                found = true;
                facts.rls_enabled = c->relrowsecurity;
                facts.temporary = c->relpersistence == RELPERSISTENCE_TEMP;
                facts.rows = std::max({static_cast<double>(c->reltuples), small_rows, 1.0});
                facts.bytes = static_cast<int64_t>(c->relpages) * BLCKSZ;
                facts.locked_by_another = true;
            }
            ReleaseSysCache(t);
            return;
        }
        const char kind = rel->rd_rel->relkind;
        if (kind == RELKIND_RELATION || kind == RELKIND_MATVIEW || kind == RELKIND_PARTITIONED_TABLE) {
            found = true;
            facts.rls_enabled = rel->rd_rel->relrowsecurity;
            facts.created_in_transaction = rel->rd_createSubid != InvalidSubTransactionId;
            facts.temporary = rel->rd_rel->relpersistence == RELPERSISTENCE_TEMP;
            if (facts.created_in_transaction) {
                // Nobody else sees it, so nothing in it is at stake: no sizes to read.
            } else if (kind == RELKIND_PARTITIONED_TABLE) {
                // A partitioned table holds no rows itself: its partitions do.
                ListCell *lc;
                foreach (lc, find_all_inheritors(relid, NoLock, nullptr)) {
                    const Oid child = lfirst_oid(lc);
                    if (child == relid) continue;
                    Relation part = open_without_waiting(child);
                    if (!part) {  // locked by another session: not taken as empty
                        facts.rows += std::max(small_rows, 1.0);
                        facts.locked_by_another = true;
                        continue;
                    }
                    if (part->rd_rel->relkind == RELKIND_RELATION) add_leaf_size(part, facts, small_rows);
                    close_after_look(part);
                }
            } else {
                add_leaf_size(rel, facts, small_rows);
            }
        }
        close_after_look(rel);
    });
    if (!found) return std::nullopt;
    return facts;
}

std::optional<ColumnFacts> ServerCatalog::column(const QualifiedName &t, const std::string &col) const {
    const Oid relid = relation(t);
    if (!OidIsValid(relid)) return std::nullopt;
    bool found = false;
    ColumnFacts facts;
    char *type_name = nullptr;
    pg_call([&] {
        HeapTuple tuple = SearchSysCacheAttName(relid, col.c_str());
        if (!HeapTupleIsValid(tuple)) return;
        Form_pg_attribute att = reinterpret_cast<Form_pg_attribute>(GETSTRUCT(tuple));
        found = true;
        facts.typmod = att->atttypmod;
        facts.not_null = att->attnotnull;
        facts.local = att->attislocal;
        facts.inherited_count = att->attinhcount;
        facts.generated = att->attgenerated;
        const Oid typid = att->atttypid;
        ReleaseSysCache(tuple);
        HeapTuple typ = SearchSysCache1(TYPEOID, ObjectIdGetDatum(typid));
        if (HeapTupleIsValid(typ)) {
            type_name = pstrdup(NameStr(reinterpret_cast<Form_pg_type>(GETSTRUCT(typ))->typname));
            facts.builtin = reinterpret_cast<Form_pg_type>(GETSTRUCT(typ))->typnamespace == PG_CATALOG_NAMESPACE;
            ReleaseSysCache(typ);
        }
    });
    if (!found) return std::nullopt;
    facts.type_name = type_name ? type_name : "";
    return facts;
}

std::optional<ConstraintFacts> ServerCatalog::constraint(const QualifiedName &t, const std::string &name) const {
    const Oid relid = relation(t);
    if (!OidIsValid(relid)) return std::nullopt;
    bool found = false;
    ConstraintFacts facts;
    char *not_null_column = nullptr;
    pg_call([&] {
        const Oid conoid = get_relation_constraint_oid(relid, name.c_str(), true);
        if (!OidIsValid(conoid)) return;
        Relation conrel = table_open(ConstraintRelationId, AccessShareLock);
        HeapTuple tuple = SearchSysCache1(CONSTROID, ObjectIdGetDatum(conoid));
        if (HeapTupleIsValid(tuple)) {
            Form_pg_constraint con = reinterpret_cast<Form_pg_constraint>(GETSTRUCT(tuple));
            found = true;
            facts.type = con->contype;
            facts.validated = con->convalidated;
            facts.on_delete_cascade =
                con->contype == CONSTRAINT_FOREIGN && con->confdeltype == FKCONSTR_ACTION_CASCADE;
            const AttrNumber attnum = not_null_check_attnum(tuple, RelationGetDescr(conrel));
            if (attnum > 0) not_null_column = get_attname(relid, attnum, true);
            ReleaseSysCache(tuple);
        }
        table_close(conrel, AccessShareLock);
    });
    if (!found) return std::nullopt;
    if (not_null_column) facts.not_null_column = not_null_column;
    return facts;
}

std::optional<bool> ServerCatalog::has_index_leading(const QualifiedName &t,
                                                     const std::vector<std::string> &cols) const {
    const Oid relid = relation(t);
    if (!OidIsValid(relid)) return std::nullopt;
    // Leading key columns of every index, as attribute names, collected in PostgreSQL memory.
    List *indexes = NIL;
    pg_call([&] {
        Relation rel = open_without_waiting(relid);
        if (!rel) return;
        List *oids = RelationGetIndexList(rel);
        ListCell *lc;
        foreach (lc, oids) {
            HeapTuple tuple = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(lfirst_oid(lc)));
            if (!HeapTupleIsValid(tuple)) continue;
            Form_pg_index index = reinterpret_cast<Form_pg_index>(GETSTRUCT(tuple));
            List *names = NIL;
            for (int i = 0; i < index->indnkeyatts; i++) {
                const AttrNumber attnum = index->indkey.values[i];
                names = lappend(names, attnum > 0 ? get_attname(relid, attnum, false) : pstrdup("(expression)"));
            }
            indexes = lappend(indexes, names);
            ReleaseSysCache(tuple);
        }
        close_after_look(rel);
    });
    std::vector<std::string> want(cols);
    std::sort(want.begin(), want.end());
    ListCell *lc;
    foreach (lc, indexes) {
        List *names = static_cast<List *>(lfirst(lc));
        if (list_length(names) < static_cast<int>(want.size())) continue;
        std::vector<std::string> lead;
        for (int i = 0; i < static_cast<int>(want.size()); i++)
            lead.emplace_back(static_cast<const char *>(list_nth(names, i)));
        std::sort(lead.begin(), lead.end());
        if (lead == want) return true;
    }
    return false;
}

bool ServerCatalog::has_validated_not_null_check(const QualifiedName &t, const std::string &col) const {
    const Oid relid = relation(t);
    if (!OidIsValid(relid)) return false;
    bool found = false;
    pg_call([&] {
        const AttrNumber attnum = get_attnum(relid, col.c_str());
        if (attnum <= 0) return;
        Relation conrel = table_open(ConstraintRelationId, AccessShareLock);
        ScanKeyData key;
        ScanKeyInit(&key, Anum_pg_constraint_conrelid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(relid));
        SysScanDesc scan = systable_beginscan(conrel, ConstraintRelidTypidNameIndexId, true, nullptr, 1, &key);
        HeapTuple tuple;
        while (!found && HeapTupleIsValid(tuple = systable_getnext(scan))) {
            Form_pg_constraint con = reinterpret_cast<Form_pg_constraint>(GETSTRUCT(tuple));
            if (con->convalidated && not_null_check_attnum(tuple, RelationGetDescr(conrel)) == attnum) found = true;
        }
        systable_endscan(scan);
        table_close(conrel, AccessShareLock);
    });
    return found;
}

Volatility ServerCatalog::function_volatility(const std::vector<std::string> &name, int) const {
    char result = 0;
    pg_call([&] {
        List *names = NIL;
        for (const auto &part : name) names = lappend(names, makeString(pstrdup(part.c_str())));
        // Any argument count: a name with one volatile overload is treated as volatile.
        FuncCandidateList c = FuncnameGetCandidates(names, -1, NIL, false, false, false, true);
        for (; c; c = c->next) result = most_volatile(result, func_volatile(c->oid));
    });
    switch (result) {
        case PROVOLATILE_VOLATILE: return Volatility::Volatile;
        case PROVOLATILE_STABLE: return Volatility::Stable;
        case PROVOLATILE_IMMUTABLE: return Volatility::Immutable;
        default: return Volatility::Unknown;
    }
}

namespace {

// 1: no tuple version the table could still hold: only versions that are dead, or deleted by a
// transaction that committed; a row this transaction deleted itself (DELETE, then DROP, in one
// transaction: emptiness a transaction can fake) and rows other transactions are inserting or
// deleting all count. With `attnum`, such a version with a value in that column counts. 0: it
// holds something; -1: too large to look through. PostgreSQL code only (heap tables).
int scan_for_data(Relation rel, AttrNumber attnum) {
    const BlockNumber pages = RelationGetNumberOfBlocks(rel);
    if (pages == 0) return 1;
    if (pages > kVerifyPages) return -1;
    const TransactionId oldest = GetOldestNonRemovableTransactionId(rel);
    TableScanDesc scan = table_beginscan(rel, SnapshotAny, 0, nullptr);
    HeapScanDesc heap = reinterpret_cast<HeapScanDesc>(scan);
    int verdict = 1;
    HeapTuple tuple;
    while (verdict == 1 && (tuple = heap_getnext(scan, ForwardScanDirection)) != nullptr) {
        LockBuffer(heap->rs_cbuf, BUFFER_LOCK_SHARE);
        const HTSV_Result state = HeapTupleSatisfiesVacuum(tuple, oldest, heap->rs_cbuf);
        LockBuffer(heap->rs_cbuf, BUFFER_LOCK_UNLOCK);
        if (state != HEAPTUPLE_LIVE && state != HEAPTUPLE_INSERT_IN_PROGRESS && state != HEAPTUPLE_DELETE_IN_PROGRESS)
            continue;
        if (attnum == 0) {
            verdict = 0;
        } else {
            bool isnull = true;
            heap_getattr(tuple, attnum, RelationGetDescr(rel), &isnull);
            if (!isnull) verdict = 0;
        }
    }
    table_endscan(scan);
    return verdict;
}

}  // namespace

std::optional<bool> ServerCatalog::holds_no_data(const QualifiedName &t, const std::string &column) const {
    const Oid relid = relation(t);
    if (!OidIsValid(relid)) return std::nullopt;
    int verdict = -1;
    const bool lock = lock_to_verify_;
    pg_call([&] {
        Relation rel = nullptr;
        if (lock) {
            LockRelationOid(relid, AccessExclusiveLock);
            rel = try_relation_open(relid, NoLock);
        } else {
            rel = open_without_waiting(relid);
        }
        if (!rel) return;
        // Children would lose their rows (or values) too: not looked through here. A file
        // replaced in this transaction (TRUNCATE, a rewrite) hides what the table held before it:
        // emptiness the transaction made itself.
        const bool new_file = mg::pg::new_storage_subid(rel) != InvalidSubTransactionId ||
                              mg::pg::first_storage_subid(rel) != InvalidSubTransactionId;
        if (rel->rd_rel->relkind == RELKIND_RELATION && rel->rd_rel->relam == HEAP_TABLE_AM_OID &&
            !rel->rd_rel->relhassubclass && !new_file) {
            const AttrNumber attnum = column.empty() ? 0 : get_attnum(relid, column.c_str());
            if (column.empty() || attnum > 0) verdict = scan_for_data(rel, attnum);
        }
        if (lock) relation_close(rel, NoLock);
        else close_after_look(rel);
    });
    if (verdict < 0) return std::nullopt;
    return verdict == 1;
}

bool ServerCatalog::schema_uses_rls(const std::string &schema) const {
    Oid nsp = InvalidOid;
    pg_call([&] { nsp = get_namespace_oid(schema.c_str(), true); });
    return OidIsValid(nsp) && schema_has_rls_table(nsp);
}

bool ServerCatalog::session_lock_timeout() const { return LockTimeout > 0; }

bool ServerCatalog::is_temporary(const QualifiedName &t) const {
    const Oid relid = relation(t);
    if (!OidIsValid(relid)) return false;
    char persistence = 0;
    pg_call([&] { persistence = get_rel_persistence(relid); });
    return persistence == RELPERSISTENCE_TEMP;
}

QualifiedName ServerCatalog::name_of(Oid relid) const {
    const char *schema = nullptr, *name = nullptr;
    pg_call([&] {
        name = get_rel_name(relid);
        if (name) schema = get_namespace_name(get_rel_namespace(relid));
    });
    if (!name || !schema) return {};
    return {schema, name};
}

std::vector<QualifiedName> ServerCatalog::names_of(List *relids) const {
    std::vector<QualifiedName> out;
    ListCell *lc;
    foreach (lc, relids) {
        QualifiedName q = name_of(lfirst_oid(lc));
        if (!q.name.empty()) out.push_back(std::move(q));  // gone meanwhile: nothing to judge
    }
    return out;
}

std::vector<QualifiedName> ServerCatalog::children(const QualifiedName &t) const {
    const Oid relid = relation(t);
    if (!OidIsValid(relid)) return {};
    // pg_inherits through its index on the parent, exactly as ALTER TABLE's and TRUNCATE's own
    // recursion (find_all_inheritors) reads it, one level at a time.
    List *kids = NIL;
    pg_call([&] { kids = find_inheritance_children(relid, NoLock); });
    return names_of(kids);
}

std::vector<QualifiedName> ServerCatalog::referencing_tables(const std::vector<QualifiedName> &tables) const {
    List *relids = NIL;
    for (const auto &t : tables) {
        const Oid relid = relation(t);
        if (OidIsValid(relid)) pg_call([&] { relids = lappend_oid(relids, relid); });
    }
    if (relids == NIL) return {};
    // PostgreSQL's own look-up for TRUNCATE ... CASCADE (a scan of pg_constraint: there is no
    // index on confrelid); only TRUNCATE ... CASCADE pays it.
    List *found = NIL;
    pg_call([&] { found = heap_truncate_find_FKs(relids); });
    return names_of(found);
}

}  // namespace mg::server
