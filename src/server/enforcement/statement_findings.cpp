#include "server/enforcement/statement_findings.hpp"

#include "engine/analyzer.hpp"
#include "engine/node_names.hpp"
#include "engine/rule_catalog.hpp"
#include "server/audit/migration_tools.hpp"
#include "server/boundary.hpp"
#include "server/live_catalog/server_catalog.hpp"
#include "server/settings.hpp"

namespace mg::server {

Finding make_finding(const char *rule, std::string object, std::string message, std::string hint) {
    Finding f;
    f.rule = rule;
    if (const RuleInfo *info = find_rule(rule)) {
        f.risk = info->default_risk;
        f.category = info->category;
    }
    f.statement = 1;
    f.object = std::move(object);
    f.message = std::move(message);
    f.hint = std::move(hint);
    return f;
}

// The relation a statement works on, schema-qualified, for naming it in a finding.
std::string statement_target(Node *stmt, const std::string &tag) {
    RangeVar *rv = nullptr;
    switch (nodeTag(stmt)) {
        case T_AlterTableStmt: rv = reinterpret_cast<AlterTableStmt *>(stmt)->relation; break;
        case T_CreateStmt: rv = reinterpret_cast<CreateStmt *>(stmt)->relation; break;
        case T_IndexStmt: rv = reinterpret_cast<IndexStmt *>(stmt)->relation; break;
        case T_RenameStmt: rv = reinterpret_cast<RenameStmt *>(stmt)->relation; break;
        case T_ViewStmt: rv = reinterpret_cast<ViewStmt *>(stmt)->view; break;
        default: break;
    }
    if (!rv) return tag;
    return ServerCatalog().qualify(qualified(rv)).display();
}

// Drift: a schema change with no migration to name it, when the policy asks to notice.
void add_outside_migration(std::vector<Finding> &findings, Node *stmt, const std::string &tag) {
    if (outside_migration() == OutsideMigration::Allow || migration_id()[0]) return;
    // A migration tool setting up or updating its own bookkeeping is part of a migration.
    if (bookkeeping_tool(stmt)) return;
    findings.push_back(make_finding("ddl-outside-migration", statement_target(stmt, tag),
                                    tag + " runs outside any migration: nothing in your migration files knows about it",
                                    "Run it from a migration (SELECT migration_guard.begin_migration('<id>', '<intent>') "
                                    "or SET migration_guard.migration_id), or approve it"));
}

std::vector<Finding> findings_for_statement(Node *stmt, std::vector<std::string> *emptied, ServerCatalog *shared) {
    List *stmts = NIL;
    pg_call([&] {
        RawStmt *raw = makeNode(RawStmt);
        raw->stmt = stmt;
        raw->stmt_location = 0;
        raw->stmt_len = 0;
        stmts = list_make1(raw);
    });
    ServerCatalog own;
    ServerCatalog &catalog = shared ? *shared : own;
    catalog.judge_for_execution();
    catalog.lock_before_emptiness_checks();
    const std::string no_text;  // positions do not matter here
    auto reports = analyze(stmts, no_text, catalog, engine_options());
    if (reports.empty()) return {};
    if (emptied) *emptied = std::move(reports.front().emptied);
    return std::move(reports.front().findings);
}

}  // namespace mg::server
