// The catalog of rules: ids, default risks and categories. One row per rule; docs/rules/<id>.md
// explains each one.
#pragma once

#include <string_view>
#include <vector>

#include "engine/risk.hpp"

namespace mg {

struct RuleInfo {
    const char *id;
    Risk default_risk;
    const char *category;
    const char *summary;
    // Not purely additive: blocked under migration_guard.additive_only unless approved.
    bool changes_existing = true;
    // Only the server can see it (e.g. an actual table rewrite); the CLI never reports it.
    bool server_only = false;
    // Only the linter reports it (about the files: suppressions, names, versions).
    bool linter_only = false;
    // Off unless asked for (the linter's [rules], Options::opt_in).
    bool opt_in = false;
};

const std::vector<RuleInfo> &all_rules();
const RuleInfo *find_rule(std::string_view id);  // nullptr when unknown

}  // namespace mg
