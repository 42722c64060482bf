// The extension's shared library: module magic and load-time setup.
#include "server/recycle_bin/purge.hpp"
#include "server/audit/audit.hpp"
#include "server/audit/blocked_writer.hpp"
#include "server/enforcement/decision.hpp"
#include "server/audit/migration_tools.hpp"
#include "server/extension_cache.hpp"
#include "server/live_catalog/rls_schemas.hpp"
#include "server/pg_prelude.hpp"
#include "server/settings.hpp"
#include "server/enforcement/utility_hook.hpp"
#include "server/enforcement/executor_hooks.hpp"
#include "server/data_changes/data_changes.hpp"

extern "C" {
MG_MODULE_MAGIC;

static shmem_request_hook_type previous_shmem_request = nullptr;

static void request_shmem(void) {
    if (previous_shmem_request) previous_shmem_request();
    mg::server::request_audit_shmem();
}

void _PG_init(void);
void _PG_init(void) {
    mg::server::define_settings();
    mg::server::init_statement_stack();
    mg::server::init_extension_cache();
    mg::server::init_rls_schemas();
    mg::server::init_migration_tools();
    // Hooks only when preloaded: a hook that exists in some sessions and not others would make
    // coverage depend on which function a session happened to call first.
    if (process_shared_preload_libraries_in_progress) {
        mg::server::set_preloaded();
        mg::server::install_utility_hook();
        mg::server::install_executor_hooks();
        mg::server::init_data_changes();
        previous_shmem_request = shmem_request_hook;
        shmem_request_hook = request_shmem;
        mg::server::init_audit_shmem();
        // No worker writes while pg_upgrade fills the new cluster.
        if (!IsBinaryUpgrade) {
            mg::server::register_blocked_writer();
            mg::server::register_purge_worker();
        }
    }
}
}
