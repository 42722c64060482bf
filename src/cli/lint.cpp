#include "cli/lint.hpp"

#include <exception>
#include <utility>

#include "offline/raw_parser.hpp"

namespace mg::cli {

namespace {

// LineIndex::at is O(1) on ASCII lines but counts code points from the line start on others.
// Findings arrive in text order, so continuing from the previous position while on the same line
// keeps even a minified one-line migration with non-ASCII text linear.
class PositionCursor {
public:
    PositionCursor(const std::string &text, const LineIndex &lines) : text_(text), lines_(lines) {}

    LineCol at(int offset) {
        if (last_offset_ >= 0 && offset >= last_offset_) {
            LineCol pos = last_;
            int i = last_offset_;
            for (; i < offset; ++i) {
                const unsigned char c = static_cast<unsigned char>(text_[i]);
                if (c == '\n') break;
                if ((c & 0xC0) != 0x80) ++pos.column;
            }
            if (i == offset) return remember(offset, pos);
        }
        return remember(offset, lines_.at(offset));
    }

private:
    LineCol remember(int offset, LineCol pos) {
        last_offset_ = offset;
        last_ = pos;
        return pos;
    }

    const std::string &text_;
    const LineIndex &lines_;
    int last_offset_ = -1;
    LineCol last_{};
};

// "syntax error at end of input" points past the text; show it after the last token instead
// of on an empty line below the file.
int error_offset(const std::string &text, int location) {
    if (location < 0) return -1;
    int n = static_cast<int>(text.size());
    if (location < n) return location;
    while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r' || text[n - 1] == ' ' ||
                     text[n - 1] == '\t'))
        --n;
    return n;
}

}  // namespace

FileReport lint_file(std::string path, std::string text, const LintOptions &options) {
    FileReport report;
    report.path = std::move(path);
    report.text = std::move(text);
    const std::string &src = report.text;

    Options engine_options;
    engine_options.rls_schemas = options.rls_schemas;
    StaticCatalog catalog;
    std::vector<StatementReport> statements;
    ParseError parse_error;
    bool parsed = false;
    try {
        parsed = analyze_text(src, catalog, engine_options, statements, parse_error);
    } catch (const std::exception &e) {
        // An engine failure on one file must not hide the reports on the others.
        parse_error = {std::string("internal error: ") + e.what(), -1};
    }

    const LineIndex lines(src);
    if (!parsed) {
        FileError error{parse_error.message, error_offset(src, parse_error.location), {}};
        if (error.offset >= 0) error.position = lines.at(error.offset);
        report.error = std::move(error);
        return report;
    }

    report.statements = static_cast<int>(statements.size());
    PositionCursor cursor(src, lines);
    report.statement_offsets.reserve(statements.size());
    for (auto &statement : statements) {
        report.statement_offsets.push_back(skip_blanks(src, statement.location));
        for (auto &finding : statement.findings) {
            // A location on the blanks before a statement would put the caret on a comment.
            const int offset = skip_blanks(src, finding.location);
            report.findings.push_back({std::move(finding), offset, cursor.at(offset)});
        }
    }
    return report;
}

void Summary::add(const FileReport &file) {
    ++files;
    if (file.error) ++parse_errors;
    statements += file.statements;
    for (const auto &f : file.findings) {
        ++findings;
        ++by_risk[static_cast<int>(f.finding.risk)];
        highest = max_risk(highest, f.finding.risk);
    }
    if (file.dry_run)
        for (const auto &d : *file.dry_run) dry_run_errors += d.failed() ? 1 : 0;
}

bool Summary::failed() const {
    if (dry_run_errors > 0) return true;
    for (int r = static_cast<int>(fail_on); r < static_cast<int>(by_risk.size()); ++r)
        if (by_risk[r] > 0) return true;
    return false;
}

}  // namespace mg::cli
