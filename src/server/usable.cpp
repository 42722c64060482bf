#include "server/usable.hpp"

#include <string>

#include "server/boundary.hpp"

extern "C" {
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xlog.h"
#include "catalog/pg_extension.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
}

#ifndef MG_VERSION
#error "MG_VERSION (the extension's version) is set by the build"
#endif

namespace mg::server {

namespace {
// The oldest SQL this library still works with: it writes and reads only what that version has.
constexpr const char *kOldestServedSql = "0.2.0";

// Dotted versions compared number by number.
int compare_versions(const std::string &a, const std::string &b) {
    size_t i = 0, j = 0;
    while (i < a.size() || j < b.size()) {
        long x = 0, y = 0;
        while (i < a.size() && a[i] != '.') x = x * 10 + (a[i++] - '0');
        while (j < b.size() && b[j] != '.') y = y * 10 + (b[j++] - '0');
        if (x != y) return x < y ? -1 : 1;
        ++i, ++j;
    }
    return 0;
}
}  // namespace

const char *library_version() { return MG_VERSION; }

std::string installed_sql_version() {
    std::string version;
    pg_call([&] {
        Relation rel = table_open(ExtensionRelationId, AccessShareLock);
        ScanKeyData key;
        ScanKeyInit(&key, Anum_pg_extension_extname, BTEqualStrategyNumber, F_NAMEEQ, CStringGetDatum("migration_guard"));
        SysScanDesc scan = systable_beginscan(rel, ExtensionNameIndexId, true, nullptr, 1, &key);
        HeapTuple tuple = systable_getnext(scan);
        if (HeapTupleIsValid(tuple)) {
            bool isnull = true;
            const Datum d = heap_getattr(tuple, Anum_pg_extension_extversion, RelationGetDescr(rel), &isnull);
            if (!isnull) version = TextDatumGetCString(d);
        }
        systable_endscan(scan);
        table_close(rel, AccessShareLock);
    });
    return version;
}

void refuse_unusable(const char *what) {
    const std::string sql = installed_sql_version();
    if (!sql.empty() && compare_versions(sql, kOldestServedSql) < 0)
        throw UserError(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                        std::string(what) + " cannot run: the extension's SQL in this database is version " + sql +
                            ", the library is " + MG_VERSION,
                        "Nothing was changed. Schema changes are still judged.",
                        "Run ALTER EXTENSION migration_guard UPDATE; in this database.");
    if (!sql.empty() && compare_versions(sql, MG_VERSION) > 0)
        throw UserError(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                        std::string(what) + " cannot run: the extension's SQL in this database is version " + sql +
                            ", newer than the library (" + MG_VERSION + ")",
                        "Nothing was changed. Schema changes are still judged.",
                        "Install the migration_guard library of version " + sql + " and restart the server.");
    bool recovering = false;
    pg_call([&] { recovering = RecoveryInProgress(); });
    if (!recovering) return;
    throw UserError(ERRCODE_READ_ONLY_SQL_TRANSACTION,
                    std::string("this server is a standby (in recovery): ") + what + " writes to the guard's tables, which only the primary can",
                    "Nothing was changed.", "Run it on the primary; what it writes reaches this standby by replication.");
}

}  // namespace mg::server

extern "C" {
PG_FUNCTION_INFO_V1(migration_guard_version);
Datum migration_guard_version(PG_FUNCTION_ARGS);
}

// migration_guard.version(): the loaded library's version, next to pg_extension.extversion (the
// SQL's).
Datum migration_guard_version(PG_FUNCTION_ARGS) { PG_RETURN_TEXT_P(cstring_to_text(MG_VERSION)); }
