// Human-readable report in the style of compiler diagnostics:
//   path:line:column: rule-id [risk] message
//     hint: ...
//      12 | ALTER TABLE users DROP COLUMN email;
//         |                   ^
#include <string>

#include "cli/report.hpp"
#include "cli/source_excerpt.hpp"

namespace mg::cli {

namespace {

constexpr const char *kParseErrorHint =
    "check the statement near this position; the file was not linted";

class TextReporter : public Reporter {
public:
    void file(const FileReport &report) override {
        if (report.error) {
            const FileError &e = *report.error;
            out_ += report.path;
            if (e.offset >= 0) out_ += position(e.position);
            out_ += ": error: " + e.message + "\n";
            out_ += "  hint: ";
            out_ += kParseErrorHint;
            out_ += '\n';
            if (e.offset >= 0) excerpt(report.text, e.offset, e.position.line);
        }
        for (const auto &lf : report.findings) {
            const Finding &f = lf.finding;
            out_ += report.path + position(lf.position) + ": " + f.rule + " [" +
                    risk_name(f.risk) + "] " + f.message + "\n";
            if (!f.hint.empty()) out_ += "  hint: " + f.hint + "\n";
            excerpt(report.text, lf.offset, lf.position.line);
        }
        flush_stdout(out_);
    }

    void finish(const Summary &summary) override {
        out_ += summary_line(summary) + "\n";
        flush_stdout(out_);
    }

private:
    static std::string position(LineCol pos) {
        return ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column);
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
