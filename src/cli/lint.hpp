// Running the rule engine on one migration text and locating its findings, plus the totals the
// reports end with and the exit code depends on.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "cli/dry_run.hpp"
#include "engine/finding.hpp"
#include "engine/risk.hpp"
#include "engine/text_position.hpp"

namespace mg::cli {

struct LintOptions {
    std::vector<std::string> rls_schemas = {"public"};
};

struct LocatedFinding {
    Finding finding;
    int offset = 0;      // byte offset of the position shown (first token at the finding)
    LineCol position{};  // 1-based line and column of `offset`
};

// Why a file could not be linted (syntax error, or the engine gave up on it).
struct FileError {
    std::string message;
    int offset = -1;     // byte offset, -1 when unknown
    LineCol position{};  // meaningful only when offset >= 0
};

struct FileReport {
    std::string path;
    std::string text;  // kept for the source excerpts of the text report
    int statements = 0;
    std::vector<int> statement_offsets;    // first token of each statement
    std::vector<LocatedFinding> findings;  // in statement order
    std::optional<FileError> error;
    std::optional<std::vector<DryRunStatement>> dry_run;  // `check` only
    // `check`, when a statement would be blocked: the approve_migration() call that lets the whole
    // file through once, with its exact text.
    std::optional<std::string> approve_migration;
};

FileReport lint_file(std::string path, std::string text, const LintOptions &options);

struct Summary {
    int files = 0;
    int statements = 0;
    int findings = 0;
    int parse_errors = 0;
    std::array<int, 4> by_risk{};  // indexed by Risk
    Risk highest = Risk::Low;
    Risk fail_on = Risk::High;
    int dry_run_errors = 0;  // `check`: statements that failed in the dry run

    void add(const FileReport &file);
    // Whether some finding is at or above fail_on, or a statement failed in the dry run.
    bool failed() const;
};

}  // namespace mg::cli
