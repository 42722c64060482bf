// What differs between the PostgreSQL majors the guard supports (15 to 18), in one place: every
// server file calls these instead of the API that changed. A new major is an entry here (and in
// engine/pg_nodes.hpp for parse trees), not #ifs across files.
#pragma once

extern "C" {
#include "access/xact.h"
#include "catalog/pg_class.h"
#include "catalog/pg_namespace.h"
#include "executor/executor.h"
#include "parser/parse_type.h"
#include "pgstat.h"
#include "storage/proc.h"
#include "utils/acl.h"
#include "utils/relcache.h"
#include "access/relation.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_sequence.h"
#include "commands/sequence.h"
#include "nodes/plannodes.h"
#include "storage/lock.h"
#include "storage/procarray.h"
#include "utils/backend_status.h"
#if PG_VERSION_NUM < 170000
#include "storage/sinvaladt.h"
#endif
#if PG_VERSION_NUM >= 160000
#include "nodes/miscnodes.h"
#include "utils/guc.h"
#endif
#if PG_VERSION_NUM >= 170000
#include "utils/pgstat_internal.h"
#endif
}

namespace mg::pg {

inline bool owns_relation(Oid relid, Oid role) {
#if PG_VERSION_NUM >= 160000
    return object_ownercheck(RelationRelationId, relid, role);
#else
    return pg_class_ownercheck(relid, role);
#endif
}

inline bool owns_namespace(Oid nsp, Oid role) {
#if PG_VERSION_NUM >= 160000
    return object_ownercheck(NamespaceRelationId, nsp, role);
#else
    return pg_namespace_ownercheck(nsp, role);
#endif
}

// parseTypeString(); with missing_ok, InvalidOid for a name that is no type (16+ reports that
// through a soft-error context instead of a flag).
inline void parse_type_string(const char *text, Oid *type, int32 *typmod, bool missing_ok) {
#if PG_VERSION_NUM >= 160000
    if (!missing_ok) {
        (void)parseTypeString(text, type, typmod, nullptr);
        return;
    }
    ErrorSaveContext escontext = {T_ErrorSaveContext, false, false, nullptr};
    if (!parseTypeString(text, type, typmod, reinterpret_cast<Node *>(&escontext))) *type = InvalidOid;
#else
    parseTypeString(text, type, typmod, missing_ok);
#endif
}

// The executor state the guard's own appends need: one range table entry, no permission checks.
inline void init_range_table(EState *estate, List *range_table) {
#if PG_VERSION_NUM >= 180000
    ExecInitRangeTable(estate, range_table, NIL, bms_make_singleton(1));
#elif PG_VERSION_NUM >= 160000
    ExecInitRangeTable(estate, range_table, NIL);
#else
    ExecInitRangeTable(estate, range_table);
#endif
}

inline void insert_index_tuples(ResultRelInfo *rri, TupleTableSlot *slot, EState *estate) {
#if PG_VERSION_NUM >= 160000
    ExecInsertIndexTuples(rri, slot, estate, false, false, nullptr, NIL, false);
#else
    ExecInsertIndexTuples(rri, slot, estate, false, false, nullptr, NIL);
#endif
}

inline Oid primary_key_index(Relation rel) {
#if PG_VERSION_NUM >= 180000
    return RelationGetPrimaryKeyIndex(rel, false);
#else
    return RelationGetPrimaryKeyIndex(rel);
#endif
}

inline LocalTransactionId local_transaction_id() {
#if PG_VERSION_NUM >= 170000
    return MyProc->vxid.lxid;
#else
    return MyProc->lxid;
#endif
}

// A GUC check hook's `extra`: PostgreSQL frees it with free() up to 15, guc_free() from 16.
inline void *guc_extra(size_t size) {
#if PG_VERSION_NUM >= 160000
    return guc_malloc(LOG, size);
#else
    return malloc(size);
#endif
}

// The transaction's pending statistics of a table (its per-(sub)transaction counts), or nullptr.
// From 17, find_tabstat_entry() returns a copy without them.
inline PgStat_TableStatus *pending_table_stats(Oid relid) {
#if PG_VERSION_NUM >= 170000
    PgStat_EntryRef *ref = pgstat_fetch_pending_entry(PGSTAT_KIND_RELATION, MyDatabaseId, relid);
    if (!ref) ref = pgstat_fetch_pending_entry(PGSTAT_KIND_RELATION, InvalidOid, relid);
    return ref ? static_cast<PgStat_TableStatus *>(ref->pending) : nullptr;
#else
    return find_tabstat_entry(relid);
#endif
}

inline AclResult namespace_aclcheck(Oid nsp, Oid role, AclMode mode) {
#if PG_VERSION_NUM >= 160000
    return object_aclcheck(NamespaceRelationId, nsp, role, mode);
#else
    return pg_namespace_aclcheck(nsp, role, mode);
#endif
}

inline Oid identity_sequence(Oid relid, AttrNumber attnum) {
#if PG_VERSION_NUM >= 170000
    Relation rel = relation_open(relid, NoLock);  // the caller holds a lock on it
    const Oid seq = getIdentitySequence(rel, attnum, true);
    relation_close(rel, NoLock);
    return seq;
#else
    return getIdentitySequence(relid, attnum, true);
#endif
}

// This backend's slot among all processes (PGPROC array index).
inline int proc_number() {
#if PG_VERSION_NUM >= 170000
    return MyProcNumber;
#else
    return MyProc ? MyProc->pgprocno : 0;
#endif
}

// The process holding a lock, from a conflicting virtual transaction id; nullptr when none.
inline PGPROC *vxid_proc(const VirtualTransactionId &vxid) {
#if PG_VERSION_NUM >= 170000
    return vxid.procNumber != INVALID_PROC_NUMBER ? ProcNumberGetProc(vxid.procNumber) : nullptr;
#else
    return vxid.backendId != InvalidBackendId ? BackendIdGetProc(vxid.backendId) : nullptr;
#endif
}

// The i-th (1-based) backend's local status copy, as pg_stat_activity reads it.
inline LocalPgBackendStatus *local_backend_status(int i) {
#if PG_VERSION_NUM >= 160000
    return pgstat_get_local_beentry_by_index(i);
#else
    return pgstat_fetch_stat_local_beentry(i);
#endif
}

// Subtransaction ids a relation's relcache entry records for new storage made in this transaction.
inline SubTransactionId new_storage_subid(Relation rel) {
#if PG_VERSION_NUM >= 160000
    return rel->rd_newRelfilelocatorSubid;
#else
    return rel->rd_newRelfilenodeSubid;
#endif
}
inline SubTransactionId first_storage_subid(Relation rel) {
#if PG_VERSION_NUM >= 160000
    return rel->rd_firstRelfilelocatorSubid;
#else
    return rel->rd_firstRelfilenodeSubid;
#endif
}

// Whether an Append prunes its members at run time (then some may not be read at all).
inline bool append_prunes(const Append *append) {
#if PG_VERSION_NUM >= 180000
    return append->part_prune_index >= 0;
#else
    return append->part_prune_info != nullptr;
#endif
}

// The rows this transaction has inserted, updated and deleted in a table so far, from its pending
// statistics (subtransactions that rolled back no longer count).
struct RowCounts {
    int64 inserted = 0, updated = 0, deleted = 0;
};
inline RowCounts transaction_row_counts(const PgStat_TableStatus *status) {
    RowCounts c;
    for (const PgStat_TableXactStatus *t = status ? status->trans : nullptr; t; t = t->upper) {
        c.inserted += t->tuples_inserted;
        c.updated += t->tuples_updated;
        c.deleted += t->tuples_deleted;
    }
    return c;
}

// From 17 on REINDEX fires event triggers (judged there, like other DDL); before, only the utility
// hook sees it.
constexpr bool kEventTriggersSeeReindex = PG_VERSION_NUM >= 170000;

// 18 adds VIRTUAL generated columns (attgenerated 'v', computed when read).
inline const char *generated_kind(char attgenerated) { return attgenerated == 'v' ? "VIRTUAL" : "STORED"; }

// 18 catalogues NOT NULL as a named constraint; its name, or nullptr (none, or an earlier major).
inline const char *not_null_constraint_name(Oid relid, const char *column) {
#if PG_VERSION_NUM >= 180000
    HeapTuple tuple = findNotNullConstraint(relid, column);
    if (!HeapTupleIsValid(tuple)) return nullptr;
    return pstrdup(NameStr(reinterpret_cast<Form_pg_constraint>(GETSTRUCT(tuple))->conname));
#else
    (void)relid;
    (void)column;
    return nullptr;
#endif
}

}  // namespace mg::pg

// The executor's run hook lost its execute_once argument in 18.
#if PG_VERSION_NUM >= 180000
#define MG_EXECUTOR_RUN_PARAMS QueryDesc *query, ScanDirection direction, uint64 count
#define MG_EXECUTOR_RUN_ARGS query, direction, count
#else
#define MG_EXECUTOR_RUN_PARAMS QueryDesc *query, ScanDirection direction, uint64 count, bool execute_once
#define MG_EXECUTOR_RUN_ARGS query, direction, count, execute_once
#endif

// 18 names the module and its version in pg_get_loaded_modules().
#if PG_VERSION_NUM >= 180000
#define MG_MODULE_MAGIC PG_MODULE_MAGIC_EXT(.name = "migration_guard", .version = MG_VERSION)
#else
#define MG_MODULE_MAGIC PG_MODULE_MAGIC
#endif
