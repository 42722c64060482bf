// The subcommands main() dispatches to. Each returns the process exit code.
#pragma once

#include <string>
#include <vector>

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

struct LintArgs {
    Format format = Format::Text;
    Risk fail_on = Risk::High;
    LintOptions options;
    unsigned jobs = 0;  // threads; 0: one per core
    std::vector<std::string> paths;
};

struct CheckArgs {
    Format format = Format::Text;
    Risk fail_on = Risk::High;
    std::string conninfo;  // libpq key=value string or URI; empty: the PG* variables
    std::vector<std::string> paths;
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
int run_rules();

}  // namespace mg::cli
