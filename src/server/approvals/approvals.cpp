#include "server/usable.hpp"
#include "server/approvals/approvals.hpp"
#include "server/audit/migration_tools.hpp"

#include <algorithm>
#include <sstream>

#include "engine/approval_scope.hpp"
#include "engine/rule_catalog.hpp"
#include "server/guard_owner.hpp"
#include "server/role_names.hpp"
#include "server/settings.hpp"
#include "server/spi_rows.hpp"
#include "server/sqlstate.hpp"

extern "C" {
#include "access/xlog.h"
#include "common/hashfn.h"
#include "port.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/timestamp.h"
}

namespace mg::server {

namespace {

// This database, as an approval is bound to it: the cluster's system identifier, the database's
// oid and the timeline (a promoted replica starts a new one).
std::string this_database() {
    std::string out;
    pg_call([&] {
        const TimeLineID timeline = RecoveryInProgress() ? 0 : GetWALInsertionTimeLine();
        out = psprintf(UINT64_FORMAT ":%u:%u", GetSystemIdentifier(), MyDatabaseId, timeline);
    });
    return out;
}

bool has_control_character(const std::string &s) {
    for (char ch : s)
        if (static_cast<unsigned char>(ch) < 0x20 || static_cast<unsigned char>(ch) == 0x7f) return true;
    return false;
}

// Columns of the approval row, copied out of SPI into the caller's memory.
struct ApprovalRow {
    bool found = false;
    int64_t id = 0;
    std::vector<std::string> rules, objects;
    char *approved_by = nullptr;
    char *approved_session_user = nullptr;
    char *reason = nullptr;
    int uses_left = 0;
    int uses_total = 0;
    bool unexpired = false;
    char *for_role = nullptr;      // nullptr: any role
    bool has_pairs = false;        // false: rules x objects
    std::vector<std::string> pairs;
    char *migration_id = nullptr;  // nullptr: any migration
    char *issued_on = nullptr;     // nullptr: issued before approvals were bound to a database
};

// One approval row by token hash ($1 is the token) or by id ($1 is the id as text).
ApprovalRow read_approval(const char *where, const std::string &key, bool for_update) {
    ApprovalRow row;
    // FOR UPDATE holds the row until the spending transaction ends: a use is spent once.
    const std::string query =
        std::string("SELECT id, rules, objects, approved_by::text, "
                    "approved_session_user::text, reason, uses_left, valid_until > clock_timestamp(), for_role::text, "
                    "pairs, migration_id, uses_total, issued_on "
                    "FROM migration_guard.approval WHERE ") + where + (for_update ? " FOR UPDATE" : "");
    as_guard_owner([&](MemoryContext outer) {
        Oid types[1] = {TEXTOID};
        Datum args[1] = {CStringGetTextDatum(key.c_str())};
        const int rc = SPI_execute_with_args(query.c_str(), 1, types, args, nullptr, false, 1);
        if (rc != SPI_OK_SELECT) elog(ERROR, "migration_guard: approval lookup failed (%d)", rc);
        if (SPI_processed != 1) return;
        HeapTuple tuple = SPI_tuptable->vals[0];
        TupleDesc desc = SPI_tuptable->tupdesc;
        bool isnull;
        row.found = true;
        row.id = DatumGetInt64(SPI_getbinval(tuple, desc, 1, &isnull));
        row.rules = text_array_strings(SPI_getbinval(tuple, desc, 2, &isnull));
        row.objects = text_array_strings(SPI_getbinval(tuple, desc, 3, &isnull));
        row.approved_by = MemoryContextStrdup(outer, SPI_getvalue(tuple, desc, 4));
        row.approved_session_user = MemoryContextStrdup(outer, SPI_getvalue(tuple, desc, 5));
        row.reason = MemoryContextStrdup(outer, SPI_getvalue(tuple, desc, 6));
        row.uses_left = DatumGetInt32(SPI_getbinval(tuple, desc, 7, &isnull));
        row.unexpired = DatumGetBool(SPI_getbinval(tuple, desc, 8, &isnull));
        if (char *bound = SPI_getvalue(tuple, desc, 9)) row.for_role = MemoryContextStrdup(outer, bound);
        const Datum pairs = SPI_getbinval(tuple, desc, 10, &isnull);
        if (!isnull) {
            row.has_pairs = true;
            row.pairs = text_array_strings(pairs);
        }
        if (char *migration = SPI_getvalue(tuple, desc, 11)) row.migration_id = MemoryContextStrdup(outer, migration);
        row.uses_total = DatumGetInt32(SPI_getbinval(tuple, desc, 12, &isnull));
        if (char *node = SPI_getvalue(tuple, desc, 13)) row.issued_on = MemoryContextStrdup(outer, node);
    });
    return row;
}

ApprovalRow approval_by_token(const std::string &token, bool for_update) {
    return read_approval("token_hash = encode(sha256(convert_to($1, 'UTF8')), 'hex')", token, for_update);
}

ApprovalRow approval_by_id(int64_t id, bool for_update) {
    return read_approval("id = $1::bigint", std::to_string(id), for_update);
}

// Active approvals bound to the role this session logged in as, oldest first: they apply
// without a token.
std::vector<int64_t> role_bound_approvals() {
    std::vector<int64_t> ids;
    const std::string role = session_role_name();
    as_guard_owner([&](MemoryContext) {
        Oid types[1] = {TEXTOID};
        Datum args[1] = {CStringGetTextDatum(role.c_str())};
        const int rc = SPI_execute_with_args(
            "SELECT id FROM migration_guard.approval WHERE for_role = $1::name AND uses_left > 0 "
            "AND valid_until > clock_timestamp() ORDER BY id LIMIT 100",
            1, types, args, nullptr, true, 0);
        if (rc != SPI_OK_SELECT) elog(ERROR, "migration_guard: approval lookup failed (%d)", rc);
        for (uint64 i = 0; i < SPI_processed; i++) {
            bool isnull;
            ids.push_back(DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull)));
        }
    });
    return ids;
}

int spend_use(int64_t id, const std::string &command_tag, const std::string &statement,
              const std::vector<Finding> &blocked) {
    std::vector<std::string> rule_list, object_list;
    for (const auto &f : blocked) {
        if (std::find(rule_list.begin(), rule_list.end(), f.rule) == rule_list.end()) rule_list.push_back(f.rule);
        if (std::find(object_list.begin(), object_list.end(), f.object) == object_list.end())
            object_list.push_back(f.object);
    }
    const std::string user = current_role_name(), session = session_role_name();
    int uses_left = 0;
    as_guard_owner([&](MemoryContext) {
        Oid update_types[1] = {INT8OID};
        Datum update_args[1] = {Int64GetDatum(id)};
        int rc = SPI_execute_with_args(
            "UPDATE migration_guard.approval SET uses_left = uses_left - 1 WHERE id = $1 AND uses_left > 0 "
            "RETURNING uses_left",
            1, update_types, update_args, nullptr, false, 1);
        if (rc != SPI_OK_UPDATE_RETURNING || SPI_processed != 1)
            elog(ERROR, "migration_guard: approval %ld has no use left", static_cast<long>(id));
        bool isnull;
        uses_left = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));

        Oid types[7] = {INT8OID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTARRAYOID, TEXTARRAYOID};
        Datum args[7] = {Int64GetDatum(id),
                         CStringGetTextDatum(user.c_str()),
                         CStringGetTextDatum(session.c_str()),
                         CStringGetTextDatum(command_tag.c_str()),
                         CStringGetTextDatum(statement.c_str()),
                         text_array_datum(rule_list),
                         text_array_datum(object_list)};
        rc = SPI_execute_with_args(
            "INSERT INTO migration_guard.approval_use (approval_id, used_by, session_user_name, command_tag, "
            "statement, rules, objects, backend_pid, xid) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, "
            "pg_backend_pid(), pg_current_xact_id())",
            7, types, args, nullptr, false, 0);
        if (rc != SPI_OK_INSERT) elog(ERROR, "migration_guard: recording the approval use failed (%d)", rc);
    });
    return uses_left;
}

}  // namespace

namespace {

// Why this approval does not let `blocked` through now; empty when it does.
std::string refusal_of(const ApprovalRow &row, const std::vector<Finding> &blocked, int64_t spent_id) {
    const std::string id = "#" + std::to_string(row.id);
    if (row.issued_on && this_database() != row.issued_on)
        return "Approval " + id + " was issued for another database (this one is a copy, a restore or a replica of "
               "it, or it was promoted since): an approval counts only where it was issued; approve the change here.";
    if (!row.unexpired) return "Approval " + id + " has expired.";
    // A token bound to a role is worthless to anyone who reads it (pg_stat_activity shows a SET
    // to every member of the presenting role): only a session that logged in as that role may
    // present it; a member that SET ROLEs to it has not.
    if (row.for_role && session_role_name() != row.for_role)
        return "Approval " + id + " is for sessions of role " + std::string(row.for_role) +
               "; this session logged in as " + session_role_name() + ".";
    if (row.uses_left <= 0 && row.id != spent_id)
        return "Approval " + id + " has no use left: its " + std::to_string(row.uses_total) +
               (row.uses_total == 1 ? " use was" : " uses were") +
               " spent by earlier statements (a use spent in a transaction that rolls back is given back). " +
               "A migration of several statements needs one use per statement: approve it as a whole with " +
               "migration_guard.approve_migration(<its text>, '<why>').";
    if (row.migration_id && std::string(effective_migration_id()) != row.migration_id)
        return "Approval " + id + " is for migration " + std::string(row.migration_id) + "; this session's " +
               "migration is " + (effective_migration_id()[0] ? std::string(effective_migration_id()) : std::string("not set")) +
               " (migration_guard.migration_id, or the migration tool's bookkeeping).";
    if (row.has_pairs) {
        // A whole-migration approval covers exactly what its migration needed.
        const std::vector<std::string> &pairs = row.pairs;
        for (const Finding &f : blocked) {
            if (std::find(pairs.begin(), pairs.end(), approval_pair(f.rule, f.object)) != pairs.end()) continue;
            std::string approved;
            for (const auto &p : pairs) {
                const size_t colon = p.find(':');
                approved += (approved.empty() ? "" : "; ") + p.substr(0, colon) + " on " + p.substr(colon + 1);
            }
            return "Approval " + id + " was issued for " + approved + "; it does not cover " + f.rule + " on " +
                   f.object + ": this is not what was approved.";
        }
    } else {
        const ApprovalScope scope{row.rules, row.objects};
        for (const Finding &f : blocked)
            if (!scope.covers(f.rule, f.object)) return "Approval " + id + " does not cover " + f.rule + " on " + f.object + ".";
    }
    if (require_distinct_approver()) {
        const std::string user = current_role_name(), session = session_role_name();
        if (user == row.approved_by || session == row.approved_by || user == row.approved_session_user ||
            session == row.approved_session_user)
            return "Approval " + id + " was issued by " + row.approved_by +
                   ", who is also running this statement; migration_guard.require_distinct_approver is on.";
    }
    return {};
}

ApprovalOutcome approved_by(const ApprovalRow &row, const std::vector<Finding> &blocked, const std::string &command_tag,
                            const std::string &statement, int64_t spent_id, bool spend) {
    ApprovalOutcome out;
    out.id = row.id;
    out.approved_by = row.approved_by;
    out.reason = row.reason;
    out.uses_left = row.uses_left;
    if (spend && row.id != spent_id) out.uses_left = spend_use(row.id, command_tag, statement, blocked);
    out.approved = true;
    return out;
}

}  // namespace

ApprovalOutcome use_approval(const std::vector<Finding> &blocked, const std::string &command_tag,
                             const std::string &statement, int64_t spent_id, bool spend) {
    ApprovalOutcome out;
    const std::string token = approval_token();
    if (!token.empty()) {
        const ApprovalRow row = approval_by_token(token, spend);
        if (!row.found) {
            out.refusal = "The approval presented in migration_guard.approval is not known to this database.";
        } else {
            out.refusal = refusal_of(row, blocked, spent_id);
            if (out.refusal.empty()) return approved_by(row, blocked, command_tag, statement, spent_id, spend);
            out.id = row.id;
            out.approved_by = row.approved_by;
            out.reason = row.reason;
            out.uses_left = row.uses_left;
        }
    }
    // An approval bound to this session's role applies without a token: the one already spent
    // by this statement first, then the oldest that covers it. Checked unlocked, then locked.
    std::vector<int64_t> candidates = role_bound_approvals();
    if (spent_id) candidates.insert(candidates.begin(), spent_id);
    for (const int64_t id : candidates) {
        if (!refusal_of(approval_by_id(id, false), blocked, spent_id).empty()) continue;
        const ApprovalRow row = approval_by_id(id, spend);
        if (row.found && refusal_of(row, blocked, spent_id).empty())
            return approved_by(row, blocked, command_tag, statement, spent_id, spend);
    }
    if (token.empty())
        out.refusal = "No approval covers it: none was presented (migration_guard.approval is empty) and no approval "
                      "for role " + session_role_name() + " covers it.";
    return out;
}

}  // namespace mg::server

namespace mg::server {

bool may_issue_approvals() {
    bool may = false;
    pg_call([&] {
        const Oid caller = GetUserId();
        const Oid approver_role = get_role_oid("migration_guard_approver", true);
        may = superuser_arg(caller) || (OidIsValid(approver_role) && has_privs_of_role(caller, approver_role));
    });
    return may;
}

void refuse_non_approver(const std::string &what) {
    if (may_issue_approvals()) return;
    throw UserError(MG_ERRCODE_NOT_APPROVER,
                    "permission denied to approve schema changes: role " + current_role_name() +
                        " is not an approver",
                    "Only superusers and members of the role migration_guard_approver may " + what +
                        "; an approval is a person's decision after reviewing the change.",
                    "Ask a person with the migration_guard_approver role to review it and run the call; then run the "
                    "migration again, unchanged. A superuser grants the role with: GRANT migration_guard_approver TO <role>;");
}

std::string issue_approval(const ApprovalRequest &req, int64_t *approval_id) {
    // Who may approve, and whether for_role names a role: PostgreSQL look-ups, first.
    refuse_non_approver("issue approvals");
    bool for_role_exists = true;
    Oid caller = InvalidOid;
    pg_call([&] {
        caller = GetUserId();
        if (!req.for_role.empty()) for_role_exists = OidIsValid(get_role_oid(req.for_role.c_str(), true));
    });
    const auto blank = [](const std::string &s) { return s.find_first_not_of(" \t\r\n") == std::string::npos; };
    if (blank(req.reason))
        throw UserError(MG_ERRCODE_BAD_APPROVAL, "an approval needs a reason",
                        "The reason is recorded with the approval and shown in migration_guard.approvals.",
                        "Say why this change is intended, e.g. 'retire the legacy email column, ticket 123'.");
    if (req.rules.empty() || req.objects.empty())
        throw UserError(MG_ERRCODE_BAD_APPROVAL, "an approval needs at least one rule id and one object pattern",
                        "", "Example: approve(ARRAY['drop-column'], ARRAY['public.users.email'], 'why')");
    for (const auto &rule : req.rules) {
        if (rule == "*" || find_rule(rule)) continue;
        throw UserError(MG_ERRCODE_BAD_APPROVAL, "unknown rule id \"" + rule + "\"", "",
                        "SELECT rule FROM migration_guard.rules() lists the rule ids; '*' approves any rule.");
    }
    // A pattern is one name: a control character in it is a mistake or an attempt to smuggle a second.
    for (const auto &item : req.pairs.empty() ? req.objects : std::vector<std::string>{})
        if (has_control_character(item))
            throw UserError(MG_ERRCODE_BAD_APPROVAL, "an object pattern contains a control character (such as a newline)",
                            "Each element of the objects array is one pattern.",
                            "Approve a name that holds control characters with migration_guard.approve_migration() over the statement.");
    for (const auto &rule : req.rules)
        if (has_control_character(rule)) throw UserError(MG_ERRCODE_BAD_APPROVAL, "a rule id contains a control character");
    for (const auto &object : req.objects)
        if (blank(object))
            throw UserError(MG_ERRCODE_BAD_APPROVAL, "an object pattern is empty", "",
                            "Use schema-qualified names such as public.users or public.users.*");
    if (req.uses < 1) throw UserError(MG_ERRCODE_BAD_APPROVAL, "uses must be at least 1");
    if (!for_role_exists)
        throw UserError(MG_ERRCODE_BAD_APPROVAL, "role \"" + req.for_role + "\" does not exist",
                        "for_role names the role that may present the approval.");
    const double micros = req.valid_for.month * 30.0 * USECS_PER_DAY + req.valid_for.day * 1.0 * USECS_PER_DAY +
                          static_cast<double>(req.valid_for.time);
    if (micros <= 0) throw UserError(MG_ERRCODE_BAD_APPROVAL, "valid_for must be a positive interval");

    // The token is shown once, here; only its hash is stored.
    char token[4 + 32 + 1] = "mga_";
    bool random_ok = false;
    pg_call([&] {
        uint8 bytes[16];
        random_ok = pg_strong_random(bytes, sizeof bytes);
        for (int i = 0; i < 16; i++) snprintf(token + 4 + 2 * i, 3, "%02x", bytes[i]);
    });
    if (!random_ok) throw UserError(ERRCODE_INTERNAL_ERROR, "could not generate a random approval token");

    const std::string approver = role_name(caller), session = session_role_name();
    const std::string node = this_database();
    const bool tokenless = req.request_id != 0;
    int64_t new_id = 0;
    as_guard_owner([&](MemoryContext) {
        constexpr int n = 13;
        Oid types[n] = {TEXTOID, TEXTARRAYOID, TEXTARRAYOID, TEXTOID, TEXTOID, TEXTOID, INT4OID, INTERVALOID, TEXTOID,
                        TEXTARRAYOID, TEXTOID, TEXTOID, INT8OID};
        Interval *valid_for = static_cast<Interval *>(palloc(sizeof(Interval)));
        *valid_for = req.valid_for;
        Datum args[n] = {CStringGetTextDatum(token),
                         text_array_datum(req.rules),
                         text_array_datum(req.objects),
                         CStringGetTextDatum(req.reason.c_str()),
                         CStringGetTextDatum(approver.c_str()),
                         CStringGetTextDatum(session.c_str()),
                         Int32GetDatum(req.uses),
                         IntervalPGetDatum(valid_for),
                         req.for_role.empty() ? 0 : CStringGetTextDatum(req.for_role.c_str()),
                         req.pairs.empty() ? 0 : text_array_datum(req.pairs),
                         req.migration_id.empty() ? 0 : CStringGetTextDatum(req.migration_id.c_str()),
                         CStringGetTextDatum(node.c_str()),
                         Int64GetDatum(req.request_id)};
        const char nulls[n] = {tokenless ? 'n' : ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', req.for_role.empty() ? 'n' : ' ',
                               req.pairs.empty() ? 'n' : ' ', req.migration_id.empty() ? 'n' : ' ', ' ',
                               tokenless ? ' ' : 'n'};
        const int rc = SPI_execute_with_args(
            "INSERT INTO migration_guard.approval (token_hash, rules, objects, reason, approved_by, "
            "approved_session_user, uses_total, uses_left, valid_until, for_role, pairs, migration_id, issued_on, "
            "request_id) "
            "VALUES (encode(sha256(convert_to($1, 'UTF8')), 'hex'), $2, $3, $4, $5, $6, $7, $7, "
            "clock_timestamp() + $8, $9, $10, $11, $12, $13) RETURNING id",
            n, types, args, nulls, false, 0);
        if (rc != SPI_OK_INSERT_RETURNING || SPI_processed != 1)
            elog(ERROR, "migration_guard: storing the approval failed (%d)", rc);
        bool isnull;
        new_id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
    });
    if (approval_id) *approval_id = new_id;
    if (tokenless) return {};
    return token;
}

}  // namespace mg::server

// approve(rules text[], objects text[], reason text, uses int, valid_for interval, for_role name) RETURNS text
MG_SQL_FUNCTION(migration_guard_approve) {
    mg::server::refuse_unusable("migration_guard.approve()");
    using namespace mg;
    using namespace mg::server;

    // Read as PostgreSQL lists and C strings; copied into C++ containers once pg_call is done.
    List *arrays[2] = {NIL, NIL};
    const char *reason_text = "";
    const char *for_role = nullptr;
    bool missing = false;
    ApprovalRequest req;
    pg_call([&] {
        for (int i = 0; i < 5; i++) missing = missing || PG_ARGISNULL(i);
        if (missing) return;
        for (int arg = 0; arg < 2; arg++) {
            Datum *elems;
            bool *nulls;
            int n;
            deconstruct_array(PG_GETARG_ARRAYTYPE_P(arg), TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
            for (int i = 0; i < n; i++)
                arrays[arg] = lappend(arrays[arg], nulls[i] ? pstrdup("") : TextDatumGetCString(elems[i]));
        }
        reason_text = TextDatumGetCString(PG_GETARG_DATUM(2));
        if (PG_NARGS() > 5 && !PG_ARGISNULL(5)) for_role = pstrdup(NameStr(*PG_GETARG_NAME(5)));
        req.uses = PG_GETARG_INT32(3);
        req.valid_for = *PG_GETARG_INTERVAL_P(4);
    });
    if (missing)
        throw UserError(MG_ERRCODE_BAD_APPROVAL, "approve() needs rules, objects, a reason, uses and valid_for",
                        "None of the arguments may be NULL.");
    ListCell *lc;
    foreach (lc, arrays[0]) req.rules.emplace_back(static_cast<const char *>(lfirst(lc)));
    foreach (lc, arrays[1]) req.objects.emplace_back(static_cast<const char *>(lfirst(lc)));
    req.reason = reason_text;
    if (for_role) req.for_role = for_role;
    const std::string token = issue_approval(req);
    text *result = nullptr;
    pg_call([&] { result = cstring_to_text(token.c_str()); });
    PG_RETURN_TEXT_P(result);
}
