// Approval requests: a blocked attempt is a request, identified by what it needs, that an
// approver grants by id (approve_request) with an approval bound to the role that made it, which
// applies to that role's next matching statement without a token.
#include "server/usable.hpp"
#include "server/approvals/approvals.hpp"

#include <algorithm>

#include "engine/approval_scope.hpp"
#include "server/audit/migration_tools.hpp"
#include "server/guard_owner.hpp"
#include "server/role_names.hpp"
#include "server/settings.hpp"
#include "server/spi_rows.hpp"
#include "server/sqlstate.hpp"

extern "C" {
#include "common/cryptohash.h"
#include "common/sha2.h"
#include "utils/timestamp.h"
}

namespace mg::server {

int64_t request_key(const std::string &role, const std::string &migration, std::vector<std::string> pairs) {
    std::sort(pairs.begin(), pairs.end());
    pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
    // Unit separators between fields: no name can end one field and start the next.
    std::string key = role + '\x1f' + migration;
    for (const auto &p : pairs) key += '\x1f' + p;
    uint8 digest[PG_SHA256_DIGEST_LENGTH] = {0};
    pg_call([&] {
        pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);
        if (!ctx || pg_cryptohash_init(ctx) < 0 ||
            pg_cryptohash_update(ctx, reinterpret_cast<const uint8 *>(key.data()), key.size()) < 0 ||
            pg_cryptohash_final(ctx, digest, sizeof digest) < 0)
            elog(ERROR, "migration_guard: could not compute a request id");
        pg_cryptohash_free(ctx);
    });
    uint64 v = 0;
    for (int i = 0; i < 8; i++) v = (v << 8) | digest[i];
    // 63 bits: a role that chooses names and migration ids cannot make two requests share one.
    v &= 0x7fffffffffffffffULL;
    return v ? static_cast<int64_t>(v) : 1;
}

int64_t request_id_for(const std::vector<Finding> &needed) {
    std::vector<std::string> pairs;
    for (const Finding &f : needed) pairs.push_back(approval_pair(f.rule, f.object));
    return request_key(session_role_name(), effective_migration_id(), pairs);
}

}  // namespace mg::server

// approve_request(request_id bigint, reason text, valid_for interval) RETURNS text
MG_SQL_FUNCTION(migration_guard_approve_request) {
    mg::server::refuse_unusable("migration_guard.approve_request()");
    using namespace mg;
    using namespace mg::server;

    bool missing = false;
    int64_t request = 0;
    const char *reason_text = nullptr;
    ApprovalRequest req;
    pg_call([&] {
        missing = PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2);
        if (missing) return;
        request = PG_GETARG_INT64(0);
        reason_text = TextDatumGetCString(PG_GETARG_DATUM(1));
        req.valid_for = *PG_GETARG_INTERVAL_P(2);
    });
    if (missing)
        throw UserError(MG_ERRCODE_BAD_APPROVAL, "approve_request() needs a request id, a reason and valid_for",
                        "None of them may be NULL.");
    refuse_non_approver("grant requests");
    req.reason = reason_text;
    req.request_id = request;

    // The request as the requests view shows it: one role, its pairs, its status.
    struct Found {
        int rows = 0;
        std::string role, migration, status, statement;
        std::vector<std::string> pairs;
        int64_t approval = 0;
    } found;
    as_guard_owner([&](MemoryContext) {
        Oid types[1] = {INT8OID};
        Datum args[1] = {Int64GetDatum(request)};
        const int rc = SPI_execute_with_args(
            "SELECT role::text, migration_id, status, pairs, coalesce(approval_id, 0), statement "
            "FROM migration_guard.requests WHERE id = $1",
            1, types, args, nullptr, true, 0);
        if (rc != SPI_OK_SELECT) elog(ERROR, "migration_guard: request lookup failed (%d)", rc);
        found.rows = static_cast<int>(SPI_processed);
        if (SPI_processed != 1) return;
        HeapTuple t = SPI_tuptable->vals[0];
        TupleDesc d = SPI_tuptable->tupdesc;
        bool isnull;
        found.role = SPI_getvalue(t, d, 1);
        if (const char *m = SPI_getvalue(t, d, 2)) found.migration = m;
        found.status = SPI_getvalue(t, d, 3);
        found.pairs = text_array_strings(SPI_getbinval(t, d, 4, &isnull));
        found.approval = DatumGetInt64(SPI_getbinval(t, d, 5, &isnull));
        if (const char *s = SPI_getvalue(t, d, 6)) found.statement = s;
    });
    const std::string id = std::to_string(request);
    if (found.rows == 0)
        throw UserError(MG_ERRCODE_BAD_APPROVAL, "request " + id + " is not known",
                        "A blocked attempt becomes a request within a second or two (a background worker writes it).",
                        "SELECT id, role, status, pairs, statement FROM migration_guard.requests; lists them.");
    if (found.rows > 1)
        throw UserError(MG_ERRCODE_BAD_APPROVAL, "request " + id + " stands for attempts of several roles",
                        "Two different attempts share this id.",
                        "Approve each with migration_guard.approve(..., for_role => '<role>') instead.");
    if (found.status == "approved")
        throw UserError(MG_ERRCODE_BAD_APPROVAL,
                        "request " + id + " is already approved (approval #" + std::to_string(found.approval) + ")",
                        "Its role's next matching statement uses that approval; nothing more is needed.");
    if (found.status == "expired")
        throw UserError(MG_ERRCODE_BAD_APPROVAL, "request " + id + " has expired",
                        "A request stays open for a day after its last attempt.",
                        "Run the migration again; the new attempt opens the request again.");
    if (found.status == "used")
        throw UserError(MG_ERRCODE_BAD_APPROVAL, "request " + id + " was approved and its approval is used",
                        "The approved statement ran (approval #" + std::to_string(found.approval) + ").",
                        "A new blocked attempt that needs the same makes it pending again.");
    // The request is exactly what its id says: the id of its role, migration and pairs. Attempts
    // that needed different things cannot share it (63 bits of SHA-256), so a request that mixes
    // them is refused, never granted for more than one of them asked.
    if (request_key(found.role, found.migration, found.pairs) != request)
        throw UserError(MG_ERRCODE_BAD_APPROVAL, "request " + id + " stands for attempts that needed different things",
                        "Its blocked rows do not add up to one request; granting it would approve more than was asked.",
                        "Approve the change itself with migration_guard.approve(..., for_role => '<role>').");
    // Four eyes: with require_distinct_approver on, nobody grants their own request.
    if (require_distinct_approver() && (current_role_name() == found.role || session_role_name() == found.role))
        throw UserError(MG_ERRCODE_NOT_APPROVER, "request " + id + " was made by " + found.role + ", who may not grant it",
                        "migration_guard.require_distinct_approver is on: another approver must grant it.");
    for (const auto &pair : found.pairs) {
        const size_t colon = pair.find(':');
        const std::string rule = pair.substr(0, colon), object = pair.substr(colon + 1);
        if (std::find(req.rules.begin(), req.rules.end(), rule) == req.rules.end()) req.rules.push_back(rule);
        const std::string pattern = literal_pattern(object);
        if (std::find(req.objects.begin(), req.objects.end(), pattern) == req.objects.end()) req.objects.push_back(pattern);
        req.pairs.push_back(pair);
    }
    req.for_role = found.role;
    req.migration_id = found.migration;
    req.uses = 1;
    int64_t approval = 0;
    issue_approval(req, &approval);
    std::string what;
    for (const auto &pair : found.pairs) {
        const size_t colon = pair.find(':');
        what += (what.empty() ? "" : ", ") + pair.substr(0, colon) + " on " + pair.substr(colon + 1);
    }
    const std::string summary = "request " + id + " approved (approval #" + std::to_string(approval) + "): " + what +
                                ", once, for role " + found.role +
                                (found.migration.empty() ? std::string() : ", migration " + found.migration) +
                                "; its next run applies it, no token needed";
    text *result = nullptr;
    pg_call([&] { result = cstring_to_text(summary.c_str()); });
    PG_RETURN_TEXT_P(result);
}
