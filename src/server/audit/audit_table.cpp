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
    "rules",       "risk",        "decision",        "approval_id",  "migration_id", "undo_sql",
    "rows_affected", "request_id"};

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

RowAppender::RowAppender(Oid relid) {
    rel_ = table_open(relid, RowExclusiveLock);
    estate_ = CreateExecutorState();
    RangeTblEntry *rte = makeNode(RangeTblEntry);
    rte->rtekind = RTE_RELATION;
    rte->relid = relid;
    rte->relkind = rel_->rd_rel->relkind;
    rte->rellockmode = RowExclusiveLock;
    mg::pg::init_range_table(estate_, list_make1(rte));
    rri_ = makeNode(ResultRelInfo);
    InitResultRelInfo(rri_, rel_, 1, nullptr, 0);
    ExecOpenIndices(rri_, false);
    slot_ = ExecInitExtraTupleSlot(estate_, RelationGetDescr(rel_), &TTSOpsVirtual);
}

int RowAppender::attribute(const char *column, int expected) const {
    const TupleDesc desc = RelationGetDescr(rel_);
    if (expected >= 0 && expected < desc->natts && !TupleDescAttr(desc, expected)->attisdropped &&
        strcmp(NameStr(TupleDescAttr(desc, expected)->attname), column) == 0)
        return expected;
    for (int a = 0; a < desc->natts; a++) {
        const Form_pg_attribute att = TupleDescAttr(desc, a);
        if (!att->attisdropped && strcmp(NameStr(att->attname), column) == 0) return a;
    }
    return -1;
}

Oid RowAppender::type_of(int attribute) const { return TupleDescAttr(RelationGetDescr(rel_), attribute)->atttypid; }

void RowAppender::begin_row() {
    ExecClearTuple(slot_);
    for (int a = 0; a < RelationGetDescr(rel_)->natts; a++) slot_->tts_isnull[a] = true;
}

void RowAppender::set(int attribute, Datum value) {
    if (attribute < 0) return;
    slot_->tts_values[attribute] = value;
    slot_->tts_isnull[attribute] = false;
}

void RowAppender::set_text(int attribute, const char *value) {
    if (value && value[0]) set(attribute, CStringGetTextDatum(value));
}

void RowAppender::append() {
    ExecStoreVirtualTuple(slot_);
    // The table's NOT NULL columns, checked as ExecConstraints() would. CHECK constraints are
    // not evaluated (compiling them for every statement's write would cost more than the
    // insert): the writers check their own values.
    const TupleDesc desc = RelationGetDescr(rel_);
    for (int a = 0; a < desc->natts; a++) {
        const Form_pg_attribute att = TupleDescAttr(desc, a);
        if (att->attnotnull && slot_->tts_isnull[a])
            ereport(ERROR, (errcode(ERRCODE_NOT_NULL_VIOLATION),
                            errmsg("null value in column \"%s\" of relation \"%s\" violates not-null constraint",
                                   NameStr(att->attname), RelationGetRelationName(rel_))));
    }
    simple_table_tuple_insert(rel_, slot_);
    mg::pg::insert_index_tuples(rri_, slot_, estate_);
    ResetPerTupleExprContext(estate_);
}

void RowAppender::close() {
    ExecCloseIndices(rri_);
    ExecResetTupleTable(estate_->es_tupleTable, false);
    FreeExecutorState(estate_);
    table_close(rel_, NoLock);  // held to the end of the transaction, as the executor does
    rel_ = nullptr;
}

AuditTable::AuditTable(Oid relid) : rows_(relid) {
    for (int c = 0; c < kColumns; c++) attnum_[c] = rows_.attribute(kColumnNames[c], c);
}

int64 AuditTable::insert(const AuditSession &s, const AuditFields &f) {
    // The one CHECK of the audit tables.
    if (!f.decision || (strcmp(f.decision, "allowed") != 0 && strcmp(f.decision, "warned") != 0 &&
                        strcmp(f.decision, "approved") != 0 && strcmp(f.decision, "blocked") != 0))
        elog(ERROR, "migration_guard: invalid audit decision \"%s\"", f.decision ? f.decision : "");
    rows_.begin_row();
    const int64 id = next_row_id();
    rows_.set(attnum_[kId], Int64GetDatum(id));
    rows_.set(attnum_[kLoggedAt], TimestampTzGetDatum(s.logged_at));
    rows_.set_text(attnum_[kRoleName], s.role_name);
    rows_.set_text(attnum_[kSessionRole], s.session_role);
    rows_.set_text(attnum_[kApplicationName], s.application_name);
    if (s.client_addr && s.client_addr[0])
        rows_.set(attnum_[kClientAddr], DirectFunctionCall1(inet_in, CStringGetDatum(s.client_addr)));
    rows_.set(attnum_[kBackendPid], Int32GetDatum(s.backend_pid));
    if (s.xid) rows_.set(attnum_[kXid], FullTransactionIdGetDatum(FullTransactionIdFromU64(s.xid)));
    rows_.set_text(attnum_[kCommandTag], f.command_tag);
    rows_.set_text(attnum_[kObjectType], f.object_type);
    rows_.set_text(attnum_[kObjectIdentity], f.object_identity);
    rows_.set_text(attnum_[kStatement], f.statement);
    rows_.set(attnum_[kRules], rules_array(f.rules));
    if (attnum_[kRisk] >= 0)
        rows_.set(attnum_[kRisk], DirectFunctionCall2(enum_in, CStringGetDatum(f.risk),
                                                      ObjectIdGetDatum(rows_.type_of(attnum_[kRisk]))));
    rows_.set_text(attnum_[kDecision], f.decision);
    if (f.approval_id) rows_.set(attnum_[kApprovalId], Int64GetDatum(f.approval_id));
    rows_.set_text(attnum_[kMigrationId], s.migration_id);
    rows_.set_text(attnum_[kUndoSql], f.undo_sql);
    if (f.rows_affected >= 0) rows_.set(attnum_[kRowsAffected], Int64GetDatum(f.rows_affected));
    if (f.request_id) rows_.set(attnum_[kRequestId], Int64GetDatum(f.request_id));
    rows_.append();
    return id;
}

}  // namespace mg::server
