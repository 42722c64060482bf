#include "server/live_catalog/data_checks.hpp"

#include "server/boundary.hpp"
#include "server/pinned_path.hpp"
#include "server/settings.hpp"

extern "C" {
#include "utils/timeout.h"
}

namespace mg::server {

namespace {

TimeoutId check_timeout_id = MAX_TIMEOUTS;
volatile sig_atomic_t check_timed_out = 0;

// Interrupts the running check the way a query cancel does; the check's subtransaction catches it.
void on_check_timeout() {
    check_timed_out = 1;
    QueryCancelPending = true;
    InterruptPending = true;
}

}  // namespace

std::optional<DataCount> bounded_count(const std::string &match_query, double table_rows, Oid run_as) {
    if (!data_checks_enabled()) return std::nullopt;
    DataCount result;
    bool ok = false;
    const int64 cap = check_rows();
    pg_call([&] {
        if (!OidIsValid(run_as)) return;
        if (check_timeout_id == MAX_TIMEOUTS) check_timeout_id = RegisterTimeout(USER_TIMEOUT, on_check_timeout);
        check_timed_out = 0;
        // The check reads the table as its owner would (CREATE INDEX, REFRESH, ANALYZE do the
        // same), under SECURITY_RESTRICTED_OPERATION, whoever asked; row security never applies
        // (the statement would see every row). The callers ask only checks that run no code a role
        // wrote. Always rolled back: nothing of it outlives the check.
        Oid saved_user;
        int saved_context;
        GetUserIdAndSecContext(&saved_user, &saved_context);
        ErrorData *error = pg_subtransaction(
            [&] {
                SetUserIdAndSecContext(run_as, saved_context | SECURITY_LOCAL_USERID_CHANGE |
                                                   SECURITY_RESTRICTED_OPERATION | SECURITY_NOFORCE_RLS);
                enable_timeout_after(check_timeout_id, check_timeout_ms());
                with_pinned_search_path([&] {
                    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
                    Portal portal =
                        SPI_cursor_open_with_args(nullptr, match_query.c_str(), 0, nullptr, nullptr, nullptr, true, 0);
                    for (;;) {
                        SPI_cursor_fetch(portal, true, 10000);
                        if (SPI_processed == 0) break;
                        result.count += static_cast<int64_t>(SPI_processed);
                        SPI_freetuptable(SPI_tuptable);
                    }
                    SPI_cursor_close(portal);
                    SPI_finish();
                });
                disable_timeout(check_timeout_id, false);
                SetUserIdAndSecContext(saved_user, saved_context);
            },
            [] { disable_timeout(check_timeout_id, false); }, false);
        SetUserIdAndSecContext(saved_user, saved_context);
        if (!error) {
            ok = true;
        } else if (error->sqlerrcode == ERRCODE_QUERY_CANCELED && check_timed_out) {
            // Our own time limit: what was counted so far is a lower bound.
            result.at_least = true;
            result.timed_out = true;
            ok = true;
        } else if (is_interrupt(error)) {
            ReThrowError(error);
        }
        // Any other error (permissions, a type without an input function) leaves the answer unknown.
    });
    if (!ok) return std::nullopt;
    if (!result.timed_out && table_rows > static_cast<double>(cap)) {
        result.at_least = true;
        result.examined = cap;
    }
    return result;
}

}  // namespace mg::server
