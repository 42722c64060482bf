#include "server/enforcement/decision.hpp"

#include <algorithm>

#include "engine/approval_scope.hpp"
#include "engine/sql_literal.hpp"
#include "engine/node_names.hpp"
#include "engine/rule_catalog.hpp"
#include "engine/text_position.hpp"
#include "server/approvals/approvals.hpp"
#include "server/audit/audit.hpp"
#include "server/audit/migration_tools.hpp"
#include "server/audit/undo_sql.hpp"
#include "server/boundary.hpp"
#include "server/role_names.hpp"
#include "server/settings.hpp"
#include "server/enforcement/stake.hpp"
#include "server/enforcement/statement_text.hpp"
#include "server/sqlstate.hpp"

extern "C" {
#include "access/xact.h"
}

namespace mg::server {

bool blocks(const Finding &f) {
    if (f.rule == "ddl-outside-migration") return outside_migration() == OutsideMigration::Block;
    if (f.risk >= block_at()) return true;
    const RuleInfo *info = find_rule(f.rule);
    return additive_only() && info && info->changes_existing;
}

namespace {

std::string quoted_list(const std::vector<std::string> &items) {
    std::string out;
    for (const auto &i : items) out += std::string(out.empty() ? "" : ", ") + sql_literal(i);
    return out;
}

std::string approve_call(const std::vector<Finding> &blocked) {
    std::vector<std::string> rules, objects;
    for (const auto &f : blocked) {
        if (std::find(rules.begin(), rules.end(), f.rule) == rules.end()) rules.push_back(f.rule);
        const std::string pattern = literal_pattern(f.object);  // a `*` in a name matches only itself
        if (std::find(objects.begin(), objects.end(), pattern) == objects.end()) objects.push_back(pattern);
    }
    // Bound to the role the blocked session logged in as: a token read by someone else is of no
    // use to them.
    return "SELECT migration_guard.approve(ARRAY[" + quoted_list(rules) + "], ARRAY[" + quoted_list(objects) +
           "], '<why>', for_role => " + quoted_list({session_role_name()}) + ");";
}

std::string why_blocked(const Finding &f) {
    if (f.rule == "ddl-outside-migration") return f.rule + " (migration_guard.outside_migration is block)";
    if (f.risk >= block_at()) return f.rule + " (" + risk_name(f.risk) + ")";
    return f.rule + " (" + risk_name(f.risk) + ", not additive while migration_guard.additive_only is on)";
}

void report(int elevel, const std::string &raw_message, const std::string &raw_detail, const std::string &raw_hint) {
    const std::string message = escape_control(raw_message), detail = escape_control(raw_detail),
                      hint = escape_control(raw_hint);
    pg_call([&] {
        ereport(elevel, (errmsg("%s", message.c_str()), detail.empty() ? 0 : errdetail("%s", detail.c_str()),
                         hint.empty() ? 0 : errhint("%s", hint.c_str())));
    });
}

// Longer migrations are named, not quoted, in the message.
constexpr size_t kWholeMigrationShown = 1500;

// The one call that grants a blocked attempt's request.
std::string grant_call(int64_t request) {
    return "SELECT migration_guard.approve_request(" + std::to_string(request) + ", '<why>');";
}

[[noreturn]] void raise_block(const std::vector<Finding> &needed, const std::vector<Finding> &blocked,
                              const std::string &command_tag, const ApprovalOutcome &approval, int64_t request) {
    const Finding &first = blocked.front();
    const std::string stake = stake_of(first);
    // One approval must cover everything the statement needs (e.g. drop-schema at its start and
    // the tables it drops by cascade), so the suggested calls name all of it.
    const std::string call = approve_call(needed), grant = grant_call(request), role = session_role_name();

    // The first line stands alone (many migration tools print nothing else): what was blocked,
    // what is at stake, and the calls that let it through. Names come from the user: a newline
    // in one must not start a line of its own.
    std::string message =
        "migration_guard blocked " + command_tag + ": " + why_blocked(first) + " on " + escape_control(first.object);
    if (!stake.empty()) message += ", " + escape_control(stake);
    if (blocked.size() > 1) message += " (and " + std::to_string(blocked.size() - 1) + " more)";
    message += "; to approve: " + grant + " (request " + std::to_string(request) + ") or " + call +
               " then run it again";

    std::string detail;
    for (const auto &f : blocked) detail += (detail.empty() ? "" : "\n") + escape_control(f.message) + ".";
    if (!approval.refusal.empty()) detail += "\n" + approval.refusal;
    bool in_block = false;
    pg_call([&] { in_block = IsTransactionBlock(); });
    // Exactly what happened: a tool that runs each statement in a transaction of its own has
    // committed the migration's earlier statements.
    const std::string earlier = escape_control(earlier_commits_note());
    if (in_block)
        detail += "\nThe whole transaction is aborted: everything it did so far is rolled back" +
                  (earlier.empty() ? std::string(", nothing was changed.") : ". " + earlier);
    else if (!earlier.empty())
        detail += (current_statement().rows_affected.empty() ? "\nThe statement did not run. "
                                                             : "\nThe statement was rolled back. ") + earlier;
    else
        detail += current_statement().rows_affected.empty() ? "\nThe statement did not run; nothing was changed."
                                                            : "\nThe statement was rolled back: nothing was changed.";

    // A role that cannot approve (an agent, a migration runner) is told who can, not given a call
    // that reads as its next step.
    std::string hint = escape_control(first.hint) + ".\n";
    if (may_issue_approvals() && !require_distinct_approver())
        hint += "If it is intended, grant the request with " + grant + " and run it again, unchanged: the approval " +
                "is bound to role " + role + " and needs no token (a token from approve() also works: SET " +
                "migration_guard.approval = '<token>').";
    else
        hint += "This role cannot approve it: a person with the migration_guard_approver role must review it and run " +
                grant + " then run the migration again, unchanged (no token needed).";
    if (in_block)
        hint += " Later statements of this transaction have not been judged yet: approve a migration of several "
                "statements in one step with migration_guard.approve_migration(<its text>, '<why>', for_role => " +
                quoted_list({role}) + ").";
    // A migration that arrived as one query string (a tool sending a whole file): its exact call.
    const std::string whole = whole_query_text(current_statement().text);
    if (!whole.empty() && whole.size() <= kWholeMigrationShown)
        hint += "\nThis migration, as it was sent: " + approve_migration_call(whole, role, true);
    throw UserError(MG_ERRCODE_BLOCKED, message, detail, hint);
}

}  // namespace

std::string object_kind(const Finding &f) {
    if (!f.object_type.empty()) return f.object_type;
    static const char *const column_rules[] = {"drop-column", "change-column-type", "set-not-null", "drop-not-null",
                                               "rename-column", "add-not-null-column", "add-column-volatile-default"};
    for (const char *r : column_rules)
        if (f.rule == r) return "table column";
    if (f.rule == "drop-schema" || f.rule == "rename-schema") return "schema";
    if (f.rule == "drop-database") return "database";
    if (f.rule == "drop-role" || f.rule == "drop-owned") return "role";
    if (f.rule == "drop-tablespace") return "tablespace";
    if (f.rule == "alter-system") return "setting";
    if (f.rule == "drop-constraint" || f.rule == "add-foreign-key" || f.rule == "add-check-constraint" ||
        f.rule == "add-unique-constraint" || f.rule == "add-exclusion-constraint" || f.rule == "cascade-delete-change")
        return "table constraint";
    if (f.rule == "drop-index" || f.rule == "reindex-blocking") return "index";
    if (f.rule == "drop-view") return "view";
    if (f.rule == "drop-function") return "function";
    if (f.rule == "drop-sequence") return "sequence";
    if (f.rule == "drop-type" || f.rule == "rename-enum-value") return "type";
    if (f.rule == "drop-trigger" || f.rule == "disable-trigger") return "trigger";
    if (f.rule == "weaken-guard") return "guard";
    return "table";
}

Preview preview(const std::vector<Finding> &findings, const std::string &command_tag, const std::string &statement) {
    Preview p;
    if (mode() != Mode::Enforce) return p;
    std::vector<Finding> blocked;
    for (const auto &f : findings)
        if (blocks(f)) blocked.push_back(f);
    if (blocked.empty()) return p;
    p.would_block = true;
    p.approve_call = approve_call(blocked);
    const ApprovalOutcome approval = use_approval(blocked, command_tag, statement, 0, false);
    p.covered = approval.approved;
    p.approval_id = approval.approved ? approval.id : 0;
    p.refusal = approval.refusal;
    return p;
}

const char *decision_name(Decision d) {
    switch (d) {
        case Decision::Allowed: return "allowed";
        case Decision::Warned: return "warned";
        case Decision::Approved: return "approved";
        case Decision::Blocked: return "blocked";
    }
    return "allowed";
}


AuditRow statement_audit_row(const std::string &object_type, const std::string &object_identity) {
    StatementState &st = current_statement();
    AuditRow r;
    r.command_tag = st.command_tag;
    r.object_type = object_type;
    r.object_identity = object_identity;
    r.statement = st.text;
    r.rules = st.rules;
    r.risk = st.risk;
    r.decision = decision_name(st.decision);
    r.approval_id = st.spent_approval;
    if (const auto it = st.rows_affected.find(object_identity); it != st.rows_affected.end()) r.rows_affected = it->second;
    // The statement's compensating SQL goes with its first row only: undo_script() reads it once.
    if (!st.undo_written && !st.undo.empty() && st.decision != Decision::Blocked) {
        r.undo_sql = render_undo(st.undo, st.keep.kept, st.text);
        st.undo_written = true;
    }
    return r;
}

namespace {

void note(const Judgement &j) {
    StatementState &st = current_statement();
    st.judged_any = true;
    st.risk = max_risk(st.risk, j.risk);
    if (j.decision > st.decision) st.decision = j.decision;
    for (const auto &f : j.findings) {
        if (std::find(st.rules.begin(), st.rules.end(), f.rule) == st.rules.end()) st.rules.push_back(f.rule);
        st.findings.push_back(f);
    }
}

// A blocked attempt aborts its transaction: its rows go to the audit log through a worker, as
// the request `request`.
void audit_blocked(const std::vector<Finding> &blocked, const std::string &command_tag, int64_t approval_id,
                   int64_t request) {
    std::vector<AuditRow> rows;
    for (const Finding &f : blocked) {
        AuditRow r;
        r.command_tag = command_tag;
        r.object_type = object_kind(f);
        r.object_identity = f.object;
        r.statement = current_statement().text;
        r.rules = {f.rule};
        r.risk = f.risk;
        r.decision = "blocked";
        r.approval_id = approval_id;
        r.request_id = request;
        const auto &affected = current_statement().rows_affected;
        if (const auto it = affected.find(f.object); it != affected.end()) r.rows_affected = it->second;
        rows.push_back(std::move(r));
    }
    record_blocked(rows);
}

}  // namespace

Judgement judge(std::vector<Finding> findings, const std::string &command_tag) {
    Judgement j = judge_quietly(std::move(findings), command_tag);
    note(j);
    return j;
}

Judgement judge_quietly(std::vector<Finding> findings, const std::string &command_tag) {
    Judgement j;
    for (const auto &f : findings) {
        j.risk = max_risk(j.risk, f.risk);
        current_statement().judged.insert(f.rule + " " + f.object);
    }
    j.findings = std::move(findings);
    const Mode m = mode();
    if (m == Mode::Off || m == Mode::Audit || j.findings.empty()) return j;

    std::vector<Finding> blocked;
    for (const auto &f : j.findings)
        if (blocks(f)) blocked.push_back(f);

    if (m == Mode::Warn) {
        for (const auto &f : j.findings) {
            if (blocks(f)) {
                j.decision = Decision::Warned;
                report(WARNING, "migration_guard would block " + command_tag + ": " + why_blocked(f) + " on " + f.object,
                       f.message + ".", f.hint + ".");
            } else if (f.risk >= Risk::Medium) {
                report(NOTICE, "migration_guard: " + f.rule + " (" + risk_name(f.risk) + ") on " + f.object,
                       f.message + ".", f.hint + ".");
            }
        }
        return j;
    }

    for (const auto &f : j.findings)
        if (f.rule == "ddl-outside-migration" && outside_migration() == OutsideMigration::Warn) {
            j.decision = Decision::Warned;
            report(WARNING, "migration_guard: " + command_tag + " outside any migration", f.message + ".", f.hint + ".");
        }
    if (blocked.empty()) return j;
    const ApprovalOutcome approval = use_approval(blocked, command_tag, current_statement().text, current_statement().spent_approval);
    if (!approval.approved) {
        std::vector<Finding> needed = current_statement().blocking;
        needed.insert(needed.end(), blocked.begin(), blocked.end());
        const int64_t request = request_id_for(needed);
        audit_blocked(blocked, command_tag, approval.id, request);
        raise_block(needed, blocked, command_tag, approval, request);
    }
    const bool newly_spent = current_statement().spent_approval != approval.id;
    current_statement().spent_approval = approval.id;
    current_statement().blocking.insert(current_statement().blocking.end(), blocked.begin(), blocked.end());
    j.decision = Decision::Approved;
    j.approval_id = approval.id;
    if (!newly_spent) return j;  // the statement's approval, already announced
    std::string what;
    for (const auto &f : blocked) what += (what.empty() ? "" : ", ") + f.rule + " on " + f.object;
    report(NOTICE,
           "migration_guard: " + command_tag + " approved by approval #" + std::to_string(approval.id) + " (" +
               approval.approved_by + ": " + approval.reason + "), " + std::to_string(approval.uses_left) +
               (approval.uses_left == 1 ? " use" : " uses") + " left",
           "Approved: " + what + ".", "");
    return j;
}

}  // namespace mg::server
