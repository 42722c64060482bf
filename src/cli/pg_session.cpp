#include "cli/pg_session.hpp"

#include <cstdlib>

#include <libpq-fe.h>

namespace mg::cli {

namespace {

constexpr Oid kTextOid = 25;  // pg_type's `text`

// libpq's messages end with a newline; reports add their own.
std::string clean_message(const char *message) {
    std::string s = message ? message : "";
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s.empty() ? "unknown error" : s;
}

// A server error's own words, without the "ERROR:  " and the echo of our query that the full
// message adds.
std::string server_message(const PGresult *res) {
    if (const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)) {
        std::string s = primary;
        if (const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL))
            s += std::string(" (") + detail + ")";
        return s;
    }
    return clean_message(PQresultErrorMessage(res));
}

// The dry run's statements raise their own notices ("does not exist, skipping", ...); what
// matters of them is in the dry run's rows, so they are not echoed on stderr.
void ignore_notice(void *, const char *) {}

}  // namespace

PgResult::PgResult(pg_result *result) : result_(result, PQclear) {}

int PgResult::rows() const { return result_ ? PQntuples(result_.get()) : 0; }

bool PgResult::is_null(int row, int column) const {
    return PQgetisnull(result_.get(), row, column) != 0;
}

std::string_view PgResult::text(int row, int column) const {
    return {PQgetvalue(result_.get(), row, column),
            static_cast<size_t>(PQgetlength(result_.get(), row, column))};
}

std::unique_ptr<PgSession> PgSession::connect(const std::string &conninfo, std::string &error) {
    // Defaults come first so that the expanded conninfo ("dbname" with expand_dbname) and the
    // environment can override them. Without a timeout an unreachable host hangs for minutes.
    const char *timeout = std::getenv("PGCONNECT_TIMEOUT") ? nullptr : "10";
    const char *keywords[] = {"connect_timeout", "client_encoding", "fallback_application_name",
                              "dbname", nullptr};
    const char *values[] = {timeout, "UTF8", "migration-guard", conninfo.c_str(), nullptr};
    PGconn *conn = PQconnectdbParams(keywords, values, 1);
    if (!conn) {
        error = "out of memory";
        return nullptr;
    }
    if (PQstatus(conn) != CONNECTION_OK) {
        error = clean_message(PQerrorMessage(conn));
        PQfinish(conn);
        return nullptr;
    }
    PQsetNoticeProcessor(conn, ignore_notice, nullptr);
    return std::unique_ptr<PgSession>(new PgSession(conn));
}

PgSession::~PgSession() { PQfinish(conn_); }

bool PgSession::query(const char *sql, const std::string &param, PgResult &result,
                      std::string &error) {
    return run(sql, {param.c_str()}, result, error);
}

bool PgSession::query(const char *sql, PgResult &result, std::string &error) {
    return run(sql, {}, result, error);
}

bool PgSession::query(const char *sql, const std::vector<const char *> &params, PgResult &result,
                      std::string &error) {
    return run(sql, params, result, error);
}

bool PgSession::run(const char *sql, const std::vector<const char *> &params, PgResult &result,
                    std::string &error) {
    const std::vector<Oid> types(params.size(), kTextOid);
    PGresult *res = PQexecParams(conn_, sql, static_cast<int>(params.size()), types.data(), params.data(),
                                 nullptr, nullptr, 0);
    result = PgResult(res);
    if (!res) {
        error = clean_message(PQerrorMessage(conn_));
        return false;
    }
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        error = server_message(res);
        return false;
    }
    return true;
}

bool PgSession::alive() const { return PQstatus(conn_) == CONNECTION_OK; }

std::string PgSession::database() const { return PQdb(conn_); }

}  // namespace mg::cli
