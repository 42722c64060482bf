// What a finding puts at stake, from the live catalog: "~1,204 rows, 96 kB" for a table,
// "~1,204 values, ~19 kB" for a column.
#pragma once

#include <string>

#include "engine/finding.hpp"

namespace mg::server {

std::string stake_of(const Finding &f);

}  // namespace mg::server
