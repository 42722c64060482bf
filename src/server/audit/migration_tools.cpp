#include "server/audit/migration_tools.hpp"

#include <cstring>
#include <new>
#include <vector>

#include "server/audit/audit_table.hpp"
#include "server/extension_cache.hpp"
#include "server/boundary.hpp"
#include "server/settings.hpp"

extern "C" {
#include "access/heapam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_am.h"
#include "pgstat.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/xid8.h"
}

namespace mg::server {

namespace {

// A row written before the migration runs, marking it in progress (Prisma, golang-migrate).
enum class Pending { None, NullColumn, TrueColumn };

struct Bookkeeping {
    const char *schema;  // nullptr: the first of that name on the search path
    const char *table;
    const char *tool;
    const char *id_columns[3];  // the migration's id: these columns joined with `separator`
    const char *separator;
    Pending pending;
    const char *pending_columns[2];  // in progress while these are NULL (or this one is true)
};

// Table names as each tool creates them by default.
constexpr Bookkeeping kTables[] = {
    {nullptr, "alembic_version", "alembic", {"version_num"}, ".", Pending::None, {}},
    {nullptr, "schema_migrations", "dbmate", {"version"}, ".", Pending::TrueColumn, {"dirty"}},
    {nullptr, "ar_internal_metadata", "rails", {}, ".", Pending::None, {}},
    {nullptr, "django_migrations", "django", {"app", "name"}, ".", Pending::None, {}},
    {nullptr, "knex_migrations", "knex", {"name"}, ".", Pending::None, {}},
    {nullptr, "knex_migrations_lock", "knex", {}, ".", Pending::None, {}},
    {nullptr, "pgmigrations", "node-pg-migrate", {"name"}, ".", Pending::None, {}},
    {nullptr, "flyway_schema_history", "flyway", {"script"}, ".", Pending::None, {}},
    {nullptr, "_prisma_migrations", "prisma", {"migration_name"}, ".", Pending::NullColumn, {"finished_at", "rolled_back_at"}},
    {nullptr, "goose_db_version", "goose", {"version_id"}, ".", Pending::None, {}},
    {nullptr, "__diesel_schema_migrations", "diesel", {"version"}, ".", Pending::None, {}},
    {nullptr, "gorp_migrations", "sql-migrate", {"id"}, ".", Pending::None, {}},
    {nullptr, "migrations", "typeorm", {"name"}, ".", Pending::None, {}},
    {nullptr, "SequelizeMeta", "sequelize", {"name"}, ".", Pending::None, {}},
    {nullptr, "mikro_orm_migrations", "mikro-orm", {"name"}, ".", Pending::None, {}},
    {nullptr, "kysely_migration", "kysely", {"name"}, ".", Pending::None, {}},
    {nullptr, "kysely_migration_lock", "kysely", {}, ".", Pending::None, {}},
    {nullptr, "databasechangelog", "liquibase", {"filename", "id", "author"}, "::", Pending::None, {}},
    {nullptr, "databasechangeloglock", "liquibase", {}, ".", Pending::None, {}},
    {"drizzle", "__drizzle_migrations", "drizzle", {"created_at"}, ".", Pending::None, {}},
    // Sqitch's registry: the change deployed (or reverted) is a row of sqitch.changes.
    {"sqitch", "changes", "sqitch", {"change"}, ".", Pending::None, {}},
};

// Schemas that belong to a tool as a whole.
constexpr struct {
    const char *schema, *tool;
} kToolSchemas[] = {{"sqitch", "sqitch"}, {"drizzle", "drizzle"}};

const char *tool_of_range_var(const RangeVar *rv) {
    return rv ? tool_of_table(rv->schemaname, rv->relname) : nullptr;
}

// The table of a bookkeeping entry, or InvalidOid. PostgreSQL code only.
Oid bookkeeping_relid(const Bookkeeping &b) {
    if (!b.schema) return RelnameGetRelid(b.table);
    const Oid nsp = get_namespace_oid(b.schema, true);
    return OidIsValid(nsp) ? get_relname_relid(b.table, nsp) : InvalidOid;
}

// What schema_migrations belongs to: Rails keeps ar_internal_metadata beside it, golang-migrate
// a dirty flag in it; else dbmate. PostgreSQL code only.
const char *schema_migrations_tool(Oid relid) {
    if (OidIsValid(get_relname_relid("ar_internal_metadata", get_rel_namespace(relid)))) return "rails";
    if (get_attnum(relid, "dirty") > 0) return "golang-migrate";
    return "dbmate";
}

const char *tool_name(const Bookkeeping &b, Oid relid) {
    return std::strcmp(b.table, "schema_migrations") == 0 ? schema_migrations_tool(relid) : b.tool;
}

// --- this session's recent transactions --------------------------------------------------------

// The top-level transactions this session committed last: a bookkeeping row one of them wrote
// is this session's, not another's (anyone may write into a tool's table).
constexpr int kOwnXids = 32;
TransactionId own_xids[kOwnXids];
int own_next = 0;

bool committed_by_this_session(TransactionId xid) {
    if (TransactionIdIsCurrentTransactionId(xid)) return true;
    for (const TransactionId own : own_xids)
        if (TransactionIdIsValid(own) && TransactionIdEquals(own, xid)) return true;
    return false;
}

// Schema changes this session committed since it last recorded a migration in a tool's
// bookkeeping: what a block later in the same migration must not call "nothing changed".
struct CommittedChanges {
    int count = 0;
    std::string last;  // "ALTER TABLE on public.t"
    std::string migration;  // the effective migration id they were made under
};
CommittedChanges committed;

// The running transaction, as far as the commit callback cares.
struct ThisTransaction {
    bool changed = false;   // it wrote audit rows (a schema change)
    bool recorded = false;  // it recorded a migration in a tool's bookkeeping
    std::string last;       // its last change, "ALTER TABLE on public.t"
    std::string migration;  // the effective migration id it ran under
} current;

}  // namespace

const char *tool_of_table(const char *schema, const char *name) {
    if (schema)
        for (const auto &t : kToolSchemas)
            if (std::strcmp(schema, t.schema) == 0) return t.tool;
    if (!name) return nullptr;
    for (const auto &b : kTables)
        if (!b.schema && std::strcmp(name, b.table) == 0) return b.tool;
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

// The ids of the rows of a bookkeeping table that `wanted` accepts ("a, b"), or nullptr. Only
// built-in types are read, with a heap scan: anybody may create a table of that name on the
// search path, and no code of theirs (an output function, a policy, a view) may run here,
// possibly as a superuser. PostgreSQL code only.
template <typename Wanted>
char *migration_ids(Oid relid, const Bookkeeping &b, Wanted wanted) {
    if (!b.id_columns[0]) return nullptr;
    Relation rel = table_open(relid, AccessShareLock);
    char *result = nullptr;
    TupleDesc desc = RelationGetDescr(rel);
    AttrNumber attnums[3] = {0, 0, 0}, pending[2] = {0, 0};
    bool usable = rel->rd_rel->relkind == RELKIND_RELATION && rel->rd_rel->relam == HEAP_TABLE_AM_OID;
    for (int c = 0; usable && c < 3 && b.id_columns[c]; c++) {
        attnums[c] = get_attnum(relid, b.id_columns[c]);
        usable = attnums[c] > 0 && plain_type(TupleDescAttr(desc, attnums[c] - 1)->atttypid);
    }
    // Without its marker columns (dbmate's schema_migrations has no dirty flag), no row is in progress.
    bool marked = b.pending != Pending::None;
    for (int c = 0; marked && c < 2 && b.pending_columns[c]; c++) {
        pending[c] = get_attnum(relid, b.pending_columns[c]);
        marked = pending[c] > 0 &&
                 (b.pending != Pending::TrueColumn || TupleDescAttr(desc, pending[c] - 1)->atttypid == BOOLOID);
    }
    if (usable) {
        StringInfoData ids;
        initStringInfo(&ids);
        TableScanDesc scan = table_beginscan(rel, SnapshotSelf, 0, nullptr);
        HeapTuple tuple;
        while ((tuple = heap_getnext(scan, ForwardScanDirection)) != nullptr) {
            bool in_progress = marked;
            for (int c = 0; in_progress && c < 2 && pending[c]; c++) {
                bool isnull = true;
                const Datum d = heap_getattr(tuple, pending[c], desc, &isnull);
                in_progress = b.pending == Pending::NullColumn ? isnull : !isnull && DatumGetBool(d);
            }
            if (!wanted(tuple, in_progress)) continue;
            if (ids.len) appendStringInfoString(&ids, ", ");
            for (int c = 0; c < 3 && attnums[c]; c++) {
                bool isnull = true;
                const Datum d = heap_getattr(tuple, attnums[c], desc, &isnull);
                if (c) appendStringInfoString(&ids, b.separator);
                if (isnull) continue;
                Oid out;
                bool varlena;
                getTypeOutputInfo(TupleDescAttr(desc, attnums[c] - 1)->atttypid, &out, &varlena);
                appendStringInfoString(&ids, OidOutputFunctionCall(out, d));
            }
        }
        table_endscan(scan);
        if (ids.len) result = ids.data;
    }
    table_close(rel, AccessShareLock);
    return result;
}

// The rows this transaction wrote, except a tool's marker of a migration still in progress.
char *migrations_written(Oid relid, const Bookkeeping &b) {
    return migration_ids(relid, b, [](HeapTuple t, bool in_progress) {
        return !in_progress && TransactionIdIsCurrentTransactionId(HeapTupleHeaderGetXmin(t->t_data));
    });
}

// A migration this session marked in progress in a tool's bookkeeping before running it:
// {tool, id}, or {nullptr, nullptr}. Only rows this session wrote count. PostgreSQL code only.
std::pair<const char *, char *> migration_in_progress() {
    for (const auto &b : kTables) {
        if (b.pending == Pending::None) continue;
        const Oid relid = bookkeeping_relid(b);
        if (!OidIsValid(relid)) continue;
        char *ids = migration_ids(relid, b, [](HeapTuple t, bool in_progress) {
            return in_progress && committed_by_this_session(HeapTupleHeaderGetXmin(t->t_data));
        });
        if (ids) return {tool_name(b, relid), ids};
    }
    return {nullptr, nullptr};
}

// Per statement: the migration in progress, looked up once.
struct InProgressCache {
    LocalTransactionId lxid = InvalidLocalTransactionId;
    CommandId command = InvalidCommandId;
    std::string tool, id;
} in_progress_cache;

const InProgressCache &in_progress() {
    const LocalTransactionId lxid = mg::pg::local_transaction_id();
    const CommandId command = GetCurrentCommandId(false);
    if (in_progress_cache.lxid != lxid || in_progress_cache.command != command) {
        std::pair<const char *, char *> found{nullptr, nullptr};
        pg_call([&] { found = migration_in_progress(); });
        in_progress_cache.tool = found.first ? found.first : "";
        in_progress_cache.id = found.second ? found.second : "";
        in_progress_cache.lxid = lxid;
        in_progress_cache.command = command;
    }
    return in_progress_cache;
}

// As the transaction commits: the migrations it recorded in a tool's bookkeeping, on record.
// Transactions of this session that changed the schema and recorded no migration: a tool that
// writes its bookkeeping in a later transaction of its own (Sequelize without a transaction,
// Liquibase) names their migration then. Forgotten after kAttributionWindow later commits.
constexpr int kMaxUnattributed = 64;
constexpr int kAttributionWindow = 20;
std::vector<FullTransactionId> unattributed;
int commits_since_change = 0;

// As the transaction commits: the migrations it recorded in a tool's bookkeeping, on record for
// `xids` (this transaction's changes, or earlier ones of this session). PostgreSQL code only.
bool record_migrations(const std::vector<FullTransactionId> &xids, bool in_progress_too) {
    const ExtensionPlace &place = extension_place_pg();
    if (!place.installed || !OidIsValid(place.tool_migration) || xids.empty()) return false;
    RowAppender *rows = nullptr;
    auto record = [&](const char *tool, const char *ids) {
        if (!rows) rows = new (palloc(sizeof(RowAppender))) RowAppender(place.tool_migration);
        for (const FullTransactionId xid : xids) {
            rows->begin_row();
            rows->set(rows->attribute("id"), Int64GetDatum(next_row_id()));
            rows->set(rows->attribute("xid"), FullTransactionIdGetDatum(xid));
            rows->set_text(rows->attribute("tool"), tool);
            rows->set_text(rows->attribute("migration_id"), ids);
            rows->set(rows->attribute("recorded_at"), TimestampTzGetDatum(GetCurrentTransactionStartTimestamp()));
            rows->append();
        }
    };
    bool written = false;
    for (const auto &b : kTables) {
        const Oid relid = bookkeeping_relid(b);
        if (!OidIsValid(relid) || !changed_in_transaction(relid)) continue;
        if (char *ids = migrations_written(relid, b)) {
            record(tool_name(b, relid), ids);
            written = true;
        }
    }
    // A tool that marks a migration in progress first (Prisma) records it when it has finished,
    // in a transaction of its own: the changes are the in-progress migration's.
    if (!rows && in_progress_too) {
        const std::pair<const char *, char *> running = migration_in_progress();
        if (running.first) record(running.first, running.second);
    }
    if (rows) rows->close();
    return written;
}

// PostgreSQL code only; a transaction that changed no schema (with no recent change of the
// session waiting for its migration) costs a flag test.
void at_commit(XactEvent event, void *) {
    switch (event) {
        case XACT_EVENT_PRE_COMMIT: {
            if (current.changed) {
                const FullTransactionId xid = GetTopFullTransactionIdIfAny();
                // Earlier transactions of the same migration, committed by themselves, too.
                if (FullTransactionIdIsValid(xid) && record_migrations({xid}, true)) {
                    current.recorded = true;
                    if (!unattributed.empty()) record_migrations(unattributed, false);
                }
            } else if (!unattributed.empty()) {
                current.recorded = record_migrations(unattributed, false);
            }
            return;
        }
        case XACT_EVENT_COMMIT: {
            // This session's transactions, for telling its bookkeeping rows from others'.
            const TransactionId xid = GetTopTransactionIdIfAny();
            if (TransactionIdIsValid(xid)) {
                own_xids[own_next] = xid;
                own_next = (own_next + 1) % kOwnXids;
            }
            if (current.recorded) {
                committed = CommittedChanges{};  // that migration is complete
                unattributed.clear();
                commits_since_change = 0;
            } else if (current.changed) {
                if (committed.count == 0 || committed.migration != current.migration) {
                    committed = CommittedChanges{};
                    committed.migration = current.migration;
                }
                committed.count += 1;  // transactions: a statement's rows differ between majors
                committed.last = current.last;
                const FullTransactionId full = GetTopFullTransactionIdIfAny();
                if (FullTransactionIdIsValid(full) && unattributed.size() < kMaxUnattributed) unattributed.push_back(full);
                commits_since_change = 0;
            } else if (!unattributed.empty() && ++commits_since_change > kAttributionWindow) {
                unattributed.clear();
            }
            current = ThisTransaction{};
            return;
        }
        case XACT_EVENT_ABORT:
        case XACT_EVENT_PREPARE:
        case XACT_EVENT_PARALLEL_COMMIT:
        case XACT_EVENT_PARALLEL_ABORT:
            current = ThisTransaction{};
            return;
        default:
            return;
    }
}

}  // namespace

void note_audit_rows_written(const std::string &last) {
    if (!current.changed) current.migration = effective_migration_id();
    current.changed = true;
    current.last = last;
}

const char *effective_migration_id() {
    const char *set = migration_id();
    if (set && set[0]) return set;
    return in_progress().id.c_str();
}

std::string earlier_commits_note() {
    if (committed.count == 0 || committed.migration != effective_migration_id()) return {};
    return "Earlier in this session, " +
           (committed.count == 1 ? std::string("1 transaction that changed the schema was committed and stays")
                                 : std::to_string(committed.count) +
                                       " transactions that changed the schema were committed and stay") +
           " applied (the last change: " + committed.last + ").";
}

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
        case T_CreateSchemaStmt: return tool_of_table(reinterpret_cast<const CreateSchemaStmt *>(stmt)->schemaname, nullptr);
        default: return nullptr;
    }
}

}  // namespace mg::server
