// Linting a whole text without losing any of it: statements that do not parse, psql
// meta-commands and COPY data, statement numbering; require-lock-timeout once per transaction.
#include <algorithm>
#include <gtest/gtest.h>

#include "engine_helpers.hpp"
#include "offline/psql_script.hpp"
#include "offline/script_analysis.hpp"

namespace mg {
namespace {

std::vector<std::string> rules_of(const ScriptAnalysis &a) {
    std::vector<std::string> out;
    for (const auto &s : a.statements)
        for (const auto &f : s.findings) out.push_back(f.rule + "@" + std::to_string(f.statement));
    return out;
}

TEST(Script, BadStatementsAreReportedAndTheRestIsLinted) {
    const std::string sql =
        "ALTER TABLE a ADD COLUMN;\n"
        "ALTER TABLE users DROP COLUMN email;\n"
        "SELEC 1;\n"
        "TRUNCATE orders;\n";
    const ScriptAnalysis a = analyze_script(sql, StaticCatalog{}, Options{});
    ASSERT_EQ(a.errors.size(), 2u);
    EXPECT_EQ(a.errors[0].statement, 1);
    EXPECT_EQ(a.errors[0].error.location, static_cast<int>(sql.find(";")));
    EXPECT_EQ(a.errors[1].statement, 3);
    EXPECT_EQ(a.errors[1].error.location, static_cast<int>(sql.find("SELEC")));
    EXPECT_EQ(a.statement_count, 4);
    EXPECT_EQ(rules_of(a), (std::vector<std::string>{"drop-column@2", "require-lock-timeout@2", "truncate@4"}));
}

TEST(Script, ALiteralThatNeverEndsKeepsTheStatementsBeforeIt) {
    const std::string sql = "DROP TABLE users;\nSELECT 'never closed;\nDROP TABLE orders;\n";
    const ScriptAnalysis a = analyze_script(sql, StaticCatalog{}, Options{});
    ASSERT_EQ(a.errors.size(), 1u);
    EXPECT_EQ(a.errors[0].statement, 2);
    EXPECT_EQ(rules_of(a), (std::vector<std::string>{"drop-table@1", "require-lock-timeout@1"}));
}

TEST(Script, WholeTextRefusalsAreNotRecovered) {
    const std::string sql = std::string("DROP TABLE a;\0DROP TABLE b;", 27);
    const ScriptAnalysis a = analyze_script(sql, StaticCatalog{}, Options{});
    ASSERT_EQ(a.errors.size(), 1u);
    EXPECT_EQ(a.errors[0].statement, 0);
    EXPECT_TRUE(a.statements.empty());
}

TEST(Script, ManyBadStatementsStopAtTheLimit) {
    std::string sql;
    for (int i = 0; i < 10; ++i) sql += "SELEC " + std::to_string(i) + ";\n";
    ScriptOptions script;
    script.max_errors = 3;
    const ScriptAnalysis a = analyze_script(sql, StaticCatalog{}, Options{}, script);
    ASSERT_EQ(a.errors.size(), 4u);
    EXPECT_NE(a.errors.back().error.message.find("too many statements"), std::string::npos);
}

TEST(Psql, MetaCommandsAndCopyDataAreBlankedInPlace) {
    const std::string sql =
        "\\set ON_ERROR_STOP on\n"
        "COPY t FROM stdin;\n"
        "1\tit's\n"
        "\\.\n"
        "\\echo it's done\n"
        "DROP TABLE x;\n";
    const PreparedScript p = prepare_psql_script(sql);
    ASSERT_EQ(p.text.size(), sql.size());
    ASSERT_EQ(p.skipped.size(), 3u);
    EXPECT_EQ(p.skipped[0].note, "psql meta-command \\set");
    EXPECT_EQ(p.skipped[1].note, "COPY data (1 line)");
    EXPECT_EQ(p.skipped[2].note, "psql meta-command \\echo");
    EXPECT_EQ(p.text.find("it's"), std::string::npos);
    EXPECT_EQ(p.text.find("DROP TABLE x;"), sql.find("DROP TABLE x;"));
    EXPECT_EQ(std::count(p.text.begin(), p.text.end(), '\n'), std::count(sql.begin(), sql.end(), '\n'));
}

TEST(Psql, BackslashesInsideLiteralsAreNotMetaCommands) {
    const std::string sql = "SELECT E'\\\\n', $$\n\\set x$$;\nCOPY t FROM '/tmp/stdin.csv';\nSELECT 1;\n";
    const PreparedScript p = prepare_psql_script(sql);
    EXPECT_TRUE(p.skipped.empty());
    EXPECT_EQ(p.text, sql);
}

TEST(Psql, ATextWithoutBackslashOrStdinIsLeftAsItIs) {
    const PreparedScript p = prepare_psql_script("DROP TABLE a;");
    EXPECT_TRUE(p.skipped.empty());
}

TEST(LockTimeout, OncePerTransaction) {
    const auto ids = test::rule_ids(
        "ALTER TABLE a ADD COLUMN x text; ALTER TABLE b ADD COLUMN y text;"
        "BEGIN; ALTER TABLE c ADD COLUMN z text; ALTER TABLE d ADD COLUMN w text; COMMIT;"
        "ALTER TABLE e ADD COLUMN v text;");
    EXPECT_EQ(std::count(ids.begin(), ids.end(), "require-lock-timeout"), 3);
}

TEST(LockTimeout, NotAfterSetLockTimeout) {
    const auto ids = test::rule_ids("SET lock_timeout = '5s'; ALTER TABLE a ADD COLUMN x text;");
    EXPECT_EQ(std::count(ids.begin(), ids.end(), "require-lock-timeout"), 0);
}

}  // namespace
}  // namespace mg

namespace mg {
namespace {

TEST(Psql, MetaCommandsWithoutCopyAreFoundWhereTheParserStops) {
    const std::string sql = "\\set ON_ERROR_STOP on\nALTER TABLE users DROP COLUMN email;\n\\echo it's done\nTRUNCATE t;\n";
    const ScriptAnalysis a = analyze_script(sql, StaticCatalog{}, Options{});
    EXPECT_TRUE(a.errors.empty());
    ASSERT_EQ(a.skipped.size(), 2u);
    EXPECT_EQ(a.skipped[1].note, "psql meta-command \\echo");
    EXPECT_EQ(rules_of(a), (std::vector<std::string>{"drop-column@1", "require-lock-timeout@1", "truncate@2"}));
}

TEST(Psql, ManyMetaCommandsSwitchToOneScan) {
    std::string sql;
    for (int i = 0; i < 50; ++i) sql += "\\echo step " + std::to_string(i) + "\nALTER TABLE t" + std::to_string(i) + " ADD COLUMN c text;\n";
    const ScriptAnalysis a = analyze_script(sql, StaticCatalog{}, Options{});
    EXPECT_TRUE(a.errors.empty());
    EXPECT_EQ(a.skipped.size(), 50u);
    EXPECT_EQ(a.statement_count, 50);
}

TEST(Psql, GsetEndsTheStatementBeforeIt) {
    const std::string sql = "SELECT count(*) AS n FROM users \\gset\nDROP TABLE users;\n";
    const ScriptAnalysis a = analyze_script(sql, StaticCatalog{}, Options{});
    EXPECT_TRUE(a.errors.empty());
    EXPECT_EQ(a.statement_count, 2);
    EXPECT_EQ(rules_of(a), (std::vector<std::string>{"drop-table@2", "require-lock-timeout@2"}));
}

TEST(Psql, AQuoteInAMetaCommandDoesNotHideTheStatementsAfterIt) {
    const std::string sql = "COPY t FROM stdin;\n1\n\\.\n\\echo it's\nDROP TABLE users;\n\\echo done\n";
    const ScriptAnalysis a = analyze_script(sql, StaticCatalog{}, Options{});
    EXPECT_TRUE(a.errors.empty());
    EXPECT_EQ(a.skipped.size(), 3u);
    EXPECT_EQ(rules_of(a), (std::vector<std::string>{"drop-table@2", "require-lock-timeout@2"}));
}

}  // namespace
}  // namespace mg

#include "offline/rls_usage.hpp"

namespace mg {
namespace {

TEST(RlsUsage, SchemasFromEnableForceAndPolicies) {
    EXPECT_EQ(schemas_using_rls("CREATE TABLE a (id int);\nALTER TABLE app.a ENABLE ROW LEVEL SECURITY;\n"
                                "CREATE POLICY p ON billing.b USING (true);\nALTER TABLE c FORCE ROW LEVEL SECURITY;"),
              (std::vector<std::string>{"app", "billing", "public"}));
    EXPECT_TRUE(schemas_using_rls("CREATE TABLE policy_docs (id int); -- no row level security here").empty());
    EXPECT_TRUE(schemas_using_rls("ALTER TABLE a DISABLE ROW LEVEL SECURITY;").empty());
}

TEST(RlsUsage, ASemicolonInALiteralSendsTheWholeTextToTheParser) {
    EXPECT_EQ(schemas_using_rls("CREATE POLICY p ON app.t USING (note <> 'a;b');"), std::vector<std::string>{"app"});
    EXPECT_EQ(schemas_using_rls("SELEC 1;\nCREATE POLICY p ON app.t USING (note <> 'a;b');"),
              std::vector<std::string>{"app"});
}

}  // namespace
}  // namespace mg

namespace mg {
namespace {

TEST(OptIn, RequireStatementTimeoutOnlyWhenAsked) {
    const std::string sql = "CREATE INDEX i ON orders (user_id); ALTER TABLE users ALTER COLUMN email SET NOT NULL;";
    auto ids = test::rule_ids(sql);
    EXPECT_EQ(std::count(ids.begin(), ids.end(), "require-statement-timeout"), 0);
    Options options;
    options.opt_in_rules = {"require-statement-timeout"};
    const auto reports = test::run(sql, StaticCatalog{}, options);
    int n = 0;
    for (const auto &r : reports)
        for (const auto &f : r.findings) n += f.rule == "require-statement-timeout";
    EXPECT_EQ(n, 1);  // once per transaction
    const auto after_set = test::run("SET statement_timeout = '10min'; " + sql, StaticCatalog{}, options);
    for (const auto &r : after_set)
        for (const auto &f : r.findings) EXPECT_NE(f.rule, "require-statement-timeout");
}

}  // namespace
}  // namespace mg
