#include "server/boundary.hpp"

namespace mg::server::detail {

void raise(const PendingError &e, const char *where) {
    const bool internal = e.sqlstate == ERRCODE_INTERNAL_ERROR;
    ereport(ERROR, (errcode(e.sqlstate),
                    internal ? errmsg("migration_guard (%s): %s", where, e.message) : errmsg("%s", e.message),
                    e.detail[0] ? errdetail("%s", e.detail) : 0, e.hint[0] ? errhint("%s", e.hint) : 0));
    pg_unreachable();
}

}  // namespace mg::server::detail
