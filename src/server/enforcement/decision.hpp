// From findings to what happens: pass, notice, warning, approval or a blocking error, by
// migration_guard.mode, block_at and additive_only.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "engine/finding.hpp"
#include "server/pg_prelude.hpp"
#include "server/audit/audit.hpp"
#include "engine/undo.hpp"
#include "server/recycle_bin/keep_plan.hpp"

namespace mg::server {

enum class Decision { Allowed = 0, Warned = 1, Approved = 2, Blocked = 3 };

const char *decision_name(Decision d);

// Whether enforcement blocks this finding unless an approval covers it (block_at, additive_only,
// outside_migration).
bool blocks(const Finding &f);

struct Judgement {
    Decision decision = Decision::Allowed;
    Risk risk = Risk::Low;
    int64_t approval_id = 0;
    std::vector<Finding> findings;
};

// What the guard has judged for the statement now running: sql_drop and table_rewrite fire
// inside it and must not judge (or charge an approval for) the same thing twice.
struct StatementState {
    std::set<std::string> judged;           // "rule object"
    std::set<std::string> foreseen_rewrites;  // tables whose rewrite a finding predicted
    std::vector<std::string> rewritten;       // tables table_rewrite saw rewritten, for the audit log
    int64_t spent_approval = 0;
    std::vector<Finding> blocking;  // what needed an approval so far: one approval must cover it all
    // For the audit log: the statement's text and the judgement so far.
    std::string text;
    std::string command_tag;
    Decision decision = Decision::Allowed;
    Risk risk = Risk::Low;
    std::vector<std::string> rules;
    std::vector<Finding> findings;  // every finding judged for the statement
    std::vector<std::string> emptied;  // relations it empties, named or reached (TRUNCATE)
    bool judged_any = false;
    KeepPlan keep;  // the recycle bin's work for this statement
    std::vector<UndoStep> undo;  // what undoes it, computed before it runs; written with its first audit row
    bool undo_written = false;
    std::map<std::string, int64_t> rows_affected;  // a data change: rows it deleted or overwrote, per table
};

// Statements nest (a function in a USING or DEFAULT expression, a DO block, a trigger run DDL of
// their own), so the states form a stack keyed by the statement's parse tree (the node the
// utility hook and every event trigger of that statement see). An inner statement that fails,
// or is caught by an EXCEPTION block, leaves the outer statement's state exactly as it was.
StatementState &current_statement();
// Pushes the state of a statement that starts now, and makes it current.
void begin_statement(const Node *key, std::string text, std::string command_tag);
// Makes the state of `key` current again (dropping the finished inner statements above it);
// false when the statement was never begun (the guard was inactive when it started).
bool resume_statement(const Node *key);
// The statement has ended: its state (and anything left above it) is dropped.
void end_statement(const Node *key);
// Registers the (sub)transaction callbacks that drop states of aborted work.
void init_statement_stack();
// The audit row of the statement now running, for one object it changed.
AuditRow statement_audit_row(const std::string &object_type, const std::string &object_identity);

// Judges the findings of one statement (or of what it dropped or rewrote). Raises the blocking
// error (as a UserError) when enforcement says so; otherwise reports and returns the judgement.
Judgement judge(std::vector<Finding> findings, const std::string &command_tag);
// The same without recording into the statement's judgement (used by judge()).
Judgement judge_quietly(std::vector<Finding> findings, const std::string &command_tag);

// What enforcement would do with these findings, without doing it (for dry_run()): whether it
// blocks, whether the presented approval would cover it, and the approve() call that would.
struct Preview {
    bool would_block = false;
    bool covered = false;
    int64_t approval_id = 0;
    std::string refusal;
    std::string approve_call;
};
Preview preview(const std::vector<Finding> &findings, const std::string &command_tag, const std::string &statement);

// The kind of object a finding is about, in pg_event_trigger_ddl_commands()' words.
std::string object_kind(const Finding &f);

}  // namespace mg::server
