// The utility hook, installed only when the library is preloaded: it judges the commands event
// triggers never see (TRUNCATE, DROP DATABASE, ALTER SYSTEM, DROP ROLE, DROP TABLESPACE, VACUUM
// FULL, CLUSTER, REINDEX) and attempts to weaken the guard (its settings, its event triggers).
#pragma once

namespace mg::server {

void install_utility_hook();

}  // namespace mg::server
