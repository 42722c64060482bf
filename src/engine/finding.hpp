// What the engine reports: findings per statement.
#pragma once

#include <string>
#include <vector>

#include "engine/lock_mode.hpp"
#include "engine/risk.hpp"

namespace mg {

struct Finding {
    std::string rule;         // stable rule id, e.g. "drop-table"
    Risk risk = Risk::Low;
    std::string category;     // data-loss, availability, compatibility, integrity, security, ...
    int statement = 0;        // 1-based statement number in the text
    int location = 0;         // byte offset into the whole text
    LockMode lock = LockMode::None;
    bool rewrites_table = false;
    bool scans_table = false;
    // Proven harmless, nothing to change (a type change PostgreSQL does without a rewrite): the
    // server records it, the linter does not report it.
    bool no_action = false;
    std::string object;       // qualified name of the object at stake
    // Its kind in the audit log's words, when the rule alone does not tell (weaken-guard: a
    // setting or one of the guard's objects); empty otherwise.
    std::string object_type;
    std::string message;
    std::string hint;
};

struct StatementReport {
    int number = 0;           // 1-based
    int location = 0;         // byte offset of the statement's first token
    int length = 0;           // bytes up to (not including) the terminating semicolon
    std::string command;      // command tag, e.g. "ALTER TABLE"
    std::vector<Finding> findings;
    // Relations a TRUNCATE empties, named or reached (inheritance children, partitions,
    // CASCADE), new ones included: one audit row each.
    std::vector<std::string> emptied;

    Risk risk() const {
        Risk r = Risk::Low;
        for (const auto &f : findings) r = max_risk(r, f.risk);
        return r;
    }
};

}  // namespace mg
