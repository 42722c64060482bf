// The subcommands main() dispatches to. Each returns the process exit code.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/config.hpp"
#include "cli/inputs.hpp"
#include "cli/lint.hpp"
#include "cli/report.hpp"

namespace mg::cli {

// Exit codes (contract): nothing at or above --fail-on / findings at or above it (for check:
// or a statement that fails in the dry run) / usage, I/O or parse error (for check: or a
// connection or server error).
constexpr int kExitClean = 0;
constexpr int kExitFindings = 1;
constexpr int kExitError = 2;

inline int exit_code(bool error, const Summary &summary) {
    if (error || summary.parse_errors > 0) return kExitError;
    return summary.failed() ? kExitFindings : kExitClean;
}

// What lint and check share: the command line merged over the configuration file.
struct FileArgs {
    Format format = Format::Text;
    Risk fail_on = Risk::High;
    LintOptions options;
    InputOptions inputs;
    Hygiene hygiene;
    std::string base;  // --base DIR: migrations already present (hygiene: version order)
    std::vector<std::string> paths;
};

struct LintArgs : FileArgs {
    unsigned jobs = 0;  // threads; 0: one per core
};

struct CheckArgs : FileArgs {
    std::string conninfo;  // libpq key=value string or URI; empty: the PG* variables
};

struct VerifyArgs {
    Format format = Format::Text;
    Risk fail_on = Risk::High;
    std::string conninfo;
    std::vector<std::string> schemas;  // empty: every schema
    std::string migration_id;          // empty: not scoped to a migration
};

int run_lint(const LintArgs &args);
int run_verify(const VerifyArgs &args);
int run_check(const CheckArgs &args);
int run_rules(bool json = false);
// The rollback guide of one migration file (or - for stdin); 1 when some statement is not undone
// by SQL derived from the text.
int run_rollback(const std::string &path);

}  // namespace mg::cli
