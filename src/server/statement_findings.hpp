// Runs the engine on one statement the server is about to execute.
#pragma once

#include <vector>

#include "engine/finding.hpp"
#include "server/pg_prelude.hpp"

namespace mg::server {

std::vector<Finding> findings_for_statement(Node *stmt);

}  // namespace mg::server
