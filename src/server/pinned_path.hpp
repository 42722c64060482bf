// The guard's own SQL never resolves a name through the caller's search_path: a function or
// operator planted in a schema on that path (public.array_to_string(text[], text), an `=` for
// name) would otherwise run inside the guard, with the rights of whoever ran the DDL. Every SPI
// query of the guard runs inside with_pinned_search_path().
#pragma once

#include "server/pg_prelude.hpp"

namespace mg::server {

// pg_temp last and explicit: temporary schemas are never searched for functions or operators.
constexpr const char *kPinnedSearchPath = "pg_catalog, pg_temp";

// Runs `f` (PostgreSQL code only) with search_path pinned. On success the caller's value is
// restored here; on error, by the (sub)transaction abort that the error leads to, as for a
// function with a SET clause.
template <typename F>
void with_pinned_search_path(F &&f) {
    const int level = NewGUCNestLevel();
    set_config_option("search_path", kPinnedSearchPath, PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
    f();
    AtEOXact_GUC(true, level);
}

}  // namespace mg::server
