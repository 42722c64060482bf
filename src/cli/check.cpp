#include "cli/check.hpp"

#include <vector>

#include "cli/pg_values.hpp"
#include "engine/sql_literal.hpp"

namespace mg::cli {

namespace {

constexpr const char *kExtensionSql =
    "SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'migration_guard'";

constexpr const char *kFindingsSql =
    "SELECT statement, rule, risk::text, category, lock_mode, message, hint, line, col "
    "FROM migration_guard.classify_verbose($1) WHERE rule IS NOT NULL";

// Arrays as JSON: an unambiguous text form to read back.
constexpr const char *kDryRunSql =
    "SELECT statement, command, status, risk::text, would_block, approval, "
    "pg_catalog.to_json(locks)::text, pg_catalog.to_json(created)::text, "
    "pg_catalog.to_json(altered)::text, pg_catalog.to_json(dropped)::text, "
    "pg_catalog.to_json(rewritten)::text, rows_affected, error, error_line, error_col, note, "
    "duration_ms FROM migration_guard.dry_run($1)";

// Reads a row's columns in select order; the first value it cannot read makes it fail.
class RowReader {
public:
    RowReader(const PgResult &result, int row, const char *function)
        : result_(result), row_(row), function_(function) {}

    bool ok() const { return error_.empty(); }
    const std::string &error() const { return error_; }

    std::optional<std::string> nullable_text() {
        const int c = column_++;
        if (result_.is_null(row_, c)) return std::nullopt;
        return std::string(result_.text(row_, c));
    }
    std::string text() { return nullable_text().value_or(std::string()); }

    std::optional<long long> nullable_int() {
        const int c = column_++;
        if (result_.is_null(row_, c)) return std::nullopt;
        auto v = parse_int(result_.text(row_, c));
        if (!v) fail(c);
        return v;
    }
    int integer() { return static_cast<int>(nullable_int().value_or(0)); }

    bool boolean() {
        const int c = column_++;
        auto v = parse_bool(result_.text(row_, c));
        if (!v) fail(c);
        return v.value_or(false);
    }
    double number() {
        const int c = column_++;
        auto v = parse_number(result_.text(row_, c));
        if (!v) fail(c);
        return v.value_or(0);
    }
    Risk risk() {
        const int c = column_++;
        auto v = parse_risk(result_.text(row_, c));
        if (!v) fail(c);
        return v.value_or(Risk::Low);
    }
    std::vector<std::string> strings() {
        const int c = column_++;
        if (result_.is_null(row_, c)) return {};
        auto v = parse_json_strings(result_.text(row_, c));
        if (!v) fail(c);
        return v.value_or(std::vector<std::string>());
    }

private:
    void fail(int column) {
        if (error_.empty())
            error_ = std::string("unexpected value '") + std::string(result_.text(row_, column)) +
                     "' in column " + std::to_string(column + 1) + " of " + function_ + "()";
    }

    const PgResult &result_;
    int row_;
    const char *function_;
    int column_ = 0;
    std::string error_;
};

// The server gives positions as line:column (in characters); the excerpts need byte offsets
// into the same text.
class TextMap {
public:
    explicit TextMap(const std::string &text) : text_(text), lines_(text) {
        starts_.push_back(0);
        for (size_t i = 0; i < text.size(); ++i)
            if (text[i] == '\n') starts_.push_back(static_cast<int>(i + 1));
    }

    int offset(int line, int column) const {
        if (line < 1) return 0;
        if (line > static_cast<int>(starts_.size())) return static_cast<int>(text_.size());
        int i = starts_[line - 1];
        const int n = static_cast<int>(text_.size());
        for (int chars = 1; i < n && text_[i] != '\n' && chars < column;) {
            ++i;
            if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++chars;
        }
        return i;
    }

    LineCol at(int offset) const { return lines_.at(offset); }

private:
    const std::string &text_;
    const LineIndex lines_;
    std::vector<int> starts_;
};

bool read_findings(PgSession &db, const FileReport &report, const TextMap &map,
                   std::vector<LocatedFinding> &findings, std::string &error) {
    PgResult rows;
    if (!db.query(kFindingsSql, report.text, rows, error)) return false;
    for (int r = 0; r < rows.rows(); ++r) {
        RowReader row(rows, r, "classify_verbose");
        Finding f;
        f.statement = row.integer();
        f.rule = row.text();
        f.risk = row.risk();
        f.category = row.text();
        f.lock = parse_lock_mode(row.text());
        f.message = row.text();
        f.hint = row.text();
        const int line = row.integer();
        const int column = row.integer();
        if (!row.ok()) {
            error = row.error();
            return false;
        }
        // Lint shows a finding at the first token, never on the blanks before a statement.
        const int offset = skip_blanks(report.text, map.offset(line, column));
        f.location = offset;
        findings.push_back({std::move(f), offset, map.at(offset), Direction::Up, std::nullopt});
    }
    return true;
}

bool read_dry_run(PgSession &db, const FileReport &report, const TextMap &map,
                  std::vector<DryRunStatement> &statements, std::string &error) {
    PgResult rows;
    if (!db.query(kDryRunSql, report.text, rows, error)) return false;
    for (int r = 0; r < rows.rows(); ++r) {
        RowReader row(rows, r, "dry_run");
        DryRunStatement d;
        d.statement = row.integer();
        d.command = row.text();
        d.status = row.text();
        d.risk = row.risk();
        d.would_block = row.boolean();
        d.approval = row.nullable_text();
        d.locks = row.strings();
        d.created = row.strings();
        d.altered = row.strings();
        d.dropped = row.strings();
        d.rewritten = row.strings();
        d.rows_affected = row.nullable_int();
        d.error = row.nullable_text();
        const auto line = row.nullable_int();
        const auto column = row.nullable_int();
        d.note = row.nullable_text();
        d.duration_ms = row.number();
        if (!row.ok()) {
            error = row.error();
            return false;
        }
        if (line && column) {
            d.error_line = static_cast<int>(*line);
            d.error_col = static_cast<int>(*column);
            d.offset = map.offset(*d.error_line, *d.error_col);
        } else if (d.statement >= 1 &&
                   d.statement <= static_cast<int>(report.statement_offsets.size())) {
            d.offset = report.statement_offsets[d.statement - 1];
        }
        d.position = map.at(d.offset);
        statements.push_back(std::move(d));
    }
    return true;
}

}  // namespace

std::unique_ptr<PgSession> open_database(const std::string &conninfo, std::string &error) {
    auto db = PgSession::connect(conninfo, error);
    if (!db) {
        error = "cannot connect to the database: " + error;
        return nullptr;
    }
    PgResult rows;
    if (!db->query(kExtensionSql, rows, error)) return nullptr;
    if (rows.rows() == 0) {
        error = "the migration_guard extension is not installed in database \"" + db->database() +
                "\" (CREATE EXTENSION migration_guard; installs it)";
        return nullptr;
    }
    return db;
}

bool check_file(PgSession &db, FileReport &report, std::string &error) {
    // libpq sends text as a C string, and PostgreSQL text cannot hold NUL anyway.
    if (report.text.find('\0') != std::string::npos) {
        error = "contains a NUL byte; PostgreSQL cannot take it as text";
        return false;
    }
    const TextMap map(report.text);
    std::vector<LocatedFinding> findings;
    std::vector<DryRunStatement> statements;
    if (!read_findings(db, report, map, findings, error) ||
        !read_dry_run(db, report, map, statements, error))
        return false;
    report.findings = std::move(findings);
    bool blocked = false;
    for (const auto &d : statements) blocked = blocked || d.would_block;
    if (blocked) report.approve_migration = approve_migration_call(report.text);
    report.dry_run = std::move(statements);
    return true;
}

}  // namespace mg::cli
