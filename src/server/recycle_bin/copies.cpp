#include "server/recycle_bin/copies.hpp"

#include "server/extension_cache.hpp"
#include "server/recycle_bin/catalog_walk.hpp"
#include "server/recycle_bin/inert.hpp"
#include "server/recycle_bin/internal_sql.hpp"
#include "server/recycle_bin/table_record.hpp"
#include "server/settings.hpp"

extern "C" {
#include "access/relation.h"
#include "commands/matview.h"
#include "access/detoast.h"
#include "access/toast_compression.h"
#include "catalog/pg_inherits.h"
#include "access/heapam.h"
#include "access/tableam.h"
#include "executor/tuptable.h"
#include "utils/snapmgr.h"
#include "utils/memutils.h"
#include "access/table.h"
#include "catalog/dependency.h"
#include "catalog/pg_attrdef.h"
#include "catalog/pg_collation.h"
#include "catalog/index.h"
#include "catalog/pg_constraint.h"
#include "access/genam.h"
#include "catalog/indexing.h"
#include "utils/array.h"
#include "utils/fmgroids.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_index.h"
#include "commands/defrem.h"
#include "utils/fmgrprotos.h"
#include "storage/lmgr.h"
#include "utils/rel.h"
#include "utils/typcache.h"
}

namespace mg::server {

namespace {

// Equality of the key's types is PostgreSQL's own: restoring never runs an operator that a
// user defined, whoever calls restore().
bool builtin_equality(Oid type) {
    TypeCacheEntry *t = lookup_type_cache(type, TYPECACHE_EQ_OPR);
    return builtin_object(t->eq_opr);
}

// The primary key, else a unique index on NOT NULL columns, that does not contain the column.
List *row_key(Relation rel, AttrNumber dropped) {
    List *best = NIL;
    bool best_primary = false;
    ListCell *lc;
    foreach (lc, RelationGetIndexList(rel)) {
        HeapTuple t = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(lfirst_oid(lc)));
        if (!HeapTupleIsValid(t)) continue;
        const Form_pg_index ix = reinterpret_cast<Form_pg_index>(GETSTRUCT(t));
        bool usable = ix->indisunique && ix->indimmediate && ix->indisvalid &&
                      heap_attisnull(t, Anum_pg_index_indexprs, nullptr) && heap_attisnull(t, Anum_pg_index_indpred, nullptr);
        List *cols = NIL;
        for (int i = 0; usable && i < ix->indnkeyatts; i++) {
            const AttrNumber a = ix->indkey.values[i];
            if (a <= 0 || a == dropped) { usable = false; break; }
            const Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel), a - 1);
            if (!att->attnotnull || !builtin_equality(att->atttypid) || kept_as_text(att->atttypid, att->attcollation)) {
                usable = false;
                break;
            }
            cols = lappend(cols, pstrdup(NameStr(att->attname)));
        }
        const bool primary = ix->indisprimary;
        ReleaseSysCache(t);
        if (!usable) continue;
        if (best == NIL || (primary && !best_primary)) {
            best = cols;
            best_primary = primary;
        }
    }
    return best;
}

char *copy_name(const char *prefix, Oid relid) {
    const Oid kept = kept_schema_oid();
    char *name = psprintf("%s%u", prefix, relid);
    for (int n = 2; OidIsValid(get_relname_relid(name, kept)); n++) name = psprintf("%s%u_%d", prefix, relid, n);
    return name;
}

// One column of a copy: where its values come from (an attribute of the table, or 0 for the row's
// ctid) and whether it holds their text.
struct CopyColumn {
    const char *name;   // quoted
    AttrNumber source;  // 0: ctid, -1: xmin
    Oid type;
    int32 typmod;
    bool as_text;
};

CopyColumn column_of(Relation rel, AttrNumber attnum) {
    const Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel), attnum - 1);
    return {quote_identifier(NameStr(att->attname)), attnum, att->atttypid, att->atttypmod,
            kept_as_text(att->atttypid, att->attcollation)};
}

// Makes migration_guard_kept.<prefix><relid> with the columns (built-in types only) and fills it
// from a scan of the table, in C: no query is planned over the table, so nothing of it runs (no
// index expression, policy, rule or cast; values of the database's types go through their
// type's output function, which only a superuser can have written). The copy becomes the
// extension's (pg_dump leaves it out; a plain DROP of it is refused).
// The columns, palloc'd (PostgreSQL code: no C++ object may own memory across an ereport).
struct CopyColumns {
    CopyColumn *items = nullptr;
    int count = 0;
    void add(const CopyColumn &c) {
        items = static_cast<CopyColumn *>(items ? repalloc(items, sizeof(CopyColumn) * (count + 1)) : palloc(sizeof(CopyColumn)));
        items[count++] = c;
    }
};

// `limit` (bytes, -1: none): the copy stops with an error once the values it copied take more,
// measured as they are copied (the plan's estimate comes from statistics a transaction can forge).
// `changed_since` (a data change): only the rows this transaction deleted or overwrote from that
// command on: visible as the statement began, gone now.
void make_copy(KeptCopy *copy, const char *prefix, Oid relid, const CopyColumns &columns, bool with_children = false,
               int64 limit = -1, const char *what = nullptr, CommandId changed_since = InvalidCommandId) {
    copy->kept_name = copy_name(prefix, relid);
    // A materialized view, not a table: logical replication publishes no materialized view, so a
    // FOR ALL TABLES publication never sends the bin to a subscriber (which has no such relation and
    // would stop applying). Its query names no relation; the rows go in below, as REFRESH does it.
    StringInfoData defs;
    initStringInfo(&defs);
    for (int i = 0; i < columns.count; i++) {
        const CopyColumn &c = columns.items[i];
        appendStringInfo(&defs, "%sNULL::%s AS %s", defs.len ? ", " : "",
                         c.source == 0    ? "pg_catalog.tid"
                         : c.source == -1 ? "pg_catalog.xid"
                         : c.as_text      ? "pg_catalog.text"
                                       : format_type_with_typemod(c.type, c.typmod),
                         c.name);
    }
    // Replica mode: no event trigger of the database's fires for the guard's own relation.
    run_internal_sql(psprintf("CREATE MATERIALIZED VIEW %s.%s AS SELECT %s WITH NO DATA", kKeptSchema,
                              quote_identifier(copy->kept_name), defs.data),
                     extension_place_pg().owner, false, true);
    CommandCounterIncrement();
    copy->kept_relid = get_relname_relid(copy->kept_name, kept_schema_oid());
    set_kept_membership(copy->kept_relid, true);

    Relation target = table_open(copy->kept_relid, RowExclusiveLock);
    FmgrInfo *output = static_cast<FmgrInfo *>(palloc0(sizeof(FmgrInfo) * (columns.count + 1)));
    for (int i = 0; i < columns.count; i++) {
        if (!columns.items[i].as_text) continue;
        Oid function;
        bool varlena;
        getTypeOutputInfo(columns.items[i].type, &function, &varlena);
        fmgr_info(function, &output[i]);
    }
    Snapshot snapshot = RegisterSnapshot(GetLatestSnapshot());
    Snapshot now = nullptr;
    if (changed_since != InvalidCommandId) {
        // Before: the statement's first command; now: every command of it, its own writes seen.
        now = RegisterSnapshot(GetLatestSnapshot());
        now->curcid = GetCurrentCommandId(false) + 1;
        snapshot->curcid = changed_since;
    }
    TupleTableSlot *out = table_slot_create(target, nullptr);
    BulkInsertState bulk = GetBulkInsertState();
    const CommandId cid = GetCurrentCommandId(true);
    MemoryContext per_row = AllocSetContextCreate(CurrentMemoryContext, "migration_guard copy row", ALLOCSET_DEFAULT_SIZES);
    AttrNumber *map = static_cast<AttrNumber *>(palloc0(sizeof(AttrNumber) * (columns.count + 1)));
    double rows = 0;
    int64 bytes = 0;
    // The table's own rows, and with_children those of its partitions and inheritance children,
    // each read by column name (a child's attribute numbers may differ).
    List *sources = with_children ? find_all_inheritors(relid, AccessExclusiveLock, nullptr) : list_make1_oid(relid);
    ListCell *lc;
    foreach (lc, sources) {
        Relation source = table_open(lfirst_oid(lc), NoLock);
        const char kind = source->rd_rel->relkind;
        if (kind != RELKIND_RELATION && kind != RELKIND_MATVIEW) {
            table_close(source, NoLock);
            continue;
        }
        for (int i = 0; i < columns.count; i++)
            map[i] = columns.items[i].source <= 0 ? columns.items[i].source
                                                   : get_attnum(RelationGetRelid(source),
                                                                get_attname(relid, columns.items[i].source, false));
        TableScanDesc scan = table_beginscan(source, snapshot, 0, nullptr);
        TupleTableSlot *in = table_slot_create(source, nullptr);
        while (table_scan_getnextslot(scan, ForwardScanDirection, in)) {
            CHECK_FOR_INTERRUPTS();
            if (now && table_tuple_satisfies_snapshot(source, in, now)) continue;  // untouched
            MemoryContext old = MemoryContextSwitchTo(per_row);
            slot_getallattrs(in);
            ExecClearTuple(out);
            for (int i = 0; i < columns.count; i++) {
                const CopyColumn &c = columns.items[i];
                if (c.source == 0) {
                    ItemPointer tid = static_cast<ItemPointer>(palloc(sizeof(ItemPointerData)));
                    ItemPointerCopy(&in->tts_tid, tid);
                    out->tts_values[i] = PointerGetDatum(tid);
                    out->tts_isnull[i] = false;
                    continue;
                }
                if (c.source == -1) {  // with the ctid: a row put later in the same slot has another xmin
                    bool isnull = false;
                    out->tts_values[i] = slot_getsysattr(in, MinTransactionIdAttributeNumber, &isnull);
                    out->tts_isnull[i] = isnull;
                    continue;
                }
                const bool isnull = map[i] <= 0 || in->tts_isnull[map[i] - 1];
                out->tts_isnull[i] = isnull;
                out->tts_values[i] = isnull      ? 0
                                     : c.as_text ? CStringGetTextDatum(OutputFunctionCall(&output[i], in->tts_values[map[i] - 1]))
                                                 : in->tts_values[map[i] - 1];
                if (limit >= 0 && !isnull) {
                    const Form_pg_attribute att = TupleDescAttr(RelationGetDescr(target), i);
                    bytes += att->attlen > 0    ? att->attlen
                             : att->attlen == -1 ? static_cast<int64>(toast_datum_size(out->tts_values[i]))
                                                 : static_cast<int64>(strlen(DatumGetCString(out->tts_values[i])));
                }
            }
            if (limit >= 0 && bytes > limit)
                ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
                                errmsg("migration_guard: %s take more than migration_guard.keep_max_size (%s), measured while "
                                       "copying them to the recycle bin",
                                       what ? what : "the values", psprintf(INT64_FORMAT " MB", limit / (1024 * 1024))),
                                errdetail("The table's statistics understated them. The statement did not run; nothing was "
                                          "changed."),
                                errhint("If it is intended, an approver can let it through without keeping them: approve the "
                                        "rule not-kept on it as well, or raise migration_guard.keep_max_size.")));
            ExecStoreVirtualTuple(out);
            table_tuple_insert(target, out, cid, 0, bulk);
            rows += 1;
            MemoryContextSwitchTo(old);
            MemoryContextReset(per_row);
        }
        ExecDropSingleTupleTableSlot(in);
        table_endscan(scan);
        table_close(source, NoLock);
    }
    MemoryContextDelete(per_row);
    FreeBulkInsertState(bulk);
    ExecDropSingleTupleTableSlot(out);
    UnregisterSnapshot(snapshot);
    if (now) UnregisterSnapshot(now);
    SetMatViewPopulatedState(target, true);
    table_close(target, NoLock);
    CommandCounterIncrement();
    copy->rows = rows;
    copy->bytes = DatumGetInt64(DirectFunctionCall1(pg_total_relation_size, ObjectIdGetDatum(copy->kept_relid)));
}

// The columns that take values (not dropped, not generated).
CopyColumns value_columns_of(Oid relid) {
    CopyColumns out;
    Relation rel = relation_open(relid, AccessShareLock);
    const TupleDesc desc = RelationGetDescr(rel);
    for (int i = 0; i < desc->natts; i++) {
        const Form_pg_attribute att = TupleDescAttr(desc, i);
        if (att->attisdropped || att->attgenerated) continue;
        out.add(column_of(rel, att->attnum));
    }
    relation_close(rel, AccessShareLock);
    return out;
}

}  // namespace

int64 column_copy_size(Oid relid, AttrNumber attnum, const char **why) {
    Relation rel = relation_open(relid, AccessShareLock);
    const Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel), attnum - 1);
    *why = nullptr;
    List *key = row_key(rel, attnum);
    if (key == NIL && rel->rd_rel->relkind == RELKIND_PARTITIONED_TABLE)
        *why = "the partitioned table has no primary key or unique NOT NULL key to put the values back by";
    else if (key == NIL && rel->rd_rel->relhassubclass)
        *why = "the table has inheritance children and no key to put the values back by";
    const double rows = rel->rd_rel->reltuples > 0 ? rel->rd_rel->reltuples : 0;
    int32 width = get_attavgwidth(relid, attnum);
    if (width <= 0) width = get_typavgwidth(att->atttypid, att->atttypmod);
    relation_close(rel, AccessShareLock);
    const int64 table_bytes = DatumGetInt64(DirectFunctionCall1(pg_table_size, ObjectIdGetDatum(relid)));
    // Never more than the table; a table never analyzed counts whole.
    const int64 estimate = rows > 0 ? static_cast<int64>(rows * (width + 16)) : table_bytes;
    return estimate < table_bytes ? estimate : table_bytes;
}

int64 rows_copy_size(Oid relid) { return DatumGetInt64(DirectFunctionCall1(pg_table_size, ObjectIdGetDatum(relid))); }

KeptCopy *copy_column(Oid relid, AttrNumber attnum) {
    KeptCopy *copy = static_cast<KeptCopy *>(palloc0(sizeof(KeptCopy)));
    Relation rel = relation_open(relid, AccessExclusiveLock);
    const Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel), attnum - 1);
    const char *column = pstrdup(NameStr(att->attname));
    copy->key_columns = row_key(rel, attnum);
    copy->by_ctid = copy->key_columns == NIL;
    copy->column_type = format_type_with_typemod(att->atttypid, att->atttypmod);
    if (OidIsValid(att->attcollation) && att->attcollation != get_typcollation(att->atttypid)) {
        HeapTuple c = SearchSysCache1(COLLOID, ObjectIdGetDatum(att->attcollation));
        if (HeapTupleIsValid(c)) {
            const Form_pg_collation coll = reinterpret_cast<Form_pg_collation>(GETSTRUCT(c));
            copy->column_type = psprintf("%s COLLATE %s", copy->column_type,
                                         quote_qualified_identifier(get_namespace_name(coll->collnamespace),
                                                                    NameStr(coll->collname)));
            ReleaseSysCache(c);
        }
    }
    copy->shape = type_step(column, att->atttypid, att->atttypmod, att->attcollation);
    copy->not_null = att->attnotnull;
    copy->rows = rel->rd_rel->reltuples;
    const TupleConstr *constr = RelationGetDescr(rel)->constr;
    if (att->atthasdef && !att->attidentity && constr)
        for (int i = 0; i < constr->num_defval; i++)
            if (constr->defval[i].adnum == attnum)
                copy->column_default = TextDatumGetCString(DirectFunctionCall2(
                    pg_get_expr, CStringGetTextDatum(constr->defval[i].adbin), ObjectIdGetDatum(relid)));
    // Indexes and constraints that the drop takes with the column.
    const char *table = qualified_relation(relid);
    ListCell *lc;
    foreach (lc, RelationGetIndexList(rel)) {
        const Oid index = lfirst_oid(lc);
        HeapTuple t = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(index));
        if (!HeapTupleIsValid(t)) continue;
        const Form_pg_index ix = reinterpret_cast<Form_pg_index>(GETSTRUCT(t));
        bool uses = false;
        for (int i = 0; i < ix->indnatts; i++) uses = uses || ix->indkey.values[i] == attnum;
        ReleaseSysCache(t);
        if (!uses) continue;
        const Oid constraint = get_index_constraint(index);
        if (OidIsValid(constraint)) {
            copy->recreate = lappend(copy->recreate, psprintf("ALTER TABLE %s ADD CONSTRAINT %s %s", table,
                                                              quote_identifier(get_constraint_name(constraint)),
                                                              TextDatumGetCString(DirectFunctionCall1(pg_get_constraintdef, ObjectIdGetDatum(constraint)))));
        } else {
            copy->recreate = lappend(copy->recreate, TextDatumGetCString(DirectFunctionCall1(pg_get_indexdef, ObjectIdGetDatum(index))));
        }
    }
    foreach (lc, constraints_of(relid)) {
        HeapTuple t = SearchSysCache1(CONSTROID, ObjectIdGetDatum(lfirst_oid(lc)));
        if (!HeapTupleIsValid(t)) continue;
        const Form_pg_constraint con = reinterpret_cast<Form_pg_constraint>(GETSTRUCT(t));
        // Index-backed ones come back with their index above.
        bool uses = !(OidIsValid(con->conindid) && con->contype != CONSTRAINT_FOREIGN);
        bool isnull = true;
        const Datum keys = SysCacheGetAttr(CONSTROID, t, Anum_pg_constraint_conkey, &isnull);
        Datum *items = nullptr;
        int n = 0;
        if (uses && !isnull)
            deconstruct_array(DatumGetArrayTypeP(keys), INT2OID, sizeof(int16), true, TYPALIGN_SHORT, &items, nullptr, &n);
        bool on_column = false;
        for (int i = 0; i < n; i++) on_column = on_column || DatumGetInt16(items[i]) == attnum;
        const char *name = pstrdup(NameStr(con->conname));
        ReleaseSysCache(t);
        if (!uses || !on_column) continue;
        copy->recreate = lappend(copy->recreate,
                                 psprintf("ALTER TABLE %s ADD CONSTRAINT %s %s", table, quote_identifier(name),
                                          TextDatumGetCString(DirectFunctionCall1(pg_get_constraintdef,
                                                                                  ObjectIdGetDatum(lfirst_oid(lc))))));
    }
    relation_close(rel, NoLock);

    CopyColumns columns;
    {
        Relation again = relation_open(relid, NoLock);
        if (copy->by_ctid) {
            columns.add({"mg_ctid", 0, TIDOID, -1, false});
            columns.add({"mg_xmin", -1, XIDOID, -1, false});
        }
        foreach (lc, copy->key_columns) {
            const AttrNumber key = get_attnum(relid, static_cast<char *>(lfirst(lc)));
            columns.add(column_of(again, key));
        }
        columns.add(column_of(again, attnum));
        relation_close(again, NoLock);
    }
    make_copy(copy, "c", relid, columns, true, keep_max_bytes(), psprintf("the values of column %s", quote_identifier(column)));
    return copy;
}

// The value columns (value_columns_of) as SQL: "name" or "name type", or read from `alias`
// with the text of a database type cast back.
char *table_shape(Oid relid) {
    StringInfoData out;
    initStringInfo(&out);
    const CopyColumns columns = value_columns_of(relid);
    for (int i = 0; i < columns.count; i++) {
        const CopyColumn &c = columns.items[i];
        appendStringInfo(&out, "%s%s %s", out.len ? ", " : "", c.name, format_type_with_typemod(c.type, c.typmod));
        // A type of the database by oid: one of the same name made since is another type.
        if (!builtin_object(c.type)) appendStringInfo(&out, " (oid %u)", c.type);
    }
    return out.data;
}

char *table_columns(Oid relid) {
    StringInfoData out;
    initStringInfo(&out);
    const CopyColumns columns = value_columns_of(relid);
    for (int i = 0; i < columns.count; i++) appendStringInfo(&out, "%s%s", out.len ? ", " : "", columns.items[i].name);
    return out.data;
}

char *restored_columns(Oid relid, const char *alias) {
    StringInfoData out;
    initStringInfo(&out);
    const CopyColumns columns = value_columns_of(relid);
    for (int i = 0; i < columns.count; i++) {
        const CopyColumn &c = columns.items[i];
        appendStringInfo(&out, "%s%s.%s", out.len ? ", " : "", alias, c.name);
        if (c.as_text) appendStringInfo(&out, "::%s", format_type_with_typemod(c.type, c.typmod));
    }
    return out.data;
}

KeptCopy *copy_table(Oid relid) {
    KeptCopy *copy = static_cast<KeptCopy *>(palloc0(sizeof(KeptCopy)));
    LockRelationOid(relid, AccessExclusiveLock);
    // Planned before the lock was granted: another session may have dropped it meanwhile.
    if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(relid)))
        ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                        errmsg("the table was dropped by another session while this statement waited for its lock"),
                        errdetail("This statement changed nothing.")));
    Relation rel = relation_open(relid, NoLock);
    copy->rows = rel->rd_rel->reltuples;
    relation_close(rel, NoLock);
    copy->shape = table_shape(relid);
    make_copy(copy, "k", relid, value_columns_of(relid));
    return copy;
}

KeptCopy *copy_changed_rows(Oid relid, CommandId since) {
    KeptCopy *copy = static_cast<KeptCopy *>(palloc0(sizeof(KeptCopy)));
    copy->shape = table_shape(relid);
    Relation rel = relation_open(relid, NoLock);  // the statement holds its lock
    copy->key_columns = row_key(rel, InvalidAttrNumber);
    relation_close(rel, NoLock);
    make_copy(copy, "d", relid, value_columns_of(relid), false, keep_max_bytes(), "the rows it deleted or overwrote", since);
    return copy;
}

KeptCopy *copy_rows(Oid relid) {
    KeptCopy *copy = static_cast<KeptCopy *>(palloc0(sizeof(KeptCopy)));
    LockRelationOid(relid, AccessExclusiveLock);
    Relation rel = relation_open(relid, NoLock);
    copy->rows = rel->rd_rel->reltuples;
    relation_close(rel, NoLock);
    copy->shape = table_shape(relid);
    make_copy(copy, "r", relid, value_columns_of(relid));
    return copy;
}

}  // namespace mg::server
