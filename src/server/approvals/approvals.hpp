// Approvals: issued by approve(), presented with SET migration_guard.approval, spent one use per
// statement, atomically (the approval row is locked until the spending transaction ends).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/finding.hpp"
#include "server/pg_prelude.hpp"

extern "C" {
#include "datatype/timestamp.h"
}

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

// What an approval is for. With `pairs` ("rule:object"), exactly those pairs (approve_migration);
// without, every rule of `rules` on every object matching `objects` (approve()).
struct ApprovalRequest {
    std::vector<std::string> rules, objects, pairs;
    std::string reason;
    int uses = 1;
    Interval valid_for{};
    std::string for_role;      // empty: any role
    std::string migration_id;  // empty: any migration
};

// Checks the request (who may approve, a reason, known rules, ...), stores the approval and
// returns its token (shown once; only its hash is kept).
std::string issue_approval(const ApprovalRequest &request);

// "rule:object", as approvals of a whole migration store their pairs.
inline std::string approval_pair(const std::string &rule, const std::string &object) { return rule + ":" + object; }

}  // namespace mg::server
