#include "server/settings.hpp"

#include "server/pg_prelude.hpp"
#include "server/sqlstate.hpp"

#include <cctype>
#include <cstdlib>
#include <string>

namespace mg::server {

namespace {

// Values of the settings; PostgreSQL writes them.
int mode_value = static_cast<int>(Mode::Enforce);
int block_at_value = static_cast<int>(Risk::High);
bool additive_only_value = false;
bool require_distinct_approver_value = false;
bool locked_value = false;
char *approval_value = nullptr;
char *migration_id_value = nullptr;
char *begun_migration_value = nullptr;
int outside_migration_value = static_cast<int>(OutsideMigration::Allow);
int rewrite_threshold_kb = 100 * 1024;
char *rls_schemas_value = nullptr;
double medium_table_rows_value = 100000;
double high_table_rows_value = 10000000;
bool preloaded_value = false;
bool data_checks_value = true;
int check_rows_value = 1000000;
int check_timeout_value = 1000;
int blocked_writer_value = static_cast<int>(BlockedWriter::Queue);
int lock_timeout_value = 3000;
int verify_after_value = static_cast<int>(VerifyAfter::Off);
int sequence_usage_value = 75;
bool keep_value = true;
bool data_changes_value = true;
int data_change_rows_value = 1000;
double data_change_share_value = 0.5;
char *keep_for_value = nullptr;
int64_t keep_for_seconds_value = 7 * 86400;
int keep_max_size_mb = 1024;
int keep_total_max_size_mb = 10240;
int keep_purge_naptime_value = 300;

const struct config_enum_entry mode_options[] = {
    {"enforce", static_cast<int>(Mode::Enforce), false},
    {"warn", static_cast<int>(Mode::Warn), false},
    {"audit", static_cast<int>(Mode::Audit), false},
    {"off", static_cast<int>(Mode::Off), false},
    {nullptr, 0, false},
};

const struct config_enum_entry outside_migration_options[] = {
    {"allow", static_cast<int>(OutsideMigration::Allow), false},
    {"warn", static_cast<int>(OutsideMigration::Warn), false},
    {"block", static_cast<int>(OutsideMigration::Block), false},
    {nullptr, 0, false},
};

const struct config_enum_entry blocked_writer_options[] = {
    {"queue", static_cast<int>(BlockedWriter::Queue), false},
    {"worker", static_cast<int>(BlockedWriter::Worker), false},
    {nullptr, 0, false},
};

const struct config_enum_entry verify_after_options[] = {
    {"off", static_cast<int>(VerifyAfter::Off), false},
    {"warn", static_cast<int>(VerifyAfter::Warn), false},
    {"block", static_cast<int>(VerifyAfter::Block), false},
    {nullptr, 0, false},
};

const struct config_enum_entry risk_options[] = {
    {"low", static_cast<int>(Risk::Low), false},
    {"medium", static_cast<int>(Risk::Medium), false},
    {"high", static_cast<int>(Risk::High), false},
    {"critical", static_cast<int>(Risk::Critical), false},
    {nullptr, 0, false},
};

// With migration_guard.locked on (postgresql.conf only), the policy settings keep their
// configured values: every other source (SET, set_config(), PGOPTIONS, ALTER ROLE/DATABASE SET,
// which check hooks all see) is refused.
bool policy_change_allowed(GucSource source) {
    if (!locked_value || source <= PGC_S_ARGV) return true;
    GUC_check_errcode(MG_ERRCODE_SETTING_LOCKED);
    GUC_check_errmsg("migration_guard settings are locked by the server configuration");
    GUC_check_errdetail("migration_guard.locked is on: mode, block_at, additive_only, require_distinct_approver, "
                        "rewrite_threshold, outside_migration, rls_schemas, the table-size thresholds, the data-check "
                        "and data-change settings keep the values of postgresql.conf.");
    GUC_check_errhint("Change them in postgresql.conf and reload; to let one schema change through, use an "
                      "approval (migration_guard.approve).");
    return false;
}

bool check_policy_int(int *, void **, GucSource source) { return policy_change_allowed(source); }
bool check_policy_bool(bool *, void **, GucSource source) { return policy_change_allowed(source); }
bool check_policy_real(double *, void **, GucSource source) { return policy_change_allowed(source); }
bool check_policy_string(char **, void **, GucSource source) { return policy_change_allowed(source); }

// "7 days", "36 hours", "90 min", "1 week", "3600" (seconds): a number and an optional unit.
bool parse_keep_for(const char *text, int64_t &seconds) {
    if (!text) return false;
    char *end = nullptr;
    const double n = strtod(text, &end);
    if (end == text || n < 0) return false;
    while (*end == ' ') ++end;
    std::string unit(end);
    while (!unit.empty() && unit.back() == ' ') unit.pop_back();
    for (char &c : unit) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
    double factor = 0;
    if (unit.empty() || unit == "s" || unit == "sec" || unit == "second" || unit == "seconds") factor = 1;
    else if (unit == "min" || unit == "minute" || unit == "minutes") factor = 60;
    else if (unit == "h" || unit == "hour" || unit == "hours") factor = 3600;
    else if (unit == "d" || unit == "day" || unit == "days") factor = 86400;
    else if (unit == "w" || unit == "week" || unit == "weeks") factor = 7 * 86400;
    else return false;
    seconds = static_cast<int64_t>(n * factor);
    return true;
}

bool check_keep_for(char **value, void **extra, GucSource source) {
    if (!policy_change_allowed(source)) return false;
    int64_t seconds = 0;
    if (!parse_keep_for(*value, seconds)) {
        GUC_check_errdetail("migration_guard.keep_for is a duration such as '7 days', '36 hours' or '90 min'.");
        return false;
    }
    int64_t *parsed = static_cast<int64_t *>(mg::pg::guc_extra(sizeof(int64_t)));
    if (!parsed) return false;
    *parsed = seconds;
    *extra = parsed;
    return true;
}

void assign_keep_for(const char *, void *extra) {
    if (extra) keep_for_seconds_value = *static_cast<int64_t *>(extra);
}

}  // namespace

void define_settings() {
    DefineCustomBoolVariable(
        "migration_guard.locked",
        "Freezes the guard's policy settings at their postgresql.conf values.",
        "Set only in the server configuration; then SET, set_config(), PGOPTIONS and ALTER ROLE/DATABASE SET "
        "cannot change mode, block_at, additive_only, require_distinct_approver or rewrite_threshold.",
        &locked_value, false, PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
    DefineCustomEnumVariable("migration_guard.mode", "What the guard does with risky schema changes.",
                             "enforce: block findings at or above block_at unless approved; warn: warn only; "
                             "audit: record only; off: nothing.",
                             &mode_value, static_cast<int>(Mode::Enforce), mode_options, PGC_SUSET, 0,
                             check_policy_int, nullptr, nullptr);
    DefineCustomEnumVariable("migration_guard.block_at", "Lowest risk that enforce mode blocks.", nullptr,
                             &block_at_value, static_cast<int>(Risk::High), risk_options, PGC_SUSET, 0,
                             check_policy_int, nullptr, nullptr);
    DefineCustomBoolVariable("migration_guard.additive_only",
                             "Block every change that is not purely additive unless approved.", nullptr,
                             &additive_only_value, false, PGC_SUSET, 0, check_policy_bool, nullptr, nullptr);
    DefineCustomBoolVariable("migration_guard.require_distinct_approver",
                             "An approval only counts when issued by a role other than the one executing.",
                             nullptr, &require_distinct_approver_value, false, PGC_SUSET, 0, check_policy_bool,
                             nullptr, nullptr);
    DefineCustomIntVariable("migration_guard.rewrite_threshold",
                            "Tables at least this large make any rewrite of them a table-rewrite finding.", nullptr,
                            &rewrite_threshold_kb, 100 * 1024, 0, INT_MAX, PGC_SUSET, GUC_UNIT_KB, check_policy_int,
                            nullptr, nullptr);
    DefineCustomStringVariable("migration_guard.approval",
                               "Approval token presented for the schema changes of this session or transaction.",
                               nullptr, &approval_value, "", PGC_USERSET, GUC_NOT_IN_SAMPLE, nullptr, nullptr,
                               nullptr);
    DefineCustomStringVariable("migration_guard.migration_id",
                               "Migration the session's schema changes belong to (also set by begin_migration()).",
                               nullptr, &migration_id_value, "", PGC_USERSET, GUC_NOT_IN_SAMPLE, nullptr, nullptr,
                               nullptr);
    // Set only by begin_migration()/end_migration() (as a SUSET setting, nobody else may): whether
    // a migration was begun, and the migration_id it refines, restored when it ends. A setting,
    // so that a rolled-back begin_migration() is undone with the migration_id it set.
    DefineCustomStringVariable("migration_guard.begun_migration",
                               "Set by begin_migration(): the migration id it refined (internal).", nullptr,
                               &begun_migration_value, "", PGC_SUSET, GUC_NOT_IN_SAMPLE | GUC_NO_SHOW_ALL, nullptr,
                               nullptr, nullptr);
    DefineCustomEnumVariable(
        "migration_guard.blocked_writer", "How blocked attempts reach the audit log.",
        "queue (preloaded): one long-lived writer, fed through shared memory, whose worker slot nobody can take; "
        "worker: a background worker per attempt (the path without preload).",
        &blocked_writer_value, static_cast<int>(BlockedWriter::Queue), blocked_writer_options, PGC_SIGHUP, 0, nullptr,
        nullptr, nullptr);
    DefineCustomEnumVariable("migration_guard.outside_migration",
                             "What a schema change outside any migration is: allow, warn or block (drift).", nullptr,
                             &outside_migration_value, static_cast<int>(OutsideMigration::Allow),
                             outside_migration_options, PGC_SUSET, 0, check_policy_int, nullptr, nullptr);
    DefineCustomStringVariable("migration_guard.rls_schemas",
                               "Schemas whose new tables must enable row level security (comma-separated).",
                               nullptr, &rls_schemas_value, "public", PGC_SUSET, GUC_LIST_INPUT, check_policy_string,
                               nullptr, nullptr);
    DefineCustomRealVariable("migration_guard.medium_table_rows",
                             "Estimated rows from which availability findings are raised to medium.", nullptr,
                             &medium_table_rows_value, 100000, 0, 1e15, PGC_SUSET, 0, check_policy_real, nullptr, nullptr);
    DefineCustomRealVariable("migration_guard.high_table_rows",
                             "Estimated rows from which availability findings are raised to high.", nullptr,
                             &high_table_rows_value, 10000000, 0, 1e15, PGC_SUSET, 0, check_policy_real, nullptr, nullptr);
    DefineCustomBoolVariable("migration_guard.data_checks",
                             "Look at the data to predict failures (NULLs, orphans, duplicates, failed casts).",
                             nullptr, &data_checks_value, true, PGC_SUSET, 0, check_policy_bool, nullptr, nullptr);
    DefineCustomIntVariable("migration_guard.check_rows", "Rows one data check reads at most.", nullptr,
                            &check_rows_value, 1000000, 1, INT_MAX, PGC_SUSET, 0, check_policy_int, nullptr, nullptr);
    DefineCustomIntVariable("migration_guard.check_timeout", "Time one data check may take.", nullptr,
                            &check_timeout_value, 1000, 1, INT_MAX, PGC_SUSET, GUC_UNIT_MS, check_policy_int, nullptr,
                            nullptr);
    DefineCustomIntVariable("migration_guard.lock_timeout",
                            "Longest wait for a strong table lock by a schema change when the session set no "
                            "lock_timeout (0: off).",
                            "Applies to statements that need SHARE ROW EXCLUSIVE or stronger on an existing table, "
                            "for that statement only, so that the queries queued behind it are not stuck.",
                            &lock_timeout_value, 3000, 0, INT_MAX, PGC_SUSET, GUC_UNIT_MS, check_policy_int, nullptr,
                            nullptr);
    DefineCustomEnumVariable("migration_guard.verify_after",
                             "Whether end_migration() checks what the migration changed with verify().",
                             "off; warn: a WARNING lists the problems found; block: problems at or above block_at "
                             "make end_migration() fail.",
                             &verify_after_value, static_cast<int>(VerifyAfter::Off), verify_after_options, PGC_SUSET,
                             0, check_policy_int, nullptr, nullptr);
    DefineCustomIntVariable("migration_guard.sequence_usage_threshold",
                            "Percentage of its range from which verify() reports a sequence or identity column.",
                            nullptr, &sequence_usage_value, 75, 1, 100, PGC_SUSET, 0, check_policy_int, nullptr,
                            nullptr);
    DefineCustomBoolVariable("migration_guard.keep",
                             "Whether approved drops and truncates keep what they take (the recycle bin).",
                             "With the guard preloaded: DROP TABLE, DROP COLUMN and TRUNCATE copy the rows or values "
                             "first (and record the dropped table's definition); migration_guard.restore() puts them back.",
                             &keep_value, true, PGC_SUSET, 0, check_policy_bool, nullptr, nullptr);
    DefineCustomStringVariable("migration_guard.keep_for", "How long kept tables, columns and rows stay in the recycle bin.",
                               nullptr, &keep_for_value, "7 days", PGC_SUSET, 0, check_keep_for, assign_keep_for,
                               nullptr);
    DefineCustomIntVariable("migration_guard.keep_max_size",
                            "Largest copy the recycle bin makes for one statement (-1: no limit).",
                            "Measured on disk. Beyond the limit the statement needs an approval that also names the "
                            "rule not-kept.",
                            &keep_max_size_mb, 1024, -1, INT_MAX, PGC_SUSET, GUC_UNIT_MB, check_policy_int, nullptr,
                            nullptr);
    DefineCustomIntVariable("migration_guard.keep_total_max_size",
                            "Most the recycle bin holds in a database (-1: no limit).",
                            "When a new item takes the bin past it, the oldest items are purged first, each on record "
                            "in the audit log.",
                            &keep_total_max_size_mb, 10240, -1, INT_MAX, PGC_SUSET, GUC_UNIT_MB, check_policy_int,
                            nullptr, nullptr);
    DefineCustomIntVariable("migration_guard.keep_purge_naptime",
                            "How often the purge worker looks for kept items past their retention.", nullptr,
                            &keep_purge_naptime_value, 300, 1, 86400, PGC_SIGHUP, GUC_UNIT_S, nullptr, nullptr, nullptr);
    DefineCustomBoolVariable("migration_guard.data_changes",
                             "Judge DELETE, UPDATE and MERGE by the rows they delete or overwrite (preloaded).",
                             "A data change that reaches every row of an existing table (no WHERE, or one every row "
                             "passes), or at least data_change_rows rows and data_change_share of the table, is judged "
                             "like a schema change: blocked in enforce mode unless approved, recorded, kept.",
                             &data_changes_value, true, PGC_SUSET, 0, check_policy_bool, nullptr, nullptr);
    DefineCustomIntVariable("migration_guard.data_change_rows",
                            "Rows of one table a data change with a WHERE must reach before it is judged.",
                            "Below it a data change pays one comparison per table it changed.",
                            &data_change_rows_value, 1000, 1, INT_MAX, PGC_SUSET, 0, check_policy_int, nullptr, nullptr);
    DefineCustomRealVariable("migration_guard.data_change_share",
                             "Share of a table's rows from which a data change with a WHERE is judged (with data_change_rows).",
                             nullptr, &data_change_share_value, 0.5, 0, 1, PGC_SUSET, 0, check_policy_real, nullptr,
                             nullptr);
    MarkGUCPrefixReserved("migration_guard");
}

Mode mode() { return static_cast<Mode>(mode_value); }
Risk block_at() { return static_cast<Risk>(block_at_value); }
bool additive_only() { return additive_only_value; }
bool require_distinct_approver() { return require_distinct_approver_value; }
bool locked() { return locked_value; }
const char *approval_token() { return approval_value ? approval_value : ""; }
const char *migration_id() { return migration_id_value ? migration_id_value : ""; }
const char *begun_migration() { return begun_migration_value ? begun_migration_value : ""; }
OutsideMigration outside_migration() { return static_cast<OutsideMigration>(outside_migration_value); }
int64_t rewrite_threshold_bytes() { return static_cast<int64_t>(rewrite_threshold_kb) * 1024; }
bool preloaded() { return preloaded_value; }
bool data_checks_enabled() { return data_checks_value; }
bool data_changes_judged() { return data_changes_value; }
int64_t data_change_rows() { return data_change_rows_value; }
double data_change_share() { return data_change_share_value; }
int64_t check_rows() { return check_rows_value; }
int check_timeout_ms() { return check_timeout_value; }
void set_preloaded() { preloaded_value = true; }
int lock_timeout_ms() { return lock_timeout_value; }
VerifyAfter verify_after() { return static_cast<VerifyAfter>(verify_after_value); }
bool keep_enabled() { return keep_value && preloaded_value; }
int64_t keep_for_seconds() { return keep_for_seconds_value; }
int keep_purge_naptime_s() { return keep_purge_naptime_value; }
int64_t keep_max_bytes() { return keep_max_size_mb < 0 ? -1 : static_cast<int64_t>(keep_max_size_mb) * 1024 * 1024; }
int64_t keep_total_max_bytes() {
    return keep_total_max_size_mb < 0 ? -1 : static_cast<int64_t>(keep_total_max_size_mb) * 1024 * 1024;
}

const char *mode_name(Mode m) {
    switch (m) {
        case Mode::Enforce: return "enforce";
        case Mode::Warn: return "warn";
        case Mode::Audit: return "audit";
        case Mode::Off: return "off";
    }
    return "enforce";
}

double medium_table_rows() { return medium_table_rows_value; }
BlockedWriter blocked_writer() { return static_cast<BlockedWriter>(blocked_writer_value); }

Options engine_options() {
    Options o;
    o.medium_table_rows = medium_table_rows_value;
    o.high_table_rows = high_table_rows_value;
    o.rls_schemas.clear();
    std::string list = rls_schemas_value ? rls_schemas_value : "";
    size_t pos = 0;
    while (pos <= list.size()) {
        size_t comma = list.find(',', pos);
        if (comma == std::string::npos) comma = list.size();
        std::string item = list.substr(pos, comma - pos);
        const auto b = item.find_first_not_of(" \t\"");
        const auto e = item.find_last_not_of(" \t\"");
        if (b != std::string::npos) o.rls_schemas.push_back(item.substr(b, e - b + 1));
        pos = comma + 1;
    }
    return o;
}

}  // namespace mg::server
