// The content of findings: risks, categories, locks, objects, and hints a person can act on.
#include <gtest/gtest.h>

#include "corpus.hpp"
#include "engine/lock_mode.hpp"
#include "engine/node_names.hpp"
#include "engine/rule_catalog.hpp"
#include "engine_helpers.hpp"

namespace mg::test {

namespace {
bool contains(const std::string &s, const std::string &part) { return s.find(part) != std::string::npos; }
}  // namespace

TEST(Findings, CarryTheCatalogsRiskAndCategory) {
    auto all = findings("DROP TABLE users; ALTER TABLE users RENAME COLUMN a TO b; CREATE INDEX ON users (a);");
    for (const auto &f : all) {
        const RuleInfo *info = find_rule(f.rule);
        ASSERT_NE(info, nullptr) << f.rule;
        EXPECT_EQ(f.category, info->category) << f.rule;
        EXPECT_FALSE(f.message.empty()) << f.rule;
        EXPECT_FALSE(f.hint.empty()) << f.rule;
    }
}

TEST(Findings, EveryFindingInTheCorpusNamesItsObjectAndHasAHint) {
    for (const auto &c : load_corpus(MG_CORPUS_DIR)) {
        if (!c.parsable()) continue;
        for (const auto &f : findings(c.sql)) {
            SCOPED_TRACE(c.name + " / " + f.rule);
            EXPECT_FALSE(f.object.empty());
            EXPECT_FALSE(f.hint.empty());
            EXPECT_FALSE(f.message.empty());
            // The object's last name part appears in the message.
            const std::string last = f.object.substr(f.object.find_last_of(". ") + 1);
            EXPECT_TRUE(contains(f.message, last)) << f.message;
        }
    }
}

TEST(Findings, HintsGiveTheSafeAlternative) {
    auto hint = [](const std::string &sql, const std::string &rule) {
        auto all = findings(sql);
        const Finding *f = find(all, rule);
        return f ? f->hint : std::string("<no finding>");
    };
    EXPECT_TRUE(contains(hint("CREATE INDEX i ON users (email);", "create-index-blocking"), "CONCURRENTLY"));
    EXPECT_TRUE(contains(hint("ALTER TABLE o ADD FOREIGN KEY (u) REFERENCES users (id);", "add-foreign-key"), "NOT VALID"));
    EXPECT_TRUE(contains(hint("ALTER TABLE o ADD FOREIGN KEY (u) REFERENCES users (id);", "add-foreign-key"), "VALIDATE"));
    EXPECT_TRUE(contains(hint("ALTER TABLE u ADD CHECK (a > 0);", "add-check-constraint"), "NOT VALID"));
    EXPECT_TRUE(contains(hint("ALTER TABLE u ALTER COLUMN a SET NOT NULL;", "set-not-null"), "CHECK (a IS NOT NULL) NOT VALID"));
    EXPECT_TRUE(contains(hint("ALTER TABLE u RENAME COLUMN a TO b;", "rename-column"), "Expand/contract"));
    EXPECT_TRUE(contains(hint("ALTER TABLE u ALTER COLUMN a TYPE bigint;", "change-column-type"), "Expand/contract"));
    EXPECT_TRUE(contains(hint("ALTER TABLE u ADD UNIQUE (a);", "add-unique-constraint"), "USING INDEX"));
    EXPECT_TRUE(contains(hint("ALTER TABLE u ADD COLUMN a int NOT NULL;", "add-not-null-column"), "backfill"));
    EXPECT_TRUE(contains(hint("ALTER TABLE u DROP COLUMN a;", "drop-column"), "Expand/contract"));
}

TEST(Findings, LocksAndRewrites) {
    auto all = findings("ALTER TABLE u ALTER COLUMN a TYPE bigint; CREATE INDEX ON u (a); "
                        "ALTER TABLE o ADD FOREIGN KEY (u) REFERENCES users (id); VACUUM FULL u;");
    EXPECT_EQ(find(all, "change-column-type")->lock, LockMode::AccessExclusive);
    EXPECT_TRUE(find(all, "change-column-type")->rewrites_table);
    EXPECT_EQ(find(all, "create-index-blocking")->lock, LockMode::Share);
    EXPECT_TRUE(find(all, "create-index-blocking")->scans_table);
    EXPECT_FALSE(find(all, "create-index-blocking")->rewrites_table);
    EXPECT_EQ(find(all, "add-foreign-key")->lock, LockMode::ShareRowExclusive);
    EXPECT_TRUE(find(all, "vacuum-full")->rewrites_table);
    EXPECT_STREQ(lock_mode_name(LockMode::ShareRowExclusive), "SHARE ROW EXCLUSIVE");
}

TEST(Findings, PurelyAdditiveStatementsStayLow) {
    const char *additive[] = {
        "CREATE TABLE app.t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text)",
        "CREATE TABLE t (id bigint PRIMARY KEY, body text)",
        "CREATE TABLE t (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id))",
        "ALTER TABLE users ADD COLUMN nickname text",
        "ALTER TABLE users ADD COLUMN active boolean NOT NULL DEFAULT false",
        "CREATE INDEX CONCURRENTLY i ON users (email)",
        "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID",
        "ALTER TABLE orders ADD CONSTRAINT c CHECK (amount > 0) NOT VALID",
        "ALTER TABLE orders VALIDATE CONSTRAINT c",
        "CREATE VIEW v AS SELECT 1",
        "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$",
        "CREATE SCHEMA s",
        "CREATE SEQUENCE s1",
        "CREATE TYPE mood AS ENUM ('a')",
        "ALTER TYPE mood ADD VALUE 'b'",
        "CREATE EXTENSION IF NOT EXISTS pgcrypto",
        "COMMENT ON COLUMN users.email IS 'x'",
        "GRANT SELECT ON users TO app",
        "CREATE MATERIALIZED VIEW mv AS SELECT 1",
        "ALTER TABLE users ALTER COLUMN email SET DEFAULT ''",
    };
    for (const char *sql : additive) EXPECT_EQ(highest(run(sql)), Risk::Low) << sql;
}

TEST(Findings, RuleCatalogHasTheDesignsFirstCatalog) {
    // The design's first catalog, six server-wide rules, lock-wait-timeout, seven verify() checks
    // and mass-dml (data changes, server only).
    EXPECT_EQ(all_rules().size(), 88u);
    EXPECT_TRUE(find_rule("mass-dml")->server_only);
    EXPECT_EQ(find_rule("dml-without-where")->default_risk, Risk::Critical);
    EXPECT_TRUE(find_rule("unused-suppression")->linter_only);
    EXPECT_TRUE(find_rule("lock-wait-timeout")->server_only);
    EXPECT_TRUE(find_rule("invalid-index")->server_only);
    EXPECT_EQ(find_rule("drop-table")->default_risk, Risk::Critical);
    EXPECT_EQ(find_rule("create-index-blocking")->default_risk, Risk::Low);
    EXPECT_EQ(find_rule("no-such-rule"), nullptr);
    EXPECT_EQ(parse_risk("high"), Risk::High);
    EXPECT_FALSE(parse_risk("severe").has_value());
}

// Objects are "schema.table[.column]"; the server and the cascade rules split them the same way.
TEST(Findings, ObjectsSplitIntoTableAndColumn) {
    std::string column;
    EXPECT_EQ(split_object("public.orders.note", column).display(), "public.orders");
    EXPECT_EQ(column, "note");
    EXPECT_EQ(split_object("public.orders", column).display(), "public.orders");
    EXPECT_EQ(column, "");
    EXPECT_EQ(split_object("public.Users.E-mail.x", column).display(), "public.Users");
    EXPECT_EQ(column, "E-mail.x");
    const QualifiedName bare = split_object("orders", column);
    EXPECT_TRUE(bare.schema.empty());
    EXPECT_EQ(bare.name, "orders");
}

// The audit log names what a weaken-guard finding is about: a setting, or the guard itself.
TEST(Findings, WeakenGuardSaysWhetherASettingOrTheGuard) {
    for (const char *sql : {"SET migration_guard.block_at = 'critical';", "RESET migration_guard.additive_only;",
                            "ALTER ROLE app SET migration_guard.mode = 'off';",
                            "ALTER SYSTEM SET migration_guard.outside_migration = 'allow';"}) {
        const auto all = findings(sql);
        const Finding *f = find(all, "weaken-guard");
        ASSERT_NE(f, nullptr) << sql;
        EXPECT_EQ(f->object_type, "setting") << sql;
    }
    for (const char *sql : {"DROP EVENT TRIGGER migration_guard_ddl_start;", "DROP EXTENSION migration_guard;",
                            "ALTER EVENT TRIGGER migration_guard_sql_drop DISABLE;"}) {
        const auto all = findings(sql);
        const Finding *f = find(all, "weaken-guard");
        ASSERT_NE(f, nullptr) << sql;
        EXPECT_EQ(f->object_type, "guard") << sql;
    }
    EXPECT_EQ(find(findings("DROP TABLE users;"), "drop-table")->object_type, "");
}

// The check command reads lock modes back from the server by name.
TEST(Findings, LockModeNamesReadBack) {
    for (int m = static_cast<int>(LockMode::AccessShare); m <= static_cast<int>(LockMode::AccessExclusive); ++m)
        EXPECT_EQ(parse_lock_mode(lock_mode_name(static_cast<LockMode>(m))), static_cast<LockMode>(m));
    EXPECT_EQ(parse_lock_mode("access exclusive"), LockMode::None);
    EXPECT_EQ(parse_lock_mode(""), LockMode::None);
}

TEST(Findings, LargeMigrationsAreAnalysedWhole) {
    std::string sql;
    for (int i = 0; i < 5000; ++i) sql += "ALTER TABLE t" + std::to_string(i % 50) + " ADD COLUMN c" + std::to_string(i) + " text;\n";
    auto reports = run(sql);
    EXPECT_EQ(reports.size(), 5000u);
    EXPECT_EQ(reports.back().number, 5000);
}

}  // namespace mg::test
