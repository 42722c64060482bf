// migration_guard.dry_run(sql): runs a whole migration inside a subtransaction that is always
// rolled back, and reports per statement what it did. While it runs, the guard's event triggers
// only collect (created/altered/dropped objects, rewrites) instead of judging, spending
// approvals or writing the audit log.
#pragma once

#include <string>
#include <vector>

namespace mg::server {

struct DryRunCollector {
    std::vector<std::string> created, altered, dropped, rewritten;
};

// The collector of the dry run now running, or nullptr.
DryRunCollector *dry_run_collector();

}  // namespace mg::server
