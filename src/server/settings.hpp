// All of the extension's settings (GUCs), declared in one place.
#pragma once

#include <string>

#include "engine/analyzer.hpp"

namespace mg::server {

enum class Mode { Enforce = 0, Warn = 1, Audit = 2, Off = 3 };
enum class OutsideMigration { Allow = 0, Warn = 1, Block = 2 };
enum class BlockedWriter { Queue = 0, Worker = 1 };
enum class VerifyAfter { Off = 0, Warn = 1, Block = 2 };

void define_settings();

Mode mode();
Risk block_at();
bool additive_only();
bool require_distinct_approver();
bool locked();
const char *approval_token();  // "" when none is presented
const char *migration_id();    // "" outside a migration
// "" unless begin_migration() opened the migration now running; then "begun:" followed by the
// migration_id it refined (set by the session, a tool or PGOPTIONS), restored by end_migration().
const char *begun_migration();
OutsideMigration outside_migration();
int64_t rewrite_threshold_bytes();
bool preloaded();
bool data_checks_enabled();
// Data changes (DELETE, UPDATE, MERGE): judged at all, and from how many rows / what share.
bool data_changes_judged();
int64_t data_change_rows();
double data_change_share();
int64_t check_rows();
int check_timeout_ms();
double medium_table_rows();  // below it a table is "small"
BlockedWriter blocked_writer();
void set_preloaded();
int lock_timeout_ms();  // 0 = off
VerifyAfter verify_after();
// The recycle bin: on when migration_guard.keep is and the guard is preloaded.
bool keep_enabled();
int64_t keep_for_seconds();
int64_t keep_total_max_bytes();  // -1: no limit
int64_t keep_max_bytes();  // -1: no limit
int keep_purge_naptime_s();

const char *mode_name(Mode m);

// Engine options as the current settings say.
Options engine_options();

}  // namespace mg::server
