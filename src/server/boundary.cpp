#include "server/boundary.hpp"

namespace mg::server::detail {

void raise(const PendingError &e, const char *where) {
    const bool internal = e.sqlstate == ERRCODE_INTERNAL_ERROR;
    // ereport() by hand: the location clients show (node-postgres prints file, line and routine)
    // is the guard and the function that raised, not this file.
    if (errstart(ERROR, TEXTDOMAIN)) {
        errcode(e.sqlstate);
        if (internal) errmsg("migration_guard (%s): %s", where, e.message);
        else errmsg("%s", e.message);
        if (e.detail[0]) errdetail("%s", e.detail);
        if (e.hint[0]) errhint("%s", e.hint);
        errfinish("migration_guard", 0, where);
    }
    pg_unreachable();
}

}  // namespace mg::server::detail
