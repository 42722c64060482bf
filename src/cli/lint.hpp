// Running the rule engine on one migration file and locating its findings: the file is split
// into its tool's up and down sections, each section linted as its own migration (statements
// that do not parse reported and left out, psql meta-commands skipped), then the team's
// decisions applied (rules off or re-rated, inline suppressions). Plus the totals the reports
// end with and the exit code depends on.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/config.hpp"
#include "cli/dry_run.hpp"
#include "cli/layouts.hpp"
#include "offline/schema_catalog.hpp"
#include "engine/finding.hpp"
#include "engine/risk.hpp"
#include "engine/text_position.hpp"

namespace mg::cli {

struct LintOptions {
    // Schemas whose new tables need RLS. Absent: those seen using RLS in the files linted
    // (rls_used, filled by a first pass).
    std::optional<std::vector<std::string>> rls_schemas;
    std::vector<std::string> rls_used;
    Layout layout = Layout::Auto;
    bool psql = true;
    DownPolicy down = DownPolicy::Report;
    int postgres_version = kNewestPostgresMajor;
    std::map<std::string, RuleSetting> rules;
    std::string schema_file;  // --schema / schema: what exists before these migrations
    bool assume_lock_timeout = false;  // the role or tool that migrates sets lock_timeout
    std::string changed_since;  // --changed-since: a git ref; only files changed since are reported
    // Loaded from schema_file and the migrations not reported (run_lint): shared, read-only.
    std::shared_ptr<const SchemaCatalog> schema;
};

// A finding accepted in the file itself (or by the configuration): kept in the reports that
// can say so (JSON, SARIF, markdown), never counted.
struct Suppressed {
    std::string reason;
    std::string scope;  // "statement" or "file"
    LineCol comment{};  // where the suppression is
};

struct LocatedFinding {
    Finding finding;
    int offset = 0;      // byte offset of the position shown (first token at the finding)
    LineCol position{};  // 1-based line and column of `offset`
    Direction direction = Direction::Up;
    std::optional<Suppressed> suppressed;

    // Counted in the totals and for --fail-on.
    bool counts(DownPolicy down) const {
        return !suppressed && (direction == Direction::Up || down == DownPolicy::Fail);
    }
};

// A statement that could not be linted (syntax error, or the engine gave up on it), or a file
// that could not be (a NUL byte, invalid UTF-8).
struct FileError {
    std::string message;
    int offset = -1;     // byte offset, -1 when unknown
    LineCol position{};  // meaningful only when offset >= 0
    int statement = 0;   // 1-based; 0: the whole file
};

// What was skipped and why (psql meta-commands, COPY data).
struct FileNote {
    std::string message;
    int offset = 0;
    LineCol position{};
};

struct FileReport {
    std::string path;
    std::string text;  // kept for the source excerpts of the text report
    Layout layout = Layout::Plain;
    std::vector<Section> sections;  // up/down sections of the file, in order (linted or not)
    int statements = 0;
    std::vector<int> statement_offsets;    // first token of each statement that parsed
    std::vector<int> statement_numbers;    // ... and its number in the file
    std::vector<LocatedFinding> findings;  // in text order
    std::vector<FileError> errors;         // in text order
    std::vector<FileNote> notes;
    std::optional<std::vector<DryRunStatement>> dry_run;  // `check` only
    // `check`, when a statement would be blocked: the approve_migration() call that lets the whole
    // file through once, with its exact text.
    std::optional<std::string> approve_migration;

    bool all_down() const;  // every section is a down (or verify) migration
    bool has_down() const;  // some section is
};

FileReport lint_file(std::string path, std::string text, const LintOptions &options);

// Re-rates or drops findings as [rules] says and applies the inline suppressions; adds the
// findings about suppressions themselves. Called once per file after lint_file and the hygiene
// checks (which need the files before it), so their findings can be suppressed too.
void apply_decisions(FileReport &report, const LintOptions &options);

// Makes a finding about the file itself (hygiene): at its start.
// The text of one section of a file, offsets kept (what precedes it blanked).
std::string section_text(const std::string &text, const Section &s);

LocatedFinding file_finding(const std::string &rule, std::string message, std::string hint, Direction direction);

struct Summary {
    int files = 0;
    int statements = 0;
    int findings = 0;  // counted ones
    int parse_errors = 0;     // statements (or files) that could not be linted
    int files_with_errors = 0;
    int suppressed = 0;
    int down_findings = 0;  // in down migrations, not counted (down_migrations = report)
    std::array<int, 4> by_risk{};  // counted findings, indexed by Risk
    Risk highest = Risk::Low;
    Risk fail_on = Risk::High;
    DownPolicy down = DownPolicy::Report;
    int dry_run_errors = 0;  // `check`: statements that failed in the dry run
    int would_block = 0;     // `check`: statements the server would block (whatever fail_on says)
    // require-lock-timeout is advice for the project (set it in every migration, or once for the
    // role that migrates): shown at its first migration of the run, the later ones counted here.
    int lock_timeout_folded = 0;
    int other_engine_files = 0;  // files of per-engine layouts written for another engine, left out
    std::string lock_timeout_first;  // path of the migration where it is shown
    // Keeps the (unsuppressed) require-lock-timeout findings of the run's first file that has any, and
    // takes them out of later files (counted, a file each, in lock_timeout_folded). Called on each
    // file before add().
    void fold_run_advice(FileReport &file);

    void add(const FileReport &file);
    // Whether some finding is at or above fail_on, or a statement failed in the dry run or would
    // be blocked.
    bool failed() const;
};

}  // namespace mg::cli
