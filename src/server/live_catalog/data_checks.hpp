// Bounded looks at the data for failure predictions: each check reads at most
// migration_guard.check_rows rows and runs at most migration_guard.check_timeout milliseconds,
// in a subtransaction, taking only ACCESS SHARE locks. A check that cannot run gives nullopt.
#pragma once

#include <optional>
#include <string>

#include "engine/catalog.hpp"
#include "server/pg_prelude.hpp"

namespace mg::server {

// `match_query` returns one row per offending row/value; %s placeholders are filled by the caller.
// It runs as `run_as` (the table's owner) under SECURITY_RESTRICTED_OPERATION, never as the caller.
std::optional<DataCount> bounded_count(const std::string &match_query, double table_rows, Oid run_as);

}  // namespace mg::server
