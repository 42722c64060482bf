#pragma once

// Names the guard reserves, shared by the rules and the server's utility hook.
namespace mg {

// Any `migration_guard.*` setting, including the session-only approval and migration_id.
bool is_guard_setting(const char *name);

}  // namespace mg
