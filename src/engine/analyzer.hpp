// The rule engine's entry point: give it the raw statements of one migration text (as produced
// by PostgreSQL's raw parser or libpg_query) and it returns a report per statement.
#pragma once

#include <string>
#include <vector>

#include "engine/catalog.hpp"
#include "engine/finding.hpp"
#include "engine/pg_nodes.hpp"

namespace mg {

struct Options {
    // Schemas whose new tables must enable row level security (table-without-rls).
    std::vector<std::string> rls_schemas = {"public"};
    // Row estimates from which availability findings on an existing table are raised
    // (only the server knows row counts; the CLI leaves risks at their defaults).
    double medium_table_rows = 100000;
    double high_table_rows = 10000000;
    // The PostgreSQL the migration will run on (the server's own; the linter's --pg-version):
    // before 11 any DEFAULT of an added column is written into every row, from 18 on the advice
    // for SET NOT NULL and generated columns changes.
    int server_version = PG_VERSION_NUM;
    // Opt-in rules to report (require-statement-timeout).
    std::vector<std::string> opt_in_rules;
    // The linter: also the static statements of PL/pgSQL function bodies, as they run when called
    // (the server judges them then).
    bool function_bodies = false;
    // The text is judged whole before it runs (the linter): a finding that a later statement of
    // the same transaction answers (a constraint dropped and added back) is left out. The server
    // judges each statement as it runs, and approvals must cover what it will see.
    bool whole_text = false;
};

// raw_stmts: List of RawStmt* for `text`. The text must outlive the call.
std::vector<StatementReport> analyze(List *raw_stmts, const std::string &text,
                                     const CatalogFacts &catalog, const Options &options = {});

// The command tag PostgreSQL would report for a raw statement ("ALTER TABLE", "CREATE INDEX").
std::string command_tag(const Node *stmt);

}  // namespace mg
