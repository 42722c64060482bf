#include "server/statement_findings.hpp"

#include "engine/analyzer.hpp"
#include "server/boundary.hpp"
#include "server/server_catalog.hpp"
#include "server/settings.hpp"

namespace mg::server {

std::vector<Finding> findings_for_statement(Node *stmt) {
    List *stmts = NIL;
    pg_call([&] {
        RawStmt *raw = makeNode(RawStmt);
        raw->stmt = stmt;
        raw->stmt_location = 0;
        raw->stmt_len = 0;
        stmts = list_make1(raw);
    });
    ServerCatalog catalog;
    const std::string no_text;  // positions do not matter here
    auto reports = analyze(stmts, no_text, catalog, engine_options());
    return reports.empty() ? std::vector<Finding>{} : std::move(reports.front().findings);
}

}  // namespace mg::server
