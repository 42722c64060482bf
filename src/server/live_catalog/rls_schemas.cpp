#include "server/live_catalog/rls_schemas.hpp"

#include <unordered_map>

#include "server/boundary.hpp"

extern "C" {
#include "access/heapam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/pg_class.h"
#include "utils/inval.h"
}

namespace mg::server {

namespace {

bool registered = false;
bool built = false;      // rls_tables reflects the catalog, except for the relations in `changed`
bool rebuild = false;    // too much changed (or everything, after a cache reset): scan again
std::unordered_map<Oid, Oid> rls_tables;  // relid -> schema, tables with relrowsecurity
// Filled by the invalidation callback, which must not allocate (it runs inside PostgreSQL's
// invalidation processing): a fixed array, overflowing into a rebuild.
constexpr int kMaxChanged = 1024;
Oid changed[kMaxChanged];
int n_changed = 0;

void relation_changed(Datum, Oid relid) {
    if (!built || rebuild) return;
    if (relid == InvalidOid || n_changed == kMaxChanged) rebuild = true;
    else changed[n_changed++] = relid;
}

struct Entry {
    Oid relid, nsp;
    bool rls;
};

// PostgreSQL code only: every table with RLS, into a palloc'd array.
Entry *scan_all(int &n) {
    int cap = 16;
    n = 0;
    Entry *out = static_cast<Entry *>(palloc(sizeof(Entry) * cap));
    Relation rel = table_open(RelationRelationId, AccessShareLock);
    TableScanDesc scan = table_beginscan_catalog(rel, 0, nullptr);
    HeapTuple tuple;
    while ((tuple = heap_getnext(scan, ForwardScanDirection)) != nullptr) {
        const Form_pg_class c = reinterpret_cast<Form_pg_class>(GETSTRUCT(tuple));
        if (!c->relrowsecurity) continue;
        if (n == cap) out = static_cast<Entry *>(repalloc(out, sizeof(Entry) * (cap *= 2)));
        out[n++] = {c->oid, c->relnamespace, true};
    }
    table_endscan(scan);
    table_close(rel, AccessShareLock);
    return out;
}

// PostgreSQL code only: the changed relations as the catalog has them now.
Entry *look_up_changed(const Oid *relids, int n) {
    Entry *out = static_cast<Entry *>(palloc(sizeof(Entry) * (n ? n : 1)));
    for (int i = 0; i < n; i++) {
        out[i] = {relids[i], InvalidOid, false};
        HeapTuple tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relids[i]));
        if (!HeapTupleIsValid(tuple)) continue;
        const Form_pg_class c = reinterpret_cast<Form_pg_class>(GETSTRUCT(tuple));
        out[i].nsp = c->relnamespace;
        out[i].rls = c->relrowsecurity;
        ReleaseSysCache(tuple);
    }
    return out;
}

}  // namespace

void init_rls_schemas() {
    if (registered) return;
    registered = true;
    CacheRegisterRelcacheCallback(relation_changed, 0);
}

bool schema_has_rls_table(Oid nsp) {
    if (!built || rebuild) {
        int n = 0;
        Entry *all = nullptr;
        pg_call([&] {
            init_rls_schemas();
            all = scan_all(n);
        });
        rls_tables.clear();
        for (int i = 0; i < n; i++) rls_tables[all[i].relid] = all[i].nsp;
        built = true;
        rebuild = false;
        n_changed = 0;
    } else if (n_changed > 0) {
        // Copied first: looking them up may process invalidations that append to `changed`.
        Oid relids[kMaxChanged];
        const int n = n_changed;
        std::copy(changed, changed + n, relids);
        n_changed = 0;
        Entry *now = nullptr;
        pg_call([&] { now = look_up_changed(relids, n); });
        for (int i = 0; i < n; i++) {
            if (now[i].rls) rls_tables[now[i].relid] = now[i].nsp;
            else rls_tables.erase(now[i].relid);
        }
    }
    for (const auto &[relid, schema] : rls_tables)
        if (schema == nsp) return true;
    return false;
}

}  // namespace mg::server
