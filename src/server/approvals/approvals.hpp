// Approvals: issued by approve(), presented with SET migration_guard.approval, spent one use per
// statement, atomically (the approval row is locked until the spending transaction ends).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/finding.hpp"

namespace mg::server {

struct ApprovalOutcome {
    bool approved = false;
    int64_t id = 0;
    int uses_left = 0;
    std::string approved_by;
    std::string reason;
    std::string refusal;  // why the presented approval does not let the findings through
};

// Checks the presented approval against `blocked` and spends one use of it, unless the same
// statement already spent this approval (`spent_id`) or `spend` is false (a dry run only looks).
ApprovalOutcome use_approval(const std::vector<Finding> &blocked, const std::string &command_tag,
                             const std::string &statement, int64_t spent_id, bool spend = true);

}  // namespace mg::server
