#include "server/data_changes/exemptions.hpp"

#include <string>

#include "server/audit/audit.hpp"
#include "server/boundary.hpp"
#include "server/enforcement/decision.hpp"
#include "server/guard_owner.hpp"
#include "server/live_catalog/server_catalog.hpp"
#include "server/sqlstate.hpp"
#include "server/usable.hpp"

extern "C" {
#include "executor/spi.h"
#include "utils/builtins.h"
}

namespace mg::server {

bool exempt_from_data_changes(Oid relid) {
    bool exempt = false;
    as_guard_owner([&](MemoryContext) {
        Oid types[1] = {OIDOID};
        Datum values[1] = {ObjectIdGetDatum(relid)};
        if (SPI_execute_with_args("SELECT FROM migration_guard.data_change_exemption WHERE relid = $1", 1, types, values,
                                  nullptr, true, 1) != SPI_OK_SELECT)
            elog(ERROR, "migration_guard: reading the data-change exemptions failed");
        exempt = SPI_processed > 0;
    });
    return exempt;
}

}  // namespace mg::server

// migration_guard.exempt_from_data_changes(tbl regclass, reason text, exempt boolean DEFAULT true):
// superusers only (EXECUTE is revoked from PUBLIC). On record either way.
MG_SQL_FUNCTION(migration_guard_exempt_from_data_changes) {
    using namespace mg::server;
    refuse_unusable("migration_guard.exempt_from_data_changes()");
    bool missing = false, superuser_caller = false, exempt = true;
    Oid relid = InvalidOid;
    std::string reason;
    pg_call([&] {
        missing = PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2);
        if (missing) return;
        relid = PG_GETARG_OID(0);
        reason = TextDatumGetCString(PG_GETARG_DATUM(1));
        exempt = PG_GETARG_BOOL(2);
        superuser_caller = superuser();
    });
    if (missing) throw UserError(ERRCODE_NULL_VALUE_NOT_ALLOWED, "exempt_from_data_changes() needs a table, a reason and exempt");
    if (!superuser_caller)
        throw UserError(ERRCODE_INSUFFICIENT_PRIVILEGE, "only a superuser can exempt a table from the judgement of data changes");
    if (reason.find_first_not_of(" \t\r\n") == std::string::npos)
        throw UserError(MG_ERRCODE_BAD_APPROVAL, "an exemption needs a reason", "Say why the table is wiped by design.");
    char kind = 0;
    pg_call([&] { kind = get_rel_relkind(relid); });
    if (kind != RELKIND_RELATION && kind != RELKIND_PARTITIONED_TABLE)
        throw UserError(ERRCODE_WRONG_OBJECT_TYPE, "only a table can be exempted from the judgement of data changes");
    const std::string table = ServerCatalog().name_of(relid).display();
    as_guard_owner([&](MemoryContext) {
        Oid types[3] = {OIDOID, TEXTOID, TEXTOID};
        Datum values[3] = {ObjectIdGetDatum(relid), CStringGetTextDatum(table.c_str()), CStringGetTextDatum(reason.c_str())};
        const char *sql = exempt ? "INSERT INTO migration_guard.data_change_exemption (relid, table_name, reason, exempted_by) "
                                   "VALUES ($1, $2, $3, session_user) ON CONFLICT (relid) DO UPDATE SET reason = EXCLUDED.reason, "
                                   "exempted_by = EXCLUDED.exempted_by, exempted_at = now()"
                                 : "DELETE FROM migration_guard.data_change_exemption WHERE relid = $1 AND $2 IS NOT NULL "
                                   "AND $3 IS NOT NULL";
        if (SPI_execute_with_args(sql, 3, types, values, nullptr, false, 0) < 0)
            elog(ERROR, "migration_guard: writing the data-change exemption failed");
    });
    static const int key = 0;
    const Node *statement = reinterpret_cast<const Node *>(&key);
    const char *tag = exempt ? "EXEMPT FROM DATA CHANGES" : "JUDGE DATA CHANGES AGAIN";
    begin_statement(statement, std::string(tag) + " " + table + ": " + reason, tag);
    write_audit_rows({statement_audit_row("table", table)});
    end_statement(statement);
    PG_RETURN_VOID();
}
