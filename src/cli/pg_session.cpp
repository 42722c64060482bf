#include "cli/pg_session.hpp"

#include <cstdlib>
#include <dlfcn.h>
#include <string>

#include <libpq-fe.h>

namespace mg::cli {

namespace {

// libpq is loaded when a command first connects: lint never needs it, and linking it would
// load libpq and the two dozen libraries behind it (TLS, Kerberos, LDAP) at every start.
#define MG_LIBPQ_FUNCTIONS(X) \
    X(PQclear) \
    X(PQconnectdbParams) \
    X(PQdb) \
    X(PQerrorMessage) \
    X(PQexecParams) \
    X(PQfinish) \
    X(PQgetisnull) \
    X(PQgetlength) \
    X(PQgetvalue) \
    X(PQntuples) \
    X(PQresultErrorField) \
    X(PQresultErrorMessage) \
    X(PQresultStatus) \
    X(PQsetNoticeProcessor) \
    X(PQstatus)

struct LibPq {
#define MG_DECLARE(name) decltype(&::name) name = nullptr;
    MG_LIBPQ_FUNCTIONS(MG_DECLARE)
#undef MG_DECLARE
};

const LibPq *pq = nullptr;

bool load_libpq(std::string &error) {
    static LibPq api;
    static std::string failure;
    static const bool loaded = [] {
        void *handle = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
        if (!handle) {
            const char *why = dlerror();
            failure = std::string("cannot load libpq (apt-get install libpq5): ") + (why ? why : "not found");
            return false;
        }
        bool ok = true;
#define MG_LOAD(name) ok = ok && (api.name = reinterpret_cast<decltype(&::name)>(dlsym(handle, #name)));
        MG_LIBPQ_FUNCTIONS(MG_LOAD)
#undef MG_LOAD
        if (!ok) failure = "libpq.so.5 lacks a function migration-guard needs";
        return ok;
    }();
    if (!loaded) {
        error = failure;
        return false;
    }
    pq = &api;
    return true;
}

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
    if (const char *primary = pq->PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)) {
        std::string s = primary;
        if (const char *detail = pq->PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL))
            s += std::string(" (") + detail + ")";
        return s;
    }
    return clean_message(pq->PQresultErrorMessage(res));
}

// The dry run's statements raise their own notices ("does not exist, skipping", ...); what
// matters of them is in the dry run's rows, so they are not echoed on stderr.
void ignore_notice(void *, const char *) {}

}  // namespace

PgResult::PgResult(pg_result *result) : result_(result, pq->PQclear) {}

int PgResult::rows() const { return result_ ? pq->PQntuples(result_.get()) : 0; }

bool PgResult::is_null(int row, int column) const {
    return pq->PQgetisnull(result_.get(), row, column) != 0;
}

std::string_view PgResult::text(int row, int column) const {
    return {pq->PQgetvalue(result_.get(), row, column),
            static_cast<size_t>(pq->PQgetlength(result_.get(), row, column))};
}

std::unique_ptr<PgSession> PgSession::connect(const std::string &conninfo, std::string &error) {
    // Defaults come first so that the expanded conninfo ("dbname" with expand_dbname) and the
    // environment can override them. Without a timeout an unreachable host hangs for minutes.
    if (!load_libpq(error)) return nullptr;
    const char *timeout = std::getenv("PGCONNECT_TIMEOUT") ? nullptr : "10";
    const char *keywords[] = {"connect_timeout", "client_encoding", "fallback_application_name",
                              "dbname", nullptr};
    const char *values[] = {timeout, "UTF8", "migration-guard", conninfo.c_str(), nullptr};
    PGconn *conn = pq->PQconnectdbParams(keywords, values, 1);
    if (!conn) {
        error = "out of memory";
        return nullptr;
    }
    if (pq->PQstatus(conn) != CONNECTION_OK) {
        error = clean_message(pq->PQerrorMessage(conn));
        pq->PQfinish(conn);
        return nullptr;
    }
    pq->PQsetNoticeProcessor(conn, ignore_notice, nullptr);
    return std::unique_ptr<PgSession>(new PgSession(conn));
}

PgSession::~PgSession() { pq->PQfinish(conn_); }

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
    PGresult *res = pq->PQexecParams(conn_, sql, static_cast<int>(params.size()), types.data(), params.data(),
                                 nullptr, nullptr, 0);
    result = PgResult(res);
    if (!res) {
        error = clean_message(pq->PQerrorMessage(conn_));
        return false;
    }
    if (pq->PQresultStatus(res) != PGRES_TUPLES_OK) {
        error = server_message(res);
        return false;
    }
    return true;
}

bool PgSession::alive() const { return pq->PQstatus(conn_) == CONNECTION_OK; }

std::string PgSession::database() const { return pq->PQdb(conn_); }

}  // namespace mg::cli
