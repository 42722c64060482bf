#include "server/audit/audit_table.hpp"

#include <cstring>

extern "C" {
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "utils/array.h"
#include "utils/fmgrprotos.h"
#include "utils/rel.h"
#include "utils/xid8.h"
}

namespace mg::server {

namespace {

constexpr const char *kColumnNames[] = {
    "id",          "logged_at",   "role_name",       "session_role", "application_name", "client_addr",
    "backend_pid", "xid",         "command_tag",     "object_type",  "object_identity",  "statement",
    "rules",       "risk",        "decision",        "approval_id",  "migration_id"};

// "a\nb" as text[] {a,b}; "" as {} (as string_to_array does).
Datum rules_array(const char *rules) {
    if (!rules || !rules[0]) return PointerGetDatum(construct_empty_array(TEXTOID));
    int n = 1;
    for (const char *p = rules; *p; p++) n += *p == '\n';
    Datum *items = static_cast<Datum *>(palloc(sizeof(Datum) * n));
    int i = 0;
    for (const char *start = rules;; ) {
        const char *end = strchr(start, '\n');
        const size_t len = end ? static_cast<size_t>(end - start) : strlen(start);
        items[i++] = PointerGetDatum(cstring_to_text_with_len(start, static_cast<int>(len)));
        if (!end) break;
        start = end + 1;
    }
    return PointerGetDatum(construct_array(items, n, TEXTOID, -1, false, TYPALIGN_INT));
}

}  // namespace

AuditTable::AuditTable(Oid relid) {
    rel_ = table_open(relid, RowExclusiveLock);
    estate_ = CreateExecutorState();
    RangeTblEntry *rte = makeNode(RangeTblEntry);
    rte->rtekind = RTE_RELATION;
    rte->relid = relid;
    rte->relkind = rel_->rd_rel->relkind;
    rte->rellockmode = RowExclusiveLock;
    ExecInitRangeTable(estate_, list_make1(rte));
    rri_ = makeNode(ResultRelInfo);
    InitResultRelInfo(rri_, rel_, 1, nullptr, 0);
    ExecOpenIndices(rri_, false);
    TupleDesc desc = RelationGetDescr(rel_);
    slot_ = ExecInitExtraTupleSlot(estate_, desc, &TTSOpsVirtual);
    for (int c = 0; c < kColumns; c++) {
        attnum_[c] = -1;
        // Usually in the declared order: found at its own position at once.
        if (c < desc->natts && !TupleDescAttr(desc, c)->attisdropped &&
            strcmp(NameStr(TupleDescAttr(desc, c)->attname), kColumnNames[c]) == 0) {
            attnum_[c] = c;
            continue;
        }
        for (int a = 0; a < desc->natts; a++) {
            const Form_pg_attribute att = TupleDescAttr(desc, a);
            if (!att->attisdropped && strcmp(NameStr(att->attname), kColumnNames[c]) == 0) attnum_[c] = a;
        }
    }
}

void AuditTable::insert(const AuditSession &s, const AuditFields &f) {
    TupleDesc desc = RelationGetDescr(rel_);
    ExecClearTuple(slot_);
    Datum *values = slot_->tts_values;
    bool *nulls = slot_->tts_isnull;
    for (int a = 0; a < desc->natts; a++) nulls[a] = true;
    auto set = [&](Column c, Datum v) {
        if (attnum_[c] < 0) return;
        values[attnum_[c]] = v;
        nulls[attnum_[c]] = false;
    };
    auto set_text = [&](Column c, const char *v) {
        if (v && v[0]) set(c, CStringGetTextDatum(v));
    };
    set(kId, Int64GetDatum(next_row_id()));
    set(kLoggedAt, TimestampTzGetDatum(s.logged_at));
    set_text(kRoleName, s.role_name);
    set_text(kSessionRole, s.session_role);
    set_text(kApplicationName, s.application_name);
    if (s.client_addr && s.client_addr[0]) set(kClientAddr, DirectFunctionCall1(inet_in, CStringGetDatum(s.client_addr)));
    set(kBackendPid, Int32GetDatum(s.backend_pid));
    if (s.xid) set(kXid, FullTransactionIdGetDatum(FullTransactionIdFromU64(s.xid)));
    set_text(kCommandTag, f.command_tag);
    set_text(kObjectType, f.object_type);
    set_text(kObjectIdentity, f.object_identity);
    set_text(kStatement, f.statement);
    set(kRules, rules_array(f.rules));
    if (attnum_[kRisk] >= 0)
        set(kRisk, DirectFunctionCall2(enum_in, CStringGetDatum(f.risk),
                                       ObjectIdGetDatum(TupleDescAttr(desc, attnum_[kRisk])->atttypid)));
    set_text(kDecision, f.decision);
    if (f.approval_id) set(kApprovalId, Int64GetDatum(f.approval_id));
    set_text(kMigrationId, s.migration_id);
    ExecStoreVirtualTuple(slot_);
    // The table's NOT NULL columns, checked as ExecConstraints() would. Its CHECK on decision
    // is the only other constraint, and compiling it for every statement's write would cost more
    // than the insert: the guard only ever writes the four decisions, checked here.
    for (int a = 0; a < desc->natts; a++) {
        const Form_pg_attribute att = TupleDescAttr(desc, a);
        if (att->attnotnull && nulls[a])
            ereport(ERROR, (errcode(ERRCODE_NOT_NULL_VIOLATION),
                            errmsg("null value in column \"%s\" of relation \"%s\" violates not-null constraint",
                                   NameStr(att->attname), RelationGetRelationName(rel_))));
    }
    if (!f.decision || (strcmp(f.decision, "allowed") != 0 && strcmp(f.decision, "warned") != 0 &&
                        strcmp(f.decision, "approved") != 0 && strcmp(f.decision, "blocked") != 0))
        elog(ERROR, "migration_guard: invalid audit decision \"%s\"", f.decision ? f.decision : "");
    simple_table_tuple_insert(rel_, slot_);
    ExecInsertIndexTuples(rri_, slot_, estate_, false, false, nullptr, NIL);
    ResetPerTupleExprContext(estate_);
}

void AuditTable::close() {
    ExecCloseIndices(rri_);
    ExecResetTupleTable(estate_->es_tupleTable, false);
    FreeExecutorState(estate_);
    table_close(rel_, NoLock);  // held to the end of the transaction, as the executor does
    rel_ = nullptr;
}

}  // namespace mg::server
