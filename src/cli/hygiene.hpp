// Migration hygiene (opt-in in [hygiene], all on with --strict): file names that sort and say
// what they do, versions that are neither duplicated nor older than those already present
// (--base DIR), destructive migrations whose name says so.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "cli/config.hpp"
#include "cli/lint.hpp"

namespace mg::cli {

struct MigrationName {
    std::string name;                   // the migration's name: file name or its folder's
    std::vector<unsigned long long> version;  // digit groups; empty: none
    bool repeatable = false;            // Flyway R__: no version by design
    bool has_description = false;
};

MigrationName migration_name(const std::string &path, Layout layout);

class HygieneChecker {
public:
    // `base`: folder of the migrations already present (may be empty).
    HygieneChecker(const Hygiene &hygiene, const std::string &base, Layout layout);

    // Adds the hygiene findings of one file (called in input order).
    void check(FileReport &report);

private:
    Hygiene hygiene_;
    Layout layout_;
    std::map<std::vector<unsigned long long>, std::string> seen_;  // version -> name
    std::map<std::string, bool> base_names_;
    std::vector<unsigned long long> base_newest_;
};

}  // namespace mg::cli
