// The guard's own catalog work (approvals, audit) runs as the extension owner, with a fixed
// search_path, inside SPI: the invoking role needs no rights on the guard's tables and cannot
// redirect its queries with its own search_path.
#pragma once

#include "server/boundary.hpp"
#include "server/pinned_path.hpp"

namespace mg::server {

Oid extension_owner();  // throws when the extension is not installed here

// Runs `body` (PostgreSQL code only: it may ereport) as the extension owner between SPI_connect
// and SPI_finish. Results must be copied into `outer`, the caller's memory context.
template <typename F>
void as_guard_owner(F &&body) {
    const Oid owner = extension_owner();
    ErrorData *error = try_pg([&] {
        MemoryContext outer = CurrentMemoryContext;
        Oid saved_user;
        int saved_context;
        GetUserIdAndSecContext(&saved_user, &saved_context);
        SetUserIdAndSecContext(owner, saved_context | SECURITY_LOCAL_USERID_CHANGE);
        with_pinned_search_path([&] {
            if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
            body(outer);
            SPI_finish();
        });
        SetUserIdAndSecContext(saved_user, saved_context);
    });
    // On error the transaction aborts when the error is re-raised; abort restores the user id,
    // the GUC nest level and SPI.
    if (error) throw PgError(error);
}

}  // namespace mg::server
