// From findings to what happens: pass, notice, warning, approval or a blocking error, by
// migration_guard.mode, block_at and additive_only.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "engine/finding.hpp"

namespace mg::server {

enum class Decision { Allowed, Warned, Approved, Blocked };

const char *decision_name(Decision d);

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
    int64_t spent_approval = 0;
    std::vector<Finding> blocking;  // what needed an approval so far: one approval must cover it all
};

StatementState &current_statement();
void begin_statement();

// Judges the findings of one statement (or of what it dropped or rewrote). Raises the blocking
// error (as a UserError) when enforcement says so; otherwise reports and returns the judgement.
Judgement judge(std::vector<Finding> findings, const std::string &command_tag);

}  // namespace mg::server
