#include "cli/report.hpp"

#include <cstdio>

namespace mg::cli {

std::optional<Format> parse_format(std::string_view name) {
    if (name == "text") return Format::Text;
    if (name == "json") return Format::Json;
    if (name == "sarif") return Format::Sarif;
    if (name == "github") return Format::Github;
    if (name == "markdown") return Format::Markdown;
    return std::nullopt;
}

std::unique_ptr<Reporter> make_reporter(Format format, bool dry_run) {
    switch (format) {
        case Format::Text: return make_text_reporter();
        case Format::Json: return make_json_reporter(dry_run);
        case Format::Sarif: return make_sarif_reporter(dry_run);
        case Format::Github: return make_github_reporter();
        case Format::Markdown: return make_markdown_reporter(nullptr);
    }
    return make_text_reporter();
}

void flush_stdout(std::string &out) {
    if (!out.empty()) std::fwrite(out.data(), 1, out.size(), stdout);
    out.clear();
}

namespace {
std::string count(int n, const char *singular, const char *plural) {
    return std::to_string(n) + " " + (n == 1 ? singular : plural);
}
}  // namespace

std::string summary_line(const Summary &s) {
    std::string line = count(s.statements, "statement", "statements") + ", " +
                       count(s.findings, "finding", "findings");
    if (s.findings > 0) {
        std::string parts;
        for (int r = static_cast<int>(Risk::Critical); r >= static_cast<int>(Risk::Low); --r) {
            if (s.by_risk[r] == 0) continue;
            if (!parts.empty()) parts += ", ";
            parts += std::to_string(s.by_risk[r]) + " " + risk_name(static_cast<Risk>(r));
        }
        line += " (" + parts + ")";
    }
    line += " in " + count(s.files, "file", "files");
    if (s.parse_errors > 0) line += ", " + count(s.parse_errors, "parse error", "parse errors");
    if (s.suppressed > 0) line += ", " + std::to_string(s.suppressed) + " suppressed";
    if (s.down_findings > 0)
        line += ", " + count(s.down_findings, "finding", "findings") + " in down migrations (not counted)";
    if (s.dry_run_errors > 0)
        line += ", " + count(s.dry_run_errors, "dry-run error", "dry-run errors");
    if (s.other_engine_files > 0)
        line += ", " + count(s.other_engine_files, "file", "files") + " for other engines left out";
    if (s.lock_timeout_folded > 0)
        line += ", require-lock-timeout for " + count(s.lock_timeout_folded, "more migration", "more migrations") +
                " (shown once, in " + s.lock_timeout_first + ")";
    if (s.would_block > 0)
        line += ", " + count(s.would_block, "statement the server would block", "statements the server would block");
    return line;
}

std::string dry_run_failure(const DryRunStatement &d) {
    return "statement " + std::to_string(d.statement) + " (" + d.command +
           ") fails in the dry run: " + d.error.value_or("error");
}

}  // namespace mg::cli
