// A database this role created moments ago that holds no more than an empty one: what a
// migration tool's shadow database is (Prisma's migrate dev creates one, applies the migrations
// to it and drops it). Dropping it loses nothing, so it is not judged as critical.
#include "server/live_catalog/server_catalog.hpp"

#include "engine/node_names.hpp"
#include "server/boundary.hpp"
#include "server/guard_owner.hpp"
#include "server/extension_cache.hpp"
#include "server/role_names.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_database.h"
#include "commands/dbcommands.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/syscache.h"
}

namespace mg::server {

namespace {
constexpr int kRecentSeconds = 3600;               // "moments ago": within the hour
constexpr int64_t kEmptySlack = 16 * 1024 * 1024;  // a schema without data over its template
}  // namespace

std::optional<std::string> ServerCatalog::scratch_database(const std::string &name) const {
    if (!extension_place().installed) return std::nullopt;
    Oid db = InvalidOid, owner = InvalidOid;
    int64_t size = -1, template_size = -1;
    TransactionId created_by = InvalidTransactionId;  // the row's xmin: any later ALTER (a rename) changes it
    pg_call([&] {
        db = get_database_oid(name.c_str(), true);
        if (!OidIsValid(db)) return;
        HeapTuple tuple = SearchSysCache1(DATABASEOID, ObjectIdGetDatum(db));
        if (!HeapTupleIsValid(tuple)) return;
        owner = reinterpret_cast<Form_pg_database>(GETSTRUCT(tuple))->datdba;
        created_by = HeapTupleHeaderGetXmin(tuple->t_data);
        ReleaseSysCache(tuple);
        if (owner != GetUserId()) return;
        const Oid template1 = get_database_oid("template1", true);
        size = DatumGetInt64(DirectFunctionCall1(pg_database_size_oid, ObjectIdGetDatum(db)));
        if (OidIsValid(template1))
            template_size = DatumGetInt64(DirectFunctionCall1(pg_database_size_oid, ObjectIdGetDatum(template1)));
    });
    if (!OidIsValid(db) || owner == InvalidOid || size < 0 || template_size < 0 || !TransactionIdIsNormal(created_by))
        return std::nullopt;
    if (size > template_size + kEmptySlack) return std::nullopt;
    // Created by a session of this role, recently, as this database's audit log recorded it.
    const std::string role = session_role_name();
    int64_t seconds = -1;
    as_guard_owner([&](MemoryContext) {
        // The very row that CREATE DATABASE wrote (its transaction is the row's xmin): a database
        // renamed to a scratch one's name, or altered since, is not it.
        Oid types[3] = {TEXTOID, TEXTOID, INT8OID};
        Datum args[3] = {CStringGetTextDatum(name.c_str()), CStringGetTextDatum(role.c_str()),
                         Int64GetDatum(static_cast<int64_t>(created_by))};
        const std::string query =
            "SELECT extract(epoch FROM clock_timestamp() - max(logged_at))::bigint FROM migration_guard.audit_change "
            "WHERE command_tag = 'CREATE DATABASE' AND object_identity = $1 AND session_role = $2 "
            "AND xid IS NOT NULL AND (xid::text::numeric % 4294967296) = $3 "
            "AND logged_at > clock_timestamp() - interval '" + std::to_string(kRecentSeconds) + " seconds'";
        const int rc = SPI_execute_with_args(query.c_str(), 3, types, args, nullptr, true, 1);
        if (rc != SPI_OK_SELECT || SPI_processed != 1) return;
        bool isnull = true;
        const Datum d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
        if (!isnull) seconds = DatumGetInt64(d);
    });
    if (seconds < 0) return std::nullopt;
    return "role " + role + " created it " + std::to_string(seconds) + " s ago (on record in the audit log) and it is " +
           format_bytes(size) + ", no more than an empty database";
}

}  // namespace mg::server
