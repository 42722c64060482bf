// The subcommands main() dispatches to. Each returns the process exit code.
#pragma once

#include <string>
#include <vector>

#include "cli/lint.hpp"
#include "cli/report.hpp"

namespace mg::cli {

// Exit codes (contract): nothing at or above --fail-on / findings at or above it /
// usage, I/O or parse error.
constexpr int kExitClean = 0;
constexpr int kExitFindings = 1;
constexpr int kExitError = 2;

struct LintArgs {
    Format format = Format::Text;
    Risk fail_on = Risk::High;
    LintOptions options;
    std::vector<std::string> paths;
};

int run_lint(const LintArgs &args);
int run_rules();

}  // namespace mg::cli
