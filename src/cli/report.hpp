// Output formats. A reporter receives each file's report as soon as the file is linted (so only
// one file's text is held at a time) and the totals at the end.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "cli/lint.hpp"

namespace mg::cli {

class Reporter {
public:
    virtual ~Reporter() = default;
    virtual void file(const FileReport &report) = 0;
    virtual void finish(const Summary &summary) = 0;
};

enum class Format { Text, Json, Sarif, Github, Markdown };

std::optional<Format> parse_format(std::string_view name);
// `dry_run`: the reports are check's, with dry runs (JSON and SARIF declare more then).
std::unique_ptr<Reporter> make_reporter(Format format, bool dry_run = false);

std::unique_ptr<Reporter> make_text_reporter();
std::unique_ptr<Reporter> make_json_reporter(bool dry_run);
std::unique_ptr<Reporter> make_sarif_reporter(bool dry_run);
std::unique_ptr<Reporter> make_github_reporter();
// `sink`: where the report goes (nullptr: standard output); github's step summary uses one.
std::unique_ptr<Reporter> make_markdown_reporter(std::string *sink);

// The rule id under which SARIF and GitHub report a statement that fails in the dry run.
inline constexpr const char *kDryRunErrorRule = "dry-run-error";

// "statement 4 (ALTER TABLE) fails in the dry run: column "c" ... contains null values"
std::string dry_run_failure(const DryRunStatement &statement);

// Writes `out` to standard output and empties it.
void flush_stdout(std::string &out);

// "3 statements, 2 findings (1 critical, 1 low) in 1 file" (+ ", 1 parse error",
// ", 1 dry-run error").
std::string summary_line(const Summary &summary);

}  // namespace mg::cli
