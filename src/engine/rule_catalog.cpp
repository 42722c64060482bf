#include "engine/rule_catalog.hpp"

namespace mg {

const std::vector<RuleInfo> &all_rules() {
    static const std::vector<RuleInfo> rules = {
        {"drop-table", Risk::Critical, "data-loss", "DROP TABLE (also a table dropped by cascade)"},
        {"drop-schema", Risk::Critical, "data-loss", "DROP SCHEMA"},
        {"drop-database", Risk::Critical, "data-loss", "DROP DATABASE"},
        {"drop-owned", Risk::Critical, "data-loss", "DROP OWNED"},
        {"truncate", Risk::Critical, "data-loss", "TRUNCATE"},
        {"drop-column", Risk::Critical, "data-loss", "ALTER TABLE ... DROP COLUMN"},
        {"drop-cascade", Risk::Critical, "data-loss", "any DROP ... CASCADE"},
        {"change-column-type", Risk::Critical, "data-loss", "ALTER COLUMN ... TYPE"},
        {"cascade-delete-change", Risk::Critical, "data-loss",
         "adding or removing an ON DELETE CASCADE foreign key on an existing table"},
        {"disable-rls", Risk::Critical, "security", "DISABLE / NO FORCE ROW LEVEL SECURITY"},
        {"rename-table", Risk::High, "compatibility", "RENAME of a table, view or materialized view"},
        {"rename-column", Risk::High, "compatibility", "RENAME COLUMN"},
        {"rename-schema", Risk::High, "compatibility", "ALTER SCHEMA ... RENAME"},
        {"add-not-null-column", Risk::High, "availability",
         "ADD COLUMN ... NOT NULL without a default on an existing table"},
        {"add-column-volatile-default", Risk::High, "availability",
         "ADD COLUMN with a volatile default (table rewrite)", false},
        {"set-not-null", Risk::High, "availability", "ALTER COLUMN ... SET NOT NULL"},
        {"set-unlogged", Risk::High, "data-loss", "ALTER TABLE ... SET UNLOGGED"},
        {"disable-trigger", Risk::High, "integrity", "ALTER TABLE ... DISABLE TRIGGER"},
        {"drop-sequence", Risk::High, "data-loss", "DROP SEQUENCE"},
        {"drop-type", Risk::High, "data-loss", "DROP TYPE / DROP DOMAIN"},
        {"vacuum-full", Risk::High, "availability", "VACUUM FULL", false},
        {"cluster", Risk::High, "availability", "CLUSTER", false},
        {"drop-view", Risk::Medium, "compatibility", "DROP VIEW / MATERIALIZED VIEW"},
        {"drop-function", Risk::Medium, "compatibility", "DROP FUNCTION / PROCEDURE"},
        {"drop-trigger", Risk::Medium, "integrity", "DROP TRIGGER"},
        {"drop-index", Risk::Medium, "performance", "DROP INDEX"},
        {"drop-constraint", Risk::Medium, "integrity", "ALTER TABLE ... DROP CONSTRAINT"},
        {"drop-not-null", Risk::Medium, "integrity", "ALTER COLUMN ... DROP NOT NULL"},
        {"add-foreign-key", Risk::Medium, "availability",
         "ADD FOREIGN KEY on an existing table without NOT VALID"},
        {"add-check-constraint", Risk::Medium, "availability",
         "ADD CHECK on an existing table without NOT VALID"},
        {"add-unique-constraint", Risk::Medium, "availability",
         "ADD UNIQUE / PRIMARY KEY without USING INDEX on an existing table"},
        {"create-index-blocking", Risk::Low, "availability",
         "CREATE INDEX without CONCURRENTLY on an existing table", false},
        {"reindex-blocking", Risk::Medium, "availability", "REINDEX without CONCURRENTLY", false},
        {"table-without-rls", Risk::Medium, "security",
         "a new table in a protected schema left without row level security", false},
        {"fk-without-index", Risk::Medium, "performance",
         "a foreign key whose referencing columns have no index", false},
        {"prefer-bigint", Risk::Low, "practice", "integer keys that can run out", false},
        {"prefer-text", Risk::Low, "practice", "varchar(n) / char(n) instead of text", false},
        {"prefer-timestamptz", Risk::Low, "practice", "timestamp without time zone", false},
        {"prefer-identity", Risk::Low, "practice", "serial instead of an identity column", false},
        {"require-lock-timeout", Risk::Low, "availability",
         "a strong lock on an existing table with no lock_timeout set", false},
        {"concurrently-in-transaction", Risk::Medium, "practice",
         "CONCURRENTLY inside a transaction block (fails at run time)", false},
        {"validate-in-same-transaction", Risk::Medium, "availability",
         "NOT VALID and VALIDATE of the same constraint in one transaction", false},
        {"add-exclusion-constraint", Risk::Medium, "availability", "ADD EXCLUDE on an existing table"},
        {"rename-enum-value", Risk::High, "compatibility", "ALTER TYPE ... RENAME VALUE"},
        {"refresh-matview-blocking", Risk::Low, "availability",
         "REFRESH MATERIALIZED VIEW without CONCURRENTLY", false},
        {"drop-role", Risk::High, "security", "DROP ROLE"},
        {"drop-tablespace", Risk::High, "availability", "DROP TABLESPACE"},
        {"alter-system", Risk::High, "security", "ALTER SYSTEM (server-wide configuration)"},
        {"weaken-guard", Risk::Critical, "security",
         "switching migration_guard off or loosening it (settings, its event triggers, the extension)"},
        {"table-rewrite", Risk::High, "availability",
         "a rewrite of a large table, whatever statement caused it (seen by the server only)", true, true},
        {"ddl-outside-migration", Risk::Medium, "practice",
         "a schema change made outside any migration (drift), when migration_guard.outside_migration asks", false,
         true},
    };
    return rules;
}

const RuleInfo *find_rule(std::string_view id) {
    for (const auto &r : all_rules())
        if (id == r.id) return &r;
    return nullptr;
}

}  // namespace mg
