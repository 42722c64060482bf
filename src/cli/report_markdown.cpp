// A pull-request comment (or GitHub step summary): one line a reviewer reads first, then the
// findings as a table, suppressed ones and down migrations listed apart.
//   ### Database changes: YES · Migration: 20261125_140530_add_user_preferences · Destructive: NO · Rollback: down migration included
#include <algorithm>
#include <array>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/hygiene.hpp"
#include "cli/report.hpp"

namespace mg::cli {

namespace {

// Table cells: no line breaks, no bare pipes, no HTML.
std::string cell(const std::string &s) {
    std::string out;
    for (const char c : s) {
        switch (c) {
            case '|': out += "\\|"; break;
            case '\n':
            case '\r': out += ' '; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '`': out += "'"; break;
            default: out += c;
        }
    }
    return out;
}

const char *marker(Risk r) {
    switch (r) {
        case Risk::Critical: return "🔴";
        case Risk::High: return "🟠";
        case Risk::Medium: return "🟡";
        case Risk::Low: return "⚪";
    }
    return "";
}

struct Row {
    std::string where;
    LocatedFinding finding;
};

// GitHub takes at most 65,536 characters in a comment or a step summary; bytes count at least as
// many. What does not fit is counted, highest risks shown first.
constexpr size_t kMaxReport = 65536;
constexpr size_t kTailReserve = 4096;  // the sections after the findings table and the summary line

class MarkdownReporter : public Reporter {
public:
    explicit MarkdownReporter(std::string *sink) : sink_(sink) {}

    void file(const FileReport &report) override {
        const bool down = report.all_down();
        const std::string name = migration_name(report.path, report.layout).name;
        if (down) downs_.push_back(name);
        else if (report.statements > 0) migrations_.push_back(name);
        if (!down && report.has_down()) downs_.push_back(name + " (down section)");
        if (!down) statements_ += report.statements;
        for (const auto &e : report.errors)
            errors_.push_back("`" + cell(report.path) + (e.offset >= 0 ? ":" + std::to_string(e.position.line) : "") +
                              "` " + cell(e.message));
        for (const auto &lf : report.findings) {
            Row row{cell(report.path) + ":" + std::to_string(lf.position.line), lf};
            if (lf.suppressed) suppressed_.push_back(std::move(row));
            else if (lf.direction != Direction::Up) down_rows_.push_back(std::move(row));
            else {
                if (lf.finding.category == "data-loss" && lf.finding.risk >= Risk::High) destructive_ = true;
                rows_.push_back(std::move(row));
            }
        }
    }

    void finish(const Summary &summary) override {
        std::string out;
        std::string migration = migrations_.empty() ? "none"
                                : migrations_.size() <= 3
                                    ? join(migrations_)
                                    : std::to_string(migrations_.size()) + " migrations";
        out += "### Database changes: " + std::string(statements_ > 0 ? "YES" : "NO") +
               " · Migration: " + cell(migration) + " · Destructive: " + (destructive_ ? "YES" : "NO") +
               " · Rollback: " +
               (downs_.empty() ? "no down migration"
                : downs_.size() <= 3 ? "down migration included (" + cell(join(downs_)) + ")"
                                     : std::to_string(downs_.size()) + " down migrations included") +
               "\n\n";
        if (rows_.empty()) {
            out += "No finding.\n\n";
        } else {
            out += "| | Rule | Risk | Object | Where | What | Hint |\n|---|---|---|---|---|---|---|\n";
            size_t all = 0;
            for (const auto &r : rows_) all += row(r).size();
            if (out.size() + all + kTailReserve > kMaxReport)
                std::stable_sort(rows_.begin(), rows_.end(), [](const Row &a, const Row &b) {
                    return a.finding.finding.risk > b.finding.finding.risk;
                });
            size_t shown = 0;
            for (const auto &r : rows_) {
                const std::string line = row(r);
                if (out.size() + line.size() + kTailReserve > kMaxReport) break;
                out += line;
                ++shown;
            }
            out += "\n";
            if (shown < rows_.size()) {
                std::array<int, 4> rest{};
                for (size_t i = shown; i < rows_.size(); ++i) ++rest[static_cast<int>(rows_[i].finding.finding.risk)];
                std::string counts;
                for (int r = 3; r >= 0; --r)
                    if (rest[r]) counts += (counts.empty() ? "" : ", ") + std::to_string(rest[r]) + " " + risk_name(static_cast<Risk>(r));
                out += "**" + std::to_string(rows_.size() - shown) + " more findings not shown** (" + counts +
                       "), to keep this report within GitHub's 65,536 characters; the highest risks are above. "
                       "All of them: `migration-guard lint --format json` (or `--format text`).\n\n";
            }
        }
        if (!errors_.empty()) {
            out += "**Not linted** (statements that do not parse):\n\n";
            size_t listed = 0;
        for (const auto &e : errors_) {
            if (out.size() + e.size() + kTailReserve / 2 > kMaxReport) break;
            out += "- " + e + "\n";
            ++listed;
        }
        if (listed < errors_.size()) out += "- ... and " + std::to_string(errors_.size() - listed) + " more\n";
            out += "\n";
        }
        if (!down_rows_.empty()) {
            out += "<details><summary>Down migrations: " + std::to_string(down_rows_.size()) +
                   (down_rows_.size() == 1 ? " finding" : " findings") + " (not counted)</summary>\n\n| | Rule | Risk | Object | Where | What | Hint |\n"
                   "|---|---|---|---|---|---|---|\n";
            append_capped(out, down_rows_, [](const Row &r) { return row(r); });
            out += "\n</details>\n\n";
        }
        if (!suppressed_.empty()) {
            out += "<details><summary>Suppressed: " + std::to_string(suppressed_.size()) +
                   "</summary>\n\n| Rule | Risk | Where | Reason |\n|---|---|---|---|\n";
            append_capped(out, suppressed_, [](const Row &r) {
                return "| " + cell(r.finding.finding.rule) + " | " + risk_name(r.finding.finding.risk) + " | `" + r.where +
                       "` | " + cell(r.finding.suppressed->reason) + " |\n";
            });
            out += "\n</details>\n\n";
        }
        out += "_" + summary_line(summary) + "_\n";
        if (sink_) *sink_ += out;
        else flush_stdout(out);
    }

private:
    // Rows of a collapsed section while the report stays within its limit; the rest counted.
    template <typename Format>
    static void append_capped(std::string &out, const std::vector<Row> &rows, Format format) {
        size_t shown = 0;
        for (const auto &r : rows) {
            const std::string line = format(r);
            if (out.size() + line.size() + kTailReserve / 2 > kMaxReport) break;
            out += line;
            ++shown;
        }
        if (shown < rows.size()) out += "\n... and " + std::to_string(rows.size() - shown) + " more (not shown)\n";
    }

    static std::string join(const std::vector<std::string> &items) {
        std::string out;
        for (const auto &s : items) out += (out.empty() ? "" : ", ") + s;
        return out;
    }

    static std::string row(const Row &r) {
        const Finding &f = r.finding.finding;
        return std::string("| ") + marker(f.risk) + " | " + cell(f.rule) + " | " + risk_name(f.risk) + " | " +
               cell(f.object) + " | `" + r.where + "` | " + cell(f.message) + " | " + cell(f.hint) + " |\n";
    }

    std::string *sink_;
    std::vector<std::string> migrations_;
    std::vector<std::string> downs_;
    std::vector<std::string> errors_;
    std::vector<Row> rows_;
    std::vector<Row> down_rows_;
    std::vector<Row> suppressed_;
    int statements_ = 0;
    bool destructive_ = false;
};

}  // namespace

std::unique_ptr<Reporter> make_markdown_reporter(std::string *sink) {
    return std::make_unique<MarkdownReporter>(sink);
}

}  // namespace mg::cli
