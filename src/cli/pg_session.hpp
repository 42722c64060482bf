// A libpq connection for `check`: connecting with a bounded wait, and queries that pass the
// migration text as a parameter (never spliced into the SQL).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct pg_conn;
struct pg_result;

namespace mg::cli {

// The rows of one query, all columns in text format.
class PgResult {
public:
    explicit PgResult(pg_result *result = nullptr);
    int rows() const;
    bool is_null(int row, int column) const;
    std::string_view text(int row, int column) const;

private:
    std::unique_ptr<pg_result, void (*)(pg_result *)> result_;
};

class PgSession {
public:
    // `conninfo` is a key=value string, a postgresql:// URI or a bare database name; empty
    // leaves everything to the PG* environment variables. On failure returns nullptr and sets
    // `error` to libpq's message.
    static std::unique_ptr<PgSession> connect(const std::string &conninfo, std::string &error);
    ~PgSession();
    PgSession(const PgSession &) = delete;
    PgSession &operator=(const PgSession &) = delete;

    // Runs `sql` with `param` as $1 (text). On failure returns false and sets `error`.
    bool query(const char *sql, const std::string &param, PgResult &result, std::string &error);
    bool query(const char *sql, PgResult &result, std::string &error);
    // Runs `sql` with `params` as $1, $2, ... (text; nullptr is NULL).
    bool query(const char *sql, const std::vector<const char *> &params, PgResult &result, std::string &error);

    // Whether the connection is still usable after a failed query.
    bool alive() const;
    std::string database() const;

private:
    explicit PgSession(pg_conn *conn) : conn_(conn) {}
    bool run(const char *sql, const std::vector<const char *> &params, PgResult &result, std::string &error);

    pg_conn *conn_;
};

}  // namespace mg::cli
