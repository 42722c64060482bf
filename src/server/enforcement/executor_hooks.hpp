// The executor's entry points (preloaded): they feed the judgement of data changes
// (data_changes/data_changes.hpp) and call it at the end of an outermost statement.
#pragma once

namespace mg::server {

void install_executor_hooks();

}  // namespace mg::server
