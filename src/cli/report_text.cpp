// Human-readable report in the style of compiler diagnostics:
//   path:line:column: rule-id [risk] message
//     hint: ...
//      12 | ALTER TABLE users DROP COLUMN email;
//         |                   ^
// check adds each file's dry run, one line per statement:
//   path: dry run (rolled back)
//     dry run: statement 2 (ALTER TABLE): ok, 12 ms, locks public.t: ACCESS EXCLUSIVE
#include <cstdio>
#include <string>
#include <vector>

#include "cli/report.hpp"
#include "cli/source_excerpt.hpp"
#include "engine/undo.hpp"

namespace mg::cli {

namespace {

constexpr const char *kParseErrorHint =
    "this statement was not linted (the rest of the file was); check it near this position";
constexpr const char *kFileErrorHint = "the file was not linted";

class TextReporter : public Reporter {
public:
    void file(const FileReport &report) override {
        // Errors and notes first, then findings, each in text order.
        for (const FileError &e : report.errors) {
            out_ += shown(report.path);
            if (e.offset >= 0) out_ += position(e.position);
            out_ += ": error: " + shown(e.message) + "\n";
            out_ += "  hint: ";
            out_ += e.statement > 0 ? kParseErrorHint : kFileErrorHint;
            out_ += '\n';
            if (e.offset >= 0) excerpt(report.text, e.offset, e.position.line);
        }
        for (const FileNote &n : report.notes)
            out_ += shown(report.path) + position(n.position) + ": note: " + shown(n.message) + "\n";
        for (const auto &lf : report.findings) {
            const Finding &f = lf.finding;
            if (lf.suppressed) continue;  // counted in the summary; JSON, SARIF and markdown list them
            // Line 0: a finding about the database (verify), not about a place in a file.
            const bool located = lf.position.line > 0;
            const char *direction = lf.direction == Direction::Down     ? " (down migration)"
                                    : lf.direction == Direction::Verify ? " (verify script)"
                                                                        : "";
            out_ += shown(report.path) + (located ? position(lf.position) : "") + ": " + shown(f.rule) + " [" +
                    risk_name(f.risk) + "]" + direction + " " + shown(f.message) + "\n";
            if (!f.hint.empty()) out_ += "  hint: " + shown(f.hint) + "\n";
            if (located) excerpt(report.text, lf.offset, lf.position.line);
        }
        if (report.dry_run && !report.dry_run->empty()) dry_run(report);
        if (report.approve_migration)
            out_ += report.path + ": would be blocked; to let this whole migration through once, an approver runs:\n" +
                    *report.approve_migration + "\n";
        flush_stdout(out_);
    }

    void finish(const Summary &summary) override {
        out_ += summary_line(summary) + "\n";
        flush_stdout(out_);
    }

private:
    // Names come from files and databases: a control character in one must not start a line of
    // its own in a CI log (a "::error" workflow command, a forged finding).
    static std::string shown(const std::string &text) { return comment_text(text); }

    static std::string position(LineCol pos) {
        return ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column);
    }

    void dry_run(const FileReport &report) {
        out_ += report.path + ": dry run (rolled back)\n";
        for (const auto &d : *report.dry_run) {
            out_ += "  dry run: statement " + std::to_string(d.statement) + " (" + d.command +
                    "): ";
            if (d.failed()) {
                out_ += "ERROR";
                if (d.error_line && d.error_col)
                    out_ += " at " + std::to_string(*d.error_line) + ":" +
                            std::to_string(*d.error_col);
                out_ += ": " + d.error.value_or("error") + "\n";
                if (d.error_line) excerpt(report.text, d.offset, d.position.line);
                continue;
            }
            if (d.status != "ok") {
                out_ += d.status;
                if (d.note) out_ += ": " + *d.note;
                out_ += "\n";
                continue;
            }
            out_ += "ok, " + milliseconds(d.duration_ms);
            if (d.rows_affected)
                out_ += ", " + std::to_string(*d.rows_affected) +
                        (*d.rows_affected == 1 ? " row" : " rows");
            list("drops", d.dropped);
            list("rewrites", d.rewritten);
            list("locks", d.locks);
            if (d.would_block && d.approval) out_ += "; would be blocked: " + *d.approval;
            if (d.note) out_ += "; " + *d.note;
            out_ += "\n";
        }
    }

    void list(const char *what, const std::vector<std::string> &items) {
        for (size_t i = 0; i < items.size(); ++i)
            out_ += (i == 0 ? std::string(", ") + what + " " : ", ") + items[i];
    }

    // Whole milliseconds, except below 10 where the tenth still says something.
    static std::string milliseconds(double ms) {
        char buf[32];
        std::snprintf(buf, sizeof buf, ms < 10 ? "%.1f ms" : "%.0f ms", ms);
        return buf;
    }

    // The source line with a gutter holding its number, and a caret under the position.
    void excerpt(const std::string &text, int offset, int line) {
        const Excerpt e = excerpt_at(text, offset);
        std::string number = std::to_string(line);
        if (number.size() < 5) number.insert(0, 5 - number.size(), ' ');
        out_ += number + " | " + e.line + "\n";
        out_ += std::string(number.size(), ' ') + " | " + e.caret + "\n";
    }

    std::string out_;
};

}  // namespace

std::unique_ptr<Reporter> make_text_reporter() { return std::make_unique<TextReporter>(); }

}  // namespace mg::cli
