#include "server/approvals/approvals.hpp"

#include <algorithm>
#include <sstream>

#include "engine/approval_scope.hpp"
#include "engine/rule_catalog.hpp"
#include "server/guard_owner.hpp"
#include "server/role_names.hpp"
#include "server/settings.hpp"
#include "server/sqlstate.hpp"

extern "C" {
#include "common/hashfn.h"
#include "port.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/timestamp.h"
}

namespace mg::server {

namespace {

std::vector<std::string> lines_of(const char *text) {
    std::vector<std::string> out;
    if (!text) return out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

// Columns of the approval row, copied out of SPI into the caller's memory.
struct ApprovalRow {
    bool found = false;
    int64_t id = 0;
    char *rules = nullptr;
    char *objects = nullptr;
    char *approved_by = nullptr;
    char *approved_session_user = nullptr;
    char *reason = nullptr;
    int uses_left = 0;
    bool unexpired = false;
    char *for_role = nullptr;  // nullptr: any role
};

ApprovalRow read_approval(const std::string &token, bool for_update) {
    ApprovalRow row;
    // FOR UPDATE holds the row until the spending transaction ends: a use is spent once.
    const std::string query =
        std::string("SELECT id, array_to_string(rules, E'\\n'), array_to_string(objects, E'\\n'), approved_by::text, "
                    "approved_session_user::text, reason, uses_left, valid_until > clock_timestamp(), for_role::text "
                    "FROM migration_guard.approval WHERE token_hash = encode(sha256(convert_to($1, 'UTF8')), 'hex')") +
        (for_update ? " FOR UPDATE" : "");
    as_guard_owner([&](MemoryContext outer) {
        Oid types[1] = {TEXTOID};
        Datum args[1] = {CStringGetTextDatum(token.c_str())};
        const int rc = SPI_execute_with_args(query.c_str(), 1, types, args, nullptr, false, 1);
        if (rc != SPI_OK_SELECT) elog(ERROR, "migration_guard: approval lookup failed (%d)", rc);
        if (SPI_processed != 1) return;
        HeapTuple tuple = SPI_tuptable->vals[0];
        TupleDesc desc = SPI_tuptable->tupdesc;
        bool isnull;
        row.found = true;
        row.id = DatumGetInt64(SPI_getbinval(tuple, desc, 1, &isnull));
        row.rules = MemoryContextStrdup(outer, SPI_getvalue(tuple, desc, 2));
        row.objects = MemoryContextStrdup(outer, SPI_getvalue(tuple, desc, 3));
        row.approved_by = MemoryContextStrdup(outer, SPI_getvalue(tuple, desc, 4));
        row.approved_session_user = MemoryContextStrdup(outer, SPI_getvalue(tuple, desc, 5));
        row.reason = MemoryContextStrdup(outer, SPI_getvalue(tuple, desc, 6));
        row.uses_left = DatumGetInt32(SPI_getbinval(tuple, desc, 7, &isnull));
        row.unexpired = DatumGetBool(SPI_getbinval(tuple, desc, 8, &isnull));
        if (char *bound = SPI_getvalue(tuple, desc, 9)) row.for_role = MemoryContextStrdup(outer, bound);
    });
    return row;
}

int spend_use(int64_t id, const std::string &command_tag, const std::string &statement,
              const std::vector<Finding> &blocked) {
    std::vector<std::string> rule_list, object_list;
    for (const auto &f : blocked) {
        if (std::find(rule_list.begin(), rule_list.end(), f.rule) == rule_list.end()) rule_list.push_back(f.rule);
        if (std::find(object_list.begin(), object_list.end(), f.object) == object_list.end())
            object_list.push_back(f.object);
    }
    std::string rules, objects;
    for (const auto &r : rule_list) rules += (rules.empty() ? "" : "\n") + r;
    for (const auto &o : object_list) objects += (objects.empty() ? "" : "\n") + o;
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

        Oid types[7] = {INT8OID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID};
        Datum args[7] = {Int64GetDatum(id),
                         CStringGetTextDatum(user.c_str()),
                         CStringGetTextDatum(session.c_str()),
                         CStringGetTextDatum(command_tag.c_str()),
                         CStringGetTextDatum(statement.c_str()),
                         CStringGetTextDatum(rules.c_str()),
                         CStringGetTextDatum(objects.c_str())};
        rc = SPI_execute_with_args(
            "INSERT INTO migration_guard.approval_use (approval_id, used_by, session_user_name, command_tag, "
            "statement, rules, objects, backend_pid, xid) "
            "VALUES ($1, $2, $3, $4, $5, string_to_array($6, E'\\n'), string_to_array($7, E'\\n'), "
            "pg_backend_pid(), pg_current_xact_id())",
            7, types, args, nullptr, false, 0);
        if (rc != SPI_OK_INSERT) elog(ERROR, "migration_guard: recording the approval use failed (%d)", rc);
    });
    return uses_left;
}

}  // namespace

ApprovalOutcome use_approval(const std::vector<Finding> &blocked, const std::string &command_tag,
                             const std::string &statement, int64_t spent_id, bool spend) {
    ApprovalOutcome out;
    const std::string token = approval_token();
    if (token.empty()) {
        out.refusal = "No approval was presented (migration_guard.approval is empty).";
        return out;
    }
    const ApprovalRow row = read_approval(token, spend);
    if (!row.found) {
        out.refusal = "The approval presented in migration_guard.approval is not known to this database.";
        return out;
    }
    out.id = row.id;
    out.approved_by = row.approved_by;
    out.reason = row.reason;
    out.uses_left = row.uses_left;
    const std::string id = "#" + std::to_string(row.id);
    if (!row.unexpired) {
        out.refusal = "Approval " + id + " has expired.";
        return out;
    }
    // A token bound to a role is worthless to anyone who reads it (pg_stat_activity shows a SET
    // to every member of the presenting role): only a session that logged in as that role may
    // present it; a member that SET ROLEs to it has not.
    if (row.for_role && session_role_name() != row.for_role) {
        out.refusal = "Approval " + id + " is for sessions of role " + std::string(row.for_role) +
                      "; this session logged in as " + session_role_name() + ".";
        return out;
    }
    if (row.uses_left <= 0 && row.id != spent_id) {
        out.refusal = "Approval " + id + " has no use left.";
        return out;
    }
    const ApprovalScope scope{lines_of(row.rules), lines_of(row.objects)};
    for (const Finding &f : blocked) {
        if (!scope.covers(f.rule, f.object)) {
            out.refusal = "Approval " + id + " does not cover " + f.rule + " on " + f.object + ".";
            return out;
        }
    }
    if (require_distinct_approver()) {
        const std::string user = current_role_name(), session = session_role_name();
        if (user == row.approved_by || session == row.approved_by || user == row.approved_session_user ||
            session == row.approved_session_user) {
            out.refusal = "Approval " + id + " was issued by " + row.approved_by +
                          ", who is also running this statement; migration_guard.require_distinct_approver is on.";
            return out;
        }
    }
    if (spend && row.id != spent_id) out.uses_left = spend_use(row.id, command_tag, statement, blocked);
    out.approved = true;
    return out;
}

}  // namespace mg::server

// approve(rules text[], objects text[], reason text, uses int, valid_for interval, for_role name) RETURNS text
MG_SQL_FUNCTION(migration_guard_approve) {
    using namespace mg;
    using namespace mg::server;

    // Read as PostgreSQL lists and C strings; copied into C++ containers once pg_call is done.
    List *arrays[2] = {NIL, NIL};
    const char *reason_text = "";
    int uses = 1;
    bool valid_for_positive = false, missing = false;
    Oid caller = InvalidOid;
    bool may_approve = false;
    const char *for_role = nullptr;  // nullptr: any role
    bool for_role_exists = true;
    pg_call([&] {
        caller = GetUserId();
        const Oid approver_role = get_role_oid("migration_guard_approver", true);
        may_approve = superuser_arg(caller) || (OidIsValid(approver_role) && has_privs_of_role(caller, approver_role));
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
        if (PG_NARGS() > 5 && !PG_ARGISNULL(5)) {
            for_role = pstrdup(NameStr(*PG_GETARG_NAME(5)));
            for_role_exists = OidIsValid(get_role_oid(for_role, true));
        }
        uses = PG_GETARG_INT32(3);
        Interval *valid_for = PG_GETARG_INTERVAL_P(4);
        const double micros = valid_for->month * 30.0 * USECS_PER_DAY + valid_for->day * 1.0 * USECS_PER_DAY +
                              static_cast<double>(valid_for->time);
        valid_for_positive = micros > 0;
    });
    std::vector<std::string> rules, objects;
    ListCell *lc;
    foreach (lc, arrays[0]) rules.emplace_back(static_cast<const char *>(lfirst(lc)));
    foreach (lc, arrays[1]) objects.emplace_back(static_cast<const char *>(lfirst(lc)));
    const std::string reason = reason_text;

    if (!may_approve)
        throw UserError(MG_ERRCODE_NOT_APPROVER, "permission denied to approve schema changes",
                        "Only superusers and members of the role migration_guard_approver may issue approvals.",
                        "A superuser can run: GRANT migration_guard_approver TO <role>;");
    if (missing)
        throw UserError(MG_ERRCODE_BAD_APPROVAL, "approve() needs rules, objects, a reason, uses and valid_for",
                        "None of the arguments may be NULL.");
    const auto blank = [](const std::string &s) { return s.find_first_not_of(" \t\r\n") == std::string::npos; };
    if (blank(reason))
        throw UserError(MG_ERRCODE_BAD_APPROVAL, "an approval needs a reason",
                        "The reason is recorded with the approval and shown in migration_guard.approvals.",
                        "Say why this change is intended, e.g. 'retire the legacy email column, ticket 123'.");
    if (rules.empty() || objects.empty())
        throw UserError(MG_ERRCODE_BAD_APPROVAL, "an approval needs at least one rule id and one object pattern",
                        "", "Example: approve(ARRAY['drop-column'], ARRAY['public.users.email'], 'why')");
    for (const auto &rule : rules) {
        if (rule == "*" || find_rule(rule)) continue;
        throw UserError(MG_ERRCODE_BAD_APPROVAL, "unknown rule id \"" + rule + "\"", "",
                        "SELECT rule FROM migration_guard.rules() lists the rule ids; '*' approves any rule.");
    }
    for (const auto &object : objects)
        if (blank(object))
            throw UserError(MG_ERRCODE_BAD_APPROVAL, "an object pattern is empty", "",
                            "Use schema-qualified names such as public.users or public.users.*");
    if (uses < 1) throw UserError(MG_ERRCODE_BAD_APPROVAL, "uses must be at least 1");
    if (!for_role_exists)
        throw UserError(MG_ERRCODE_BAD_APPROVAL, "role \"" + std::string(for_role) + "\" does not exist",
                        "for_role names the role that may present the approval.");
    if (!valid_for_positive) throw UserError(MG_ERRCODE_BAD_APPROVAL, "valid_for must be a positive interval");

    // The token is shown once, here; only its hash is stored.
    char token[4 + 32 + 1] = "mga_";
    bool random_ok = false;
    pg_call([&] {
        uint8 bytes[16];
        random_ok = pg_strong_random(bytes, sizeof bytes);
        for (int i = 0; i < 16; i++) snprintf(token + 4 + 2 * i, 3, "%02x", bytes[i]);
    });
    if (!random_ok) throw UserError(ERRCODE_INTERNAL_ERROR, "could not generate a random approval token");

    std::string rules_text, objects_text;
    for (const auto &r : rules) rules_text += (rules_text.empty() ? "" : "\n") + r;
    for (const auto &o : objects) objects_text += (objects_text.empty() ? "" : "\n") + o;
    const std::string approver = role_name(caller), session = session_role_name();
    as_guard_owner([&](MemoryContext) {
        Oid types[7] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, INT4OID};
        Datum args[7] = {CStringGetTextDatum(token),
                         CStringGetTextDatum(rules_text.c_str()),
                         CStringGetTextDatum(objects_text.c_str()),
                         CStringGetTextDatum(reason.c_str()),
                         CStringGetTextDatum(approver.c_str()),
                         CStringGetTextDatum(session.c_str()),
                         Int32GetDatum(uses)};
        Datum valid_for = PG_GETARG_DATUM(4);
        Oid all_types[9] = {types[0], types[1], types[2], types[3], types[4], types[5], types[6], INTERVALOID, TEXTOID};
        Datum all_args[9] = {args[0], args[1], args[2], args[3], args[4], args[5], args[6], valid_for,
                             for_role ? CStringGetTextDatum(for_role) : 0};
        const char nulls[9] = {' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', for_role ? ' ' : 'n'};
        const int rc = SPI_execute_with_args(
            "INSERT INTO migration_guard.approval (token_hash, rules, objects, reason, approved_by, "
            "approved_session_user, uses_total, uses_left, valid_until, for_role) "
            "VALUES (encode(sha256(convert_to($1, 'UTF8')), 'hex'), string_to_array($2, E'\\n'), "
            "string_to_array($3, E'\\n'), $4, $5, $6, $7, $7, clock_timestamp() + $8, $9)",
            9, all_types, all_args, nulls, false, 0);
        if (rc != SPI_OK_INSERT) elog(ERROR, "migration_guard: storing the approval failed (%d)", rc);
    });
    text *result = nullptr;
    pg_call([&] { result = cstring_to_text(token); });
    PG_RETURN_TEXT_P(result);
}
