// One statement of migration_guard.dry_run(): what running it did inside the always rolled back
// transaction. Only `check` fills these.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/risk.hpp"
#include "engine/text_position.hpp"

namespace mg::cli {

struct DryRunStatement {
    int statement = 0;
    std::string command;  // command tag, e.g. "ALTER TABLE"
    std::string status;   // ok | error | skipped | not run
    Risk risk = Risk::Low;
    bool would_block = false;
    std::optional<std::string> approval;  // the approve() call, when it would be blocked
    std::vector<std::string> locks;       // "relation: MODE", locks newly taken
    std::vector<std::string> created, altered, dropped, rewritten;
    std::optional<long long> rows_affected;
    std::optional<std::string> error;
    std::optional<int> error_line, error_col;  // as the server gave them
    std::optional<std::string> note;
    double duration_ms = 0;

    // Where reports point: the error's position when known, else the statement's first token.
    int offset = 0;
    LineCol position{};

    bool failed() const { return status == "error"; }
};

}  // namespace mg::cli
