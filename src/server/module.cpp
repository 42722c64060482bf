// The extension's shared library: module magic and load-time setup.
#include "server/pg_prelude.hpp"
#include "server/settings.hpp"
#include "server/utility_hook.hpp"

extern "C" {
PG_MODULE_MAGIC;

void _PG_init(void);
void _PG_init(void) {
    mg::server::define_settings();
    // Hooks only when preloaded: a hook that exists in some sessions and not others would make
    // coverage depend on which function a session happened to call first.
    if (process_shared_preload_libraries_in_progress) {
        mg::server::set_preloaded();
        mg::server::install_utility_hook();
    }
}
}
