// `check` against a live database with migration_guard installed: the server's data-aware
// findings and a rolled-back dry run of each migration, in place of the offline findings.
#pragma once

#include <memory>
#include <string>

#include "cli/lint.hpp"
#include "cli/pg_session.hpp"

namespace mg::cli {

// Connects and makes sure the extension is installed there. On failure returns nullptr and
// sets `error`.
std::unique_ptr<PgSession> open_database(const std::string &conninfo, std::string &error);

// For a report that parsed: replaces its findings with the server's and adds the dry run.
// On a server error returns false, sets `error` and leaves the report as it was.
bool check_file(PgSession &db, FileReport &report, std::string &error);

}  // namespace mg::cli
