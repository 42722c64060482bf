// migration_guard.approve_migration(migration, reason, valid_for, for_role, migration_id): one
// token for a whole migration. The text is judged against the live catalog as enforcement will
// judge its statements; the token covers exactly the (rule, object) pairs that would be blocked,
// with one use per statement that needs it, and nothing else.
#include <algorithm>
#include <string>
#include <vector>

#include "engine/analyzer.hpp"
#include "engine/approval_scope.hpp"
#include "server/usable.hpp"
#include "server/approvals/approvals.hpp"
#include "server/boundary.hpp"
#include "server/classify/migration_text.hpp"
#include "server/enforcement/decision.hpp"
#include "server/enforcement/statement_findings.hpp"
#include "server/live_catalog/server_catalog.hpp"
#include "server/settings.hpp"
#include "server/sqlstate.hpp"

namespace {

template <typename T>
void add_once(std::vector<T> &items, const T &item) {
    if (std::find(items.begin(), items.end(), item) == items.end()) items.push_back(item);
}

// The table a data change of the text deletes from or updates (MERGE, INSERT ... ON CONFLICT DO
// UPDATE included); nullptr for anything else. PostgreSQL code.
const RangeVar *data_change_target(const Node *stmt) {
    switch (nodeTag(stmt)) {
        case T_DeleteStmt: return reinterpret_cast<const DeleteStmt *>(stmt)->relation;
        case T_UpdateStmt: return reinterpret_cast<const UpdateStmt *>(stmt)->relation;
        case T_MergeStmt: return reinterpret_cast<const MergeStmt *>(stmt)->relation;
        case T_InsertStmt: {
            const InsertStmt *i = reinterpret_cast<const InsertStmt *>(stmt);
            return i->onConflictClause && i->onConflictClause->action == ONCONFLICT_UPDATE ? i->relation : nullptr;
        }
        default: return nullptr;
    }
}

}  // namespace

MG_SQL_FUNCTION(migration_guard_approve_migration) {
    mg::server::refuse_unusable("migration_guard.approve_migration()");
    using namespace mg;
    using namespace mg::server;
    refuse_non_approver("issue approvals");

    bool missing = false;
    const char *sql_text = nullptr, *reason_text = nullptr, *for_role = nullptr, *migration = nullptr;
    ApprovalRequest req;
    pg_call([&] {
        missing = PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2);
        if (missing) return;
        sql_text = TextDatumGetCString(PG_GETARG_DATUM(0));
        reason_text = TextDatumGetCString(PG_GETARG_DATUM(1));
        req.valid_for = *PG_GETARG_INTERVAL_P(2);
        if (!PG_ARGISNULL(3)) for_role = pstrdup(NameStr(*PG_GETARG_NAME(3)));
        if (!PG_ARGISNULL(4)) migration = TextDatumGetCString(PG_GETARG_DATUM(4));
    });
    if (missing)
        throw UserError(MG_ERRCODE_BAD_APPROVAL, "approve_migration() needs the migration's text, a reason and valid_for",
                        "None of them may be NULL.");
    req.reason = reason_text;
    if (for_role) req.for_role = for_role;
    if (migration) req.migration_id = migration;

    const std::string sql = sql_text;
    List *stmts = parse_migration(sql);
    ServerCatalog catalog;
    catalog.judge_for_execution();  // as enforcement will judge it, when it runs next
    const std::vector<StatementReport> reports = analyze(stmts, sql, catalog, engine_options());

    int uses = 0;
    for (size_t i = 0; i < reports.size(); ++i) {
        std::vector<Finding> findings = reports[i].findings;
        // Drift: a schema change that runs without a migration id, when that is blocked, and the
        // approval names no migration (with one, the applying session runs as that migration).
        Node *stmt = nullptr;
        bool fires_event_triggers = false;
        const char *tag = nullptr;
        pg_call([&] {
            if (static_cast<int>(i) >= list_length(stmts)) return;
            stmt = list_nth_node(RawStmt, stmts, static_cast<int>(i))->stmt;
            const CommandTag command = CreateCommandTag(stmt);
            fires_event_triggers = command_tag_event_trigger_ok(command);
            tag = GetCommandTagName(command);
        });
        if (stmt && fires_event_triggers && req.migration_id.empty()) add_outside_migration(findings, stmt, tag);
        bool needs = false;
        // A data change is judged by the rows it reaches once it runs, which the text cannot tell:
        // the token covers it on its table and on every table its deletes may cascade to.
        QualifiedName target;
        pg_call([&] {
            const RangeVar *rv = stmt ? data_change_target(stmt) : nullptr;
            if (rv) target = QualifiedName{rv->schemaname ? rv->schemaname : "", rv->relname};
        });
        if (!target.name.empty()) {
            if (target.schema.empty()) target.schema = catalog.schema_of(target).value_or("");
            std::vector<QualifiedName> reached{target};
            for (size_t k = 0; k < reached.size() && reached.size() < 1000; ++k)
                for (const QualifiedName &r : catalog.referencing_tables({reached[k]}))
                    if (std::find(reached.begin(), reached.end(), r) == reached.end()) reached.push_back(r);
            for (const QualifiedName &t : reached)
                for (const char *rule : {"mass-dml", "dml-without-where"}) {
                    add_once(req.rules, std::string(rule));
                    add_once(req.objects, literal_pattern(t.display()));
                    add_once(req.pairs, approval_pair(rule, t.display()));
                }
            needs = true;
        }
        for (const Finding &f : findings) {
            if (!blocks(f)) continue;
            needs = true;
            add_once(req.rules, f.rule);
            add_once(req.objects, literal_pattern(f.object));
            add_once(req.pairs, approval_pair(f.rule, f.object));
        }
        uses += needs ? 1 : 0;
    }
    if (uses == 0) {
        pg_call([&] {
            ereport(NOTICE, (errmsg("nothing in this migration needs an approval"),
                             errdetail("At migration_guard.block_at = %s, no statement of it would be blocked.",
                                       risk_name(block_at())),
                             errhint("Run it as it is; no token is issued.")));
        });
        PG_RETURN_NULL();
    }
    req.uses = uses;
    const std::string token = issue_approval(req);
    text *result = nullptr;
    pg_call([&] { result = cstring_to_text(token.c_str()); });
    PG_RETURN_TEXT_P(result);
}
