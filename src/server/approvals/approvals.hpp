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
    int64_t request_id = 0;    // granted from this request (approve_request): no token at all
};

// Checks the request (who may approve, a reason, known rules, ...), stores the approval and
// returns its token (shown once; only its hash is kept), or "" for a request's approval, which
// has none. `id`, when given, receives the new approval's id.
std::string issue_approval(const ApprovalRequest &request, int64_t *id = nullptr);

// Whether the caller may issue approvals (a superuser or a member of migration_guard_approver).
bool may_issue_approvals();

// Refuses a caller who may not approve, in words that say who can.
void refuse_non_approver(const std::string &what);

// The approval request of a blocked attempt that needs `needed`: the same for every attempt of
// that role, migration and database needing the same (rule, object) pairs.
int64_t request_id_for(const std::vector<Finding> &needed);
// The id of the request of that role, migration ("" for none) and rule:object pairs.
int64_t request_key(const std::string &role, const std::string &migration, std::vector<std::string> pairs);

// "rule:object", as approvals of a whole migration store their pairs.
inline std::string approval_pair(const std::string &rule, const std::string &object) { return rule + ":" + object; }

}  // namespace mg::server
