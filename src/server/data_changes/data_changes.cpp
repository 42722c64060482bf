#include "server/data_changes/data_changes.hpp"
#include "server/data_changes/exemptions.hpp"

#include <map>
#include <string>
#include <vector>

#include "engine/node_names.hpp"
#include "server/audit/audit.hpp"
#include "server/boundary.hpp"
#include "server/recycle_bin/recycle_bin.hpp"
#include "server/recycle_bin/internal_sql.hpp"
#include "server/enforcement/decision.hpp"
#include "server/enforcement/statement_findings.hpp"
#include "server/extension_cache.hpp"
#include "server/live_catalog/server_catalog.hpp"
#include "server/settings.hpp"

extern "C" {
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_am.h"
#include "nodes/plannodes.h"
#include "parser/parsetree.h"
#include "pgstat.h"
#include "replication/logicalworker.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "tcop/tcopprot.h"
#include "catalog/pg_inherits.h"
#include "tcop/cmdtag.h"
#include "tcop/utility.h"
}

namespace mg::server {

namespace {

// One table a changing query of the running outermost statement may delete from or update.
struct Tally {
    Oid relid;
    Oid group;  // the table the statement named: a partition or inheritance child counts toward its parent
    int64 deleted_before, updated_before;  // the transaction's counts when the table was first seen
    bool unfiltered_delete, unfiltered_update;  // a query read every row of it to delete or update
    bool direct;  // a target of the outermost query itself (not of a cascade, trigger or function)
};

std::vector<Tally> tallies;
CommandId first_command = InvalidCommandId;
int depth = 0;
int finishing = 0;  // inside an ExecutorFinish: AFTER triggers, foreign keys' cascades
bool judging = false;

// The nesting as each open subtransaction began: an error unwinds the hooks without returning
// through them (no PG_TRY on the executor's path), and the subtransaction's abort (an EXCEPTION
// block, a savepoint) puts the count back where that subtransaction began.
struct Nesting {
    SubTransactionId subxact;
    int depth, finishing;
};
std::vector<Nesting> nesting;

// The rows of a table this transaction has deleted and updated so far: through the open relation
// when it is linked to its pending statistics (no look-up), else by its oid (an invalidation
// unlinks the relation while the entry keeps its counts).
void transaction_counts(Oid relid, Relation rel, int64 &deleted, int64 &updated) {
    const PgStat_TableStatus *status = rel && rel->pgstat_info ? rel->pgstat_info : mg::pg::pending_table_stats(relid);
    const mg::pg::RowCounts c = mg::pg::transaction_row_counts(status);
    deleted = c.deleted;
    updated = c.updated;
}

// A plan that hands every row of the table to the change: a sequential scan without a filter
// (WHERE true is planned away), over partitions or children too.
bool reads_every_row(Plan *plan) {
    if (!plan) return false;
    switch (nodeTag(plan)) {
        case T_SeqScan: return plan->qual == NIL;
        case T_Result: {
            const Result *r = reinterpret_cast<Result *>(plan);
            return !r->resconstantqual && plan->qual == NIL && reads_every_row(outerPlan(plan));
        }
        case T_Append: {
            const Append *a = reinterpret_cast<Append *>(plan);
            if (mg::pg::append_prunes(a) || a->appendplans == NIL) return false;
            ListCell *lc;
            foreach (lc, a->appendplans)
                if (!reads_every_row(static_cast<Plan *>(lfirst(lc)))) return false;
            return true;
        }
        default: return false;
    }
}

// `rel`: the open result relation, when the executor has it (its counts are then read directly).
void note(Oid relid, Oid group, Relation rel, CmdType operation, bool unfiltered, bool direct) {
    for (Tally &t : tallies)
        if (t.relid == relid) {
            t.unfiltered_delete |= unfiltered && operation == CMD_DELETE;
            t.unfiltered_update |= unfiltered && operation == CMD_UPDATE;
            t.direct |= direct;
            return;
        }
    Tally t{relid, group, 0, 0, unfiltered && operation == CMD_DELETE, unfiltered && operation == CMD_UPDATE, direct};
    transaction_counts(relid, rel, t.deleted_before, t.updated_before);
    if (tallies.empty()) first_command = GetCurrentCommandId(false);
    tallies.push_back(t);
}

void note_modify_table(const QueryDesc *query, const PlannedStmt *stmt, ModifyTable *mt, bool direct) {
    if (mt->operation == CMD_INSERT && mt->onConflictAction != ONCONFLICT_UPDATE) return;
    const bool unfiltered = (mt->operation == CMD_DELETE || mt->operation == CMD_UPDATE) && reads_every_row(outerPlan(mt));
    // A statement on a partitioned table or an inheritance parent is judged on it as a whole:
    // ten partitions of 500 rows are a table of 5,000.
    const Index root = mt->rootRelation ? mt->rootRelation : mt->nominalRelation;
    const Oid group = root > 0 ? rt_fetch(root, stmt->rtable)->relid : InvalidOid;
    ListCell *lc;
    foreach (lc, mt->resultRelations) {
        const Index rti = lfirst_int(lc);
        const RangeTblEntry *rte = rt_fetch(rti, stmt->rtable);
        const EState *estate = query->estate;
        const ResultRelInfo *info =
            estate && estate->es_result_relations && rti <= estate->es_range_table_size ? estate->es_result_relations[rti - 1] : nullptr;
        note(rte->relid, OidIsValid(group) ? group : rte->relid, info ? info->ri_RelationDesc : nullptr, mt->operation == CMD_INSERT ? CMD_UPDATE : mt->operation,
             unfiltered, direct);
    }
}

// The rows of the table the statement did not touch (visible now, and not written by it from its
// first command on), counted with the current snapshot up to `limit` (the count stops there).
// The share of the table a statement reached comes from this, never from statistics, which the
// table's owner can inflate (an ANALYZE of rows later rolled back). A heap scan, paid only by a
// statement that reached data_change_rows rows: it reads about as many rows as the statement
// changed before it stops. Another access method: -1 (unknown).
double untouched_rows(Relation rel, double limit) {
    if (rel->rd_rel->relam != HEAP_TABLE_AM_OID) return -1;
    Snapshot now = RegisterSnapshot(GetLatestSnapshot());
    now->curcid = GetCurrentCommandId(false) + 1;
    TableScanDesc scan = table_beginscan(rel, now, 0, nullptr);
    double count = 0;
    HeapTuple tuple;
    while (count < limit && (tuple = heap_getnext(scan, ForwardScanDirection)) != nullptr) {
        CHECK_FOR_INTERRUPTS();
        const HeapTupleHeader h = tuple->t_data;
        if (!TransactionIdIsCurrentTransactionId(HeapTupleHeaderGetRawXmin(h)) || HeapTupleHeaderGetCmin(h) < first_command)
            count += 1;
    }
    table_endscan(scan);
    UnregisterSnapshot(now);
    return count;
}

// What the statement did to one table, in PostgreSQL terms, for the C++ side.
struct Member {
    Oid relid;
    bool updated;     // rows of it were overwritten (kept to be put back by key)
    int64 deleted;    // rows of it deleted
    bool unfiltered;  // read without a filter
};

struct Change {
    Oid relid;  // the table judged (a partitioned table or inheritance parent for its members)
    int64 deleted, updated;
    bool unfiltered_delete, unfiltered_update, direct;
    double untouched;  // rows the statement left untouched (counted up to what decides); -1: unknown
    std::vector<Member> members;  // the tables whose rows it changed (itself, or its partitions)
};

std::string count_text(int64 n, const char *one, const char *many) {
    return format_count(n) + " " + (n == 1 ? one : many);
}

std::vector<Finding> findings_for(const Change &c, const std::string &table) {
    std::vector<Finding> out;
    const std::string via = c.direct ? "" : " (reached through foreign keys, triggers or functions of the statement)";
    auto add = [&](const char *rule, const std::string &message, const std::string &hint) {
        Finding f = make_finding(rule, table, message, hint);
        f.lock = LockMode::RowExclusive;
        out.push_back(std::move(f));
    };
    const std::string keep = "Say which rows you mean with a WHERE; if the whole table, or most of it, is meant, that "
                             "takes a person's review and approval";
    for (const bool del : {true, false}) {
        const int64 n = del ? c.deleted : c.updated;
        if (n <= 0) continue;
        const char *did = del ? "deleted" : "overwrote";
        // A table's only row overwritten: a singleton such as a migration tool's lock row
        // (knex: UPDATE knex_migrations_lock SET is_locked = 0) or a settings row.
        if (!del && c.unfiltered_update && n == 1) continue;
        if (del ? c.unfiltered_delete : c.unfiltered_update) {
            add("dml-without-where",
                std::string(del ? "DELETE" : "UPDATE") + " without WHERE " + did + " every row of " + table + ": " +
                    count_text(n, "row", "rows") + via,
                keep);
            continue;
        }
        if (n < data_change_rows()) continue;
        if (c.untouched == 0) {
            add("mass-dml", std::string("The statement ") + did + " every row of " + table + " (" + count_text(n, "row", "rows") +
                                "): its WHERE let every row through" + via,
                keep);
            continue;
        }
        if (c.untouched < 0) continue;  // not a heap table: unknown
        const double touched = static_cast<double>(c.deleted + c.updated);
        const double before = touched + c.untouched;
        if (touched < data_change_share() * before) continue;
        const int percent = static_cast<int>(100.0 * touched / before + 0.5);
        add("mass-dml", std::string("The statement ") + did + " " + count_text(n, "row", "rows") + " of " + table + ", " +
                            std::to_string(percent) + "% of its " + format_count(static_cast<int64_t>(before)) + " rows" + via,
            keep);
        break;  // one finding for both counts
    }
    return out;
}

// The findings of every change, but on tables exempted from the judgement; `judged` gets the
// tables that have some.
std::vector<Finding> findings_of(const std::vector<Change> &changes, std::vector<std::pair<Oid, std::string>> &judged) {
    std::vector<Finding> findings;
    const ServerCatalog catalog;
    for (const Change &c : changes) {
        const std::string table = catalog.name_of(c.relid).display();
        std::vector<Finding> more = findings_for(c, table);
        if (more.empty() || exempt_from_data_changes(c.relid)) continue;
        judged.emplace_back(c.relid, table);
        findings.insert(findings.end(), more.begin(), more.end());
    }
    return findings;
}

// The C++ side: findings, judgement, the recycle bin, the audit log.
void judge_changes(const std::vector<Change> &changes, const char *tag, const char *text) {
    static const int statement_key = 0;
    const Node *key = reinterpret_cast<const Node *>(&statement_key);
    std::vector<std::pair<Oid, std::string>> judged;
    std::vector<Finding> findings = findings_of(changes, judged);
    if (findings.empty()) return;
    const ServerCatalog catalog;
    begin_statement(key, text, tag);
    // Kept per table whose rows changed (each partition of a partitioned table on its own).
    std::vector<std::pair<Oid, std::string>> kept;
    std::vector<Oid> overwritten;
    for (const Change &c : changes)
        for (const auto &[relid, table] : judged) {
            if (c.relid != relid) continue;
            current_statement().rows_affected[table] = c.deleted + c.updated;
            for (const Member &m : c.members) {
                kept.emplace_back(m.relid, m.relid == c.relid ? table : catalog.name_of(m.relid).display());
                if (m.updated) overwritten.push_back(m.relid);
            }
        }
    std::map<Oid, int64_t> deleted_rows;
    for (const Change &c : changes)
        for (const Member &m : c.members) deleted_rows[m.relid] = m.deleted;
    plan_data_change_keep(kept, overwritten, deleted_rows, findings);
    judge(std::move(findings), tag);  // raises the blocking error: the statement is rolled back
    keep_data_changes(first_command);
    std::vector<AuditRow> rows;
    for (const auto &[relid, table] : judged) rows.push_back(statement_audit_row("table", table));
    note_audit_ids(rows, write_audit_rows(rows));
    end_statement(key);
}

void judge_now(const char *tag, const char *text);

void forget(XactEvent event, void *) {
    // A COMMIT inside a DO block or procedure ends the transaction before the outermost statement
    // does: what it changed is judged now, still inside that transaction (a block aborts it).
    if ((event == XACT_EVENT_PRE_COMMIT || event == XACT_EVENT_PRE_PREPARE) && !tallies.empty() && !judging) {
        judge_now("COMMIT", debug_query_string ? debug_query_string : "COMMIT");
        return;
    }
    if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT || event == XACT_EVENT_COMMIT ||
        event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PREPARE) {
        tallies.clear();
        nesting.clear();
        depth = 0;
        finishing = 0;
        judging = false;
    }
}

void forget_sub(SubXactEvent event, SubTransactionId subxact, SubTransactionId, void *) {
    switch (event) {
        case SUBXACT_EVENT_START_SUB: nesting.push_back({subxact, depth, finishing}); break;
        case SUBXACT_EVENT_COMMIT_SUB:
            while (!nesting.empty() && nesting.back().subxact >= subxact) nesting.pop_back();
            break;
        case SUBXACT_EVENT_ABORT_SUB:
            // The tallies stay: pgstat's counts already leave out the rows of what was rolled back.
            while (!nesting.empty() && nesting.back().subxact >= subxact) {
                depth = nesting.back().depth;
                finishing = nesting.back().finishing;
                nesting.pop_back();
            }
            judging = false;
            break;
        default: break;
    }
}

}  // namespace

void note_data_change_query(QueryDesc *query) {
    const PlannedStmt *stmt = query->plannedstmt;
    if (!stmt || stmt->commandType == CMD_UTILITY || judging || is_internal_query(query->sourceText)) return;
    if (stmt->commandType == CMD_SELECT && !stmt->hasModifyingCTE) return;
    if (stmt->commandType == CMD_INSERT && !stmt->hasModifyingCTE && IsA(stmt->planTree, ModifyTable) &&
        reinterpret_cast<ModifyTable *>(stmt->planTree)->onConflictAction != ONCONFLICT_UPDATE)
        return;
    if (!pgstat_track_counts || IsLogicalWorker() || !data_changes_judged() || mode() == Mode::Off) return;
    const bool direct = depth <= 1 && finishing == 0;
    if (IsA(stmt->planTree, ModifyTable)) note_modify_table(query, stmt, reinterpret_cast<ModifyTable *>(stmt->planTree), direct);
    ListCell *lc;
    foreach (lc, stmt->subplans) {
        Plan *sub = static_cast<Plan *>(lfirst(lc));
        if (sub && IsA(sub, ModifyTable)) note_modify_table(query, stmt, reinterpret_cast<ModifyTable *>(sub), direct);
    }
}

int data_change_depth_enter(bool finish) {
    if (finish) ++finishing;
    return depth++;
}

void data_change_depth_leave(int depth_before, bool finish) {
    depth = depth_before;
    if (finish && finishing > 0) --finishing;
}

namespace {

// What the pending tallies changed, table by table (the tallies are consumed). PostgreSQL code.
std::vector<Change> pending_changes() {
    std::vector<Change> changes;
    // The statement's counts, per table it named (members of a partitioned table or inheritance
    // parent add up). Ordinary traffic leaves at the first `continue`: a few rows of a plain table,
    // read through a filter.
    for (const Tally &t : tallies) {
        int64 deleted = 0, updated = 0;
        transaction_counts(t.relid, nullptr, deleted, updated);
        deleted -= t.deleted_before;
        updated -= t.updated_before;
        const bool member = t.group != t.relid;  // a partition or child: its unchanged siblings count too
        if (!member && deleted <= 0 && updated <= 0) continue;
        const bool unfiltered = (t.unfiltered_delete && deleted > 0) || (t.unfiltered_update && updated > 0);
        if (!member && !unfiltered && deleted < data_change_rows() && updated < data_change_rows()) continue;
        Change *c = nullptr;
        for (Change &o : changes)
            if (o.relid == t.group) c = &o;
        if (!c) {
            changes.push_back(Change{t.group, 0, 0, false, false, false, -1, {}});
            c = &changes.back();
        }
        c->deleted += deleted;
        c->updated += updated;
        c->direct |= t.direct;
        if (t.group == t.relid) {
            c->unfiltered_delete = t.unfiltered_delete && deleted > 0;
            c->unfiltered_update = t.unfiltered_update && updated > 0;
        }
        c->members.push_back({t.relid, updated > 0, deleted > 0 ? deleted : 0, t.unfiltered_delete || t.unfiltered_update});
    }
    tallies.clear();  // keeps its capacity: the next statement's first table costs no allocation
    if (changes.empty()) return changes;
    const ExtensionPlace &place = extension_place_pg();
    if (!place.installed || !IsTransactionState()) return {};
    std::vector<Change> judged;
    for (Change &c : changes) {
        Relation rel = RelationIdGetRelation(c.relid);
        if (!RelationIsValid(rel)) continue;
        // Nothing at stake: a temporary table, one created in this transaction, the guard's own.
        const char kind = rel->rd_rel->relkind;
        const bool skip = (kind != RELKIND_RELATION && kind != RELKIND_PARTITIONED_TABLE) ||
                          rel->rd_rel->relpersistence == RELPERSISTENCE_TEMP ||
                          rel->rd_createSubid != InvalidSubTransactionId || RelationGetNamespace(rel) == place.schema;
        RelationClose(rel);
        if (skip) continue;
        // The tables of the whole: the table itself, or every partition or child with storage.
        List *whole = list_make1_oid(c.relid);
        if (c.deleted <= 0 && c.updated <= 0) continue;
        if (c.members.size() != 1 || c.members.front().relid != c.relid) {
            whole = find_all_inheritors(c.relid, NoLock, nullptr);
            // Every one of them read without a filter: the statement had no WHERE.
            bool all = true;
            ListCell *lc;
            foreach (lc, whole) {
                const Oid leaf = lfirst_oid(lc);
                if (get_rel_relkind(leaf) != RELKIND_RELATION) continue;
                bool read_whole = false;
                for (const Member &m : c.members) read_whole |= m.relid == leaf && m.unfiltered;
                all &= read_whole;
            }
            c.unfiltered_delete = all && c.deleted > 0;
            c.unfiltered_update = all && c.updated > 0;
        }
        if (!c.unfiltered_delete && !c.unfiltered_update) {
            if (c.deleted < data_change_rows() && c.updated < data_change_rows()) continue;
            const double share = data_change_share();
            const double touched = static_cast<double>(c.deleted + c.updated);
            // Untouched rows beyond this make the share too small to judge: counting stops there.
            const double limit = share > 0 ? touched * (1.0 / share - 1.0) + 1.0 : 1.0;
            double untouched = 0;
            ListCell *lc;
            foreach (lc, whole) {
                const Oid member = lfirst_oid(lc);
                if (get_rel_relkind(member) != RELKIND_RELATION) continue;
                Relation m = RelationIdGetRelation(member);
                if (!RelationIsValid(m)) continue;
                const double n = untouched_rows(m, limit - untouched);
                RelationClose(m);
                if (n < 0) {
                    untouched = -1;
                    break;
                }
                untouched += n;
                if (untouched >= limit) break;
            }
            c.untouched = untouched;
        }
        judged.push_back(std::move(c));
    }
    return judged;
}

// Judges the pending tallies. The guard's own SQL needs a snapshot: a SELECT's portal has popped its
// own when its executor finishes, and a COMMIT has none.
void judge_now(const char *tag, const char *text) {
    const std::vector<Change> changes = pending_changes();
    if (changes.empty()) return;
    const bool push = !ActiveSnapshotSet();
    if (push) PushActiveSnapshot(GetTransactionSnapshot());
    judging = true;
    enter_cpp("data changes", [&] { judge_changes(changes, tag, text); });
    judging = false;
    if (push) PopActiveSnapshot();
}

}  // namespace

void judge_data_changes(Node *statement, const char *text, int length) {
    if (tallies.empty() || depth != 0 || judging) return;
    judge_now(GetCommandTagName(CreateCommandTag(statement)), length > 0 ? pnstrdup(text, length) : text);
}

std::vector<Finding> data_change_findings_now() {
    std::vector<Change> changes;
    pg_call([&] { changes = pending_changes(); });
    std::vector<std::pair<Oid, std::string>> judged;
    return findings_of(changes, judged);
}

void init_data_changes() {
    static bool registered = false;
    if (registered) return;
    registered = true;
    RegisterXactCallback(forget, nullptr);
    RegisterSubXactCallback(forget_sub, nullptr);
}

}  // namespace mg::server
