#include "server/recycle_bin/internal_sql.hpp"

#include <cstring>

#include "server/enforcement/statement_text.hpp"
#include "server/pinned_path.hpp"

namespace mg::server {

namespace {
const char *running_internal = nullptr;
}

uint64 run_internal_sql(const char *sql, Oid role, bool restricted, bool replica) {
    Oid saved_user;
    int saved_context;
    GetUserIdAndSecContext(&saved_user, &saved_context);
    const int level = NewGUCNestLevel();
    set_config_option("search_path", kPinnedSearchPath, PGC_SUSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
    if (replica)
        set_config_option("session_replication_role", "replica", PGC_SUSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0,
                          false);
    int context = saved_context | SECURITY_LOCAL_USERID_CHANGE;
    if (restricted) context |= SECURITY_RESTRICTED_OPERATION | SECURITY_NOFORCE_RLS;
    SetUserIdAndSecContext(role, context);
    const char *volatile previous = running_internal;
    uint64 processed = 0;
    PG_TRY();
    {
        running_internal = sql;
        if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
        const int rc = SPI_execute(sql, false, 0);
        if (rc < 0) elog(ERROR, "migration_guard: internal statement failed (%d): %s", rc, sql);
        processed = SPI_processed;
        SPI_finish();
    }
    PG_FINALLY();
    {
        running_internal = previous;
    }
    PG_END_TRY();
    SetUserIdAndSecContext(saved_user, saved_context);
    AtEOXact_GUC(true, level);
    return processed;
}

bool is_internal_query(const char *source_text) {
    return running_internal && source_text && std::strcmp(source_text, running_internal) == 0;
}

bool is_internal_statement(Node *parsetree) {
    if (!running_internal) return false;
    return running_statement_text(parsetree) == running_internal;
}

}  // namespace mg::server
