// Purging kept items: on demand (purge_kept()) and by the purge worker once their retention passed.
#pragma once

#include <cstdint>

namespace mg::server {

// Drops one kept item's table and records it; false when it had ended already.
bool purge_one(int64_t id, const char *why);

// Preloaded: a background worker that, every few minutes, purges in each database what has
// outlived migration_guard.keep_for.
void register_purge_worker();

}  // namespace mg::server
