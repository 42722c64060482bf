// migration-guard.toml: what a team decides once and keeps in the repository (rules off or at
// another risk, fail_on, RLS schemas, which files, the tool layout, the PostgreSQL version,
// how down migrations count, the hygiene rules). Found upward from the linted path.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cli/layouts.hpp"
#include "engine/risk.hpp"

namespace mg::cli {

// The majors the linter judges for (--pg-version, postgres_version): the newest is the default, so
// a team is told today's remedies unless it says which server it runs.
constexpr int kOldestPostgresMajor = 10;
constexpr int kNewestPostgresMajor = 18;

struct RuleSetting {
    bool off = false;
    std::optional<Risk> risk;  // overrides the rule's risk
};

// Down/revert migrations: reported apart and not counted for --fail-on (report), counted like
// up migrations (fail), or not linted (skip).
enum class DownPolicy { Report, Fail, Skip };

struct Hygiene {
    bool file_names = false;
    bool version_order = false;
    bool destructive_names = false;
    bool any() const { return file_names || version_order || destructive_names; }
};

struct Config {
    std::string path;  // the file read; empty: none
    std::optional<Risk> fail_on;
    std::optional<std::vector<std::string>> rls_schemas;  // absent: the schemas seen using RLS
    std::vector<std::string> include;                     // globs; empty: the default suffixes
    std::vector<std::string> exclude;
    std::optional<Layout> layout;
    std::optional<int> postgres_version;
    std::optional<bool> psql;
    std::optional<std::string> schema;  // a schema file (pg_dump -s, structure.sql), relative to the config's folder
    DownPolicy down = DownPolicy::Report;
    bool other_languages_ok = false;  // a folder of only .py/.js/.rb migrations is not an error
    bool assume_lock_timeout = false;  // the migrating role or tool sets lock_timeout
    std::map<std::string, RuleSetting> rules;
    Hygiene hygiene;
};

inline constexpr const char *kConfigName = "migration-guard.toml";

// Parses `file` into `config`. On failure returns false with "FILE:LINE:COLUMN: why".
bool load_config(const std::string &file, Config &config, std::string &error);

// migration-guard.toml in the folder of the first PATH (or the current folder for stdin) or
// the nearest folder above it; empty when there is none.
std::string find_config(const std::vector<std::string> &paths);

}  // namespace mg::cli
