#include "server/audit/migration_tools.hpp"

#include <cstring>
#include <new>

#include "server/audit/audit_table.hpp"
#include "server/extension_cache.hpp"

extern "C" {
#include "access/heapam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_am.h"
#include "pgstat.h"
#include "utils/snapmgr.h"
#include "utils/xid8.h"
}

namespace mg::server {

namespace {

struct Bookkeeping {
    const char *table;
    const char *tool;
    const char *id_columns[3];  // the migration's id: these columns joined with '.'; nullptr ends
};

// Table names as each tool creates them by default.
constexpr Bookkeeping kTables[] = {
    {"alembic_version", "alembic", {"version_num"}},
    {"schema_migrations", "schema_migrations (rails, dbmate, golang-migrate)", {"version"}},
    {"ar_internal_metadata", "rails", {}},
    {"django_migrations", "django", {"app", "name"}},
    {"knex_migrations", "knex", {"name"}},
    {"knex_migrations_lock", "knex", {}},
    {"pgmigrations", "node-pg-migrate", {"name"}},
    {"flyway_schema_history", "flyway", {"script"}},
    {"_prisma_migrations", "prisma", {"migration_name"}},
    {"goose_db_version", "goose", {"version_id"}},
    {"__diesel_schema_migrations", "diesel", {"version"}},
    {"gorp_migrations", "sql-migrate", {"id"}},
};
// Sqitch's registry: the change deployed (or reverted) is a row of sqitch.changes.
constexpr Bookkeeping kSqitchChanges = {"changes", "sqitch", {"change"}};

bool wrote_audit_rows = false;

// Sqitch keeps its registry in a schema of its own.
constexpr const char *kSqitchSchema = "sqitch";

const char *tool_of_range_var(const RangeVar *rv) {
    return rv ? tool_of_table(rv->schemaname, rv->relname) : nullptr;
}

}  // namespace

const char *tool_of_table(const char *schema, const char *name) {
    if (schema && std::strcmp(schema, kSqitchSchema) == 0) return "sqitch";
    if (!name) return nullptr;
    for (const auto &b : kTables)
        if (std::strcmp(name, b.table) == 0) return b.tool;
    return nullptr;
}

namespace {

// Whether this transaction inserted, updated or deleted rows of the table (its pgstat counters;
// without track_counts every candidate is looked through). PostgreSQL code only.
bool changed_in_transaction(Oid relid) {
    if (!pgstat_track_counts) return true;
    const mg::pg::RowCounts c = mg::pg::transaction_row_counts(mg::pg::pending_table_stats(relid));
    return c.inserted > 0 || c.updated > 0 || c.deleted > 0;
}

bool plain_type(Oid type) {
    switch (type) {
        case TEXTOID: case VARCHAROID: case BPCHAROID: case NAMEOID:
        case INT2OID: case INT4OID: case INT8OID: case NUMERICOID:
            return true;
        default:
            return false;
    }
}

// The ids of the rows this transaction wrote into a bookkeeping table ("a, b"), or nullptr.
// PostgreSQL code only.
char *migrations_written(Oid relid, const Bookkeeping &b) {
    if (!b.id_columns[0]) return nullptr;
    Relation rel = table_open(relid, AccessShareLock);
    char *result = nullptr;
    AttrNumber attnums[3] = {0, 0, 0};
    bool usable = rel->rd_rel->relam == HEAP_TABLE_AM_OID;
    for (int c = 0; usable && c < 3 && b.id_columns[c]; c++) {
        attnums[c] = get_attnum(relid, b.id_columns[c]);
        // Anybody may create a table of that name on the search path: only built-in types are
        // read, so that no output function of theirs runs here (possibly as a superuser).
        usable = attnums[c] > 0 && plain_type(TupleDescAttr(RelationGetDescr(rel), attnums[c] - 1)->atttypid);
    }
    if (usable) {
        StringInfoData ids;
        initStringInfo(&ids);
        TableScanDesc scan = table_beginscan(rel, SnapshotSelf, 0, nullptr);
        HeapTuple tuple;
        while ((tuple = heap_getnext(scan, ForwardScanDirection)) != nullptr) {
            if (!TransactionIdIsCurrentTransactionId(HeapTupleHeaderGetXmin(tuple->t_data))) continue;
            if (ids.len) appendStringInfoString(&ids, ", ");
            for (int c = 0; c < 3 && attnums[c]; c++) {
                bool isnull = true;
                const Datum d = heap_getattr(tuple, attnums[c], RelationGetDescr(rel), &isnull);
                if (c) appendStringInfoChar(&ids, '.');
                if (isnull) continue;
                Oid out;
                bool varlena;
                getTypeOutputInfo(TupleDescAttr(RelationGetDescr(rel), attnums[c] - 1)->atttypid, &out, &varlena);
                appendStringInfoString(&ids, OidOutputFunctionCall(out, d));
            }
        }
        table_endscan(scan);
        if (ids.len) result = ids.data;
    }
    table_close(rel, AccessShareLock);
    return result;
}

// As the transaction commits: the migrations it recorded in a tool's bookkeeping, on record.
// PostgreSQL code only; nothing to do costs a flag test.
void at_commit(XactEvent event, void *) {
    if (event != XACT_EVENT_PRE_COMMIT) {
        if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT || event == XACT_EVENT_PREPARE ||
            event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PARALLEL_ABORT)
            wrote_audit_rows = false;
        return;
    }
    if (!wrote_audit_rows) return;
    wrote_audit_rows = false;
    const ExtensionPlace &place = extension_place_pg();
    const FullTransactionId xid = GetTopFullTransactionIdIfAny();
    if (!place.installed || !OidIsValid(place.tool_migration) || !FullTransactionIdIsValid(xid)) return;
    RowAppender *rows = nullptr;
    auto record = [&](const char *tool, Oid relid, const Bookkeeping &b) {
        if (!OidIsValid(relid) || !changed_in_transaction(relid)) return;
        char *ids = migrations_written(relid, b);
        if (!ids) return;
        if (!rows) rows = new (palloc(sizeof(RowAppender))) RowAppender(place.tool_migration);
        rows->begin_row();
        rows->set(rows->attribute("id"), Int64GetDatum(next_row_id()));
        rows->set(rows->attribute("xid"), FullTransactionIdGetDatum(xid));
        rows->set_text(rows->attribute("tool"), tool);
        rows->set_text(rows->attribute("migration_id"), ids);
        rows->set(rows->attribute("recorded_at"), TimestampTzGetDatum(GetCurrentTransactionStartTimestamp()));
        rows->append();
    };
    for (const auto &b : kTables) record(b.tool, RelnameGetRelid(b.table), b);
    const Oid sqitch = get_namespace_oid("sqitch", true);
    if (OidIsValid(sqitch)) record("sqitch", get_relname_relid(kSqitchChanges.table, sqitch), kSqitchChanges);
    if (rows) rows->close();
}

}  // namespace

void note_audit_rows_written() { wrote_audit_rows = true; }

void init_migration_tools() {
    static bool registered = false;
    if (registered) return;
    registered = true;
    RegisterXactCallback(at_commit, nullptr);
}

const char *bookkeeping_tool(const Node *stmt) {
    switch (nodeTag(stmt)) {
        case T_CreateStmt: return tool_of_range_var(reinterpret_cast<const CreateStmt *>(stmt)->relation);
        case T_AlterTableStmt: return tool_of_range_var(reinterpret_cast<const AlterTableStmt *>(stmt)->relation);
        case T_IndexStmt: return tool_of_range_var(reinterpret_cast<const IndexStmt *>(stmt)->relation);
        case T_CreateSeqStmt: return tool_of_range_var(reinterpret_cast<const CreateSeqStmt *>(stmt)->sequence);
        case T_CommentStmt: {
            const auto *c = reinterpret_cast<const CommentStmt *>(stmt);
            if (c->objtype != OBJECT_TABLE && c->objtype != OBJECT_COLUMN) return nullptr;
            // [schema.]table[.column] as a list of strings.
            const List *names = castNode(List, c->object);
            const int n = list_length(names), table_at = c->objtype == OBJECT_COLUMN ? n - 2 : n - 1;
            if (table_at < 0) return nullptr;
            return tool_of_table(table_at > 0 ? strVal(list_nth(names, table_at - 1)) : nullptr,
                                 strVal(list_nth(names, table_at)));
        }
        case T_CreateSchemaStmt: {
            const char *name = reinterpret_cast<const CreateSchemaStmt *>(stmt)->schemaname;
            return name && std::strcmp(name, kSqitchSchema) == 0 ? "sqitch" : nullptr;
        }
        default: return nullptr;
    }
}

}  // namespace mg::server
