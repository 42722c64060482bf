// The linter's own pieces without a process: layouts, suppression comments, globs, migration
// names, the configuration file.
#include <cstdio>
#include <fstream>
#include <unistd.h>
#include <gtest/gtest.h>

#include "cli/config.hpp"
#include "cli/hygiene.hpp"
#include "cli/inputs.hpp"
#include "cli/layouts.hpp"
#include "cli/suppressions.hpp"

namespace mg::cli {
namespace {

TEST(Layouts, MarkersSplitAFileIntoSections) {
    const std::string goose = "-- +goose Up\nCREATE TABLE a (id int);\n-- +goose Down\nDROP TABLE a;\n";
    const FileLayout l = layout_of("001_a.sql", goose, Layout::Auto);
    EXPECT_EQ(l.layout, Layout::Goose);
    ASSERT_EQ(l.sections.size(), 2u);
    EXPECT_EQ(l.sections[0].direction, Direction::Up);
    EXPECT_EQ(l.sections[1].direction, Direction::Down);
    EXPECT_EQ(l.sections[1].begin, static_cast<int>(goose.find("-- +goose Down")));
    EXPECT_EQ(l.sections[1].end, static_cast<int>(goose.size()));
}

TEST(Layouts, EachToolsMarkers) {
    EXPECT_EQ(layout_of("x.sql", "-- migrate:up\nSELECT 1;\n-- migrate:down\n", Layout::Auto).layout, Layout::Dbmate);
    EXPECT_EQ(layout_of("x.sql", "-- +migrate Up\n-- +migrate Down\n", Layout::Auto).layout, Layout::SqlMigrate);
    EXPECT_EQ(layout_of("x.sql", "-- Up Migration\n-- Down Migration\n", Layout::Auto).layout, Layout::NodePgMigrate);
    // Another tool's markers mean nothing to an explicit layout.
    EXPECT_EQ(layout_of("x.sql", "-- +goose Down\nDROP TABLE a;\n", Layout::Dbmate).sections[0].direction, Direction::Up);
}

TEST(Layouts, FileNamesAndFolders) {
    EXPECT_EQ(layout_of("m/000001_a.down.sql", "", Layout::Auto).sections[0].direction, Direction::Down);
    EXPECT_EQ(layout_of("m/2026_a/down.sql", "", Layout::Auto).layout, Layout::Diesel);
    EXPECT_EQ(layout_of("sqitch/revert/a.sql", "", Layout::Auto).sections[0].direction, Direction::Down);
    EXPECT_EQ(layout_of("sqitch/verify/a.sql", "", Layout::Auto).sections[0].direction, Direction::Verify);
    EXPECT_EQ(layout_of("sql/U3__undo.sql", "", Layout::Auto).sections[0].direction, Direction::Down);
    EXPECT_EQ(layout_of("sql/V3__add.sql", "", Layout::Auto).sections[0].direction, Direction::Up);
    EXPECT_EQ(layout_of("m/000001_a.down.sql", "", Layout::Plain).sections[0].direction, Direction::Up);
    EXPECT_EQ(layout_of("db/users.sql", "DROP TABLE a;", Layout::Auto).layout, Layout::Plain);
}

TEST(Suppressions, Parsing) {
    const auto c = find_ignore_comments(
        "-- migration-guard-ignore drop-column, drop-table: gone since v2\n"
        "-- migration-guard-ignore-file require-lock-timeout: deploy sets it\n"
        "-- migration-guard-ignore drop-table\n"
        "-- migration-guard-ignore nonsense-rule: why\n"
        "-- migration-guard-ignored drop-table: another word\n"
        "SELECT '-- migration-guard-ignore drop-table: in a string';\n");
    ASSERT_EQ(c.size(), 4u);
    EXPECT_EQ(c[0].rules, (std::vector<std::string>{"drop-column", "drop-table"}));
    EXPECT_EQ(c[0].reason, "gone since v2");
    EXPECT_TRUE(c[0].problem.empty());
    EXPECT_TRUE(c[1].whole_file);
    EXPECT_NE(c[2].problem.find("no reason"), std::string::npos);
    EXPECT_NE(c[3].problem.find("unknown rule 'nonsense-rule'"), std::string::npos);
}

TEST(Globs, SegmentsAndDoubleStar) {
    EXPECT_TRUE(glob_match("*.sql", "a/b/c.sql"));
    EXPECT_FALSE(glob_match("*.sql", "a/b/c.sql.bak"));
    EXPECT_TRUE(glob_match("seeds/**", "seeds/a/b.sql"));
    EXPECT_FALSE(glob_match("seeds/**", "db/seeds.sql"));
    EXPECT_TRUE(glob_match("**/down.sql", "down.sql"));
    EXPECT_TRUE(glob_match("**/down.sql", "x/y/down.sql"));
    EXPECT_FALSE(glob_match("db/*.sql", "db/x/y.sql"));
    EXPECT_TRUE(glob_match("db/?.sql", "db/a.sql"));
}

TEST(MigrationNames, VersionsAndDescriptions) {
    auto m = migration_name("db/20261125_140530_add_user_preferences.sql", Layout::Plain);
    EXPECT_EQ(m.version, (std::vector<unsigned long long>{20261125, 140530}));
    EXPECT_TRUE(m.has_description);
    m = migration_name("sql/V1_2__init.sql", Layout::Flyway);
    EXPECT_EQ(m.version, (std::vector<unsigned long long>{1, 2}));
    m = migration_name("migrations/2026-11-25-000000_create/up.sql", Layout::Diesel);
    EXPECT_EQ(m.name, "2026-11-25-000000_create");
    EXPECT_EQ(m.version.size(), 4u);
    m = migration_name("db/add_users.sql", Layout::Plain);
    EXPECT_TRUE(m.version.empty());
    m = migration_name("db/0002.sql", Layout::Plain);
    EXPECT_FALSE(m.has_description);
    EXPECT_TRUE(migration_name("sql/R__views.sql", Layout::Flyway).repeatable);
    m = migration_name("db/003_2fa_tokens.sql", Layout::Plain);
    EXPECT_EQ(m.version, (std::vector<unsigned long long>{3}));
}

std::string write_temp(const std::string &text) {
    char name[] = "/tmp/mg-config-XXXXXX";
    const int fd = mkstemp(name);
    if (fd >= 0) close(fd);
    std::ofstream(name) << text;
    return name;
}

TEST(Config, ReadsEveryKey) {
    const std::string file = write_temp(
        "fail_on = \"medium\"\nlayout = \"goose\"\nrls_schemas = [\"app\"]\ninclude = [\"*.pgsql\"]\n"
        "exclude = [\"seeds/**\"]\npostgres_version = 13\npsql = false\ndown_migrations = \"fail\"\n"
        "other_languages_ok = true\n[rules]\nrequire-lock-timeout = \"off\"\ndrop-index = \"high\"\n"
        "[hygiene]\nfile_names = true\n");
    Config c;
    std::string error;
    ASSERT_TRUE(load_config(file, c, error)) << error;
    EXPECT_EQ(*c.fail_on, Risk::Medium);
    EXPECT_EQ(*c.layout, Layout::Goose);
    EXPECT_EQ(*c.rls_schemas, std::vector<std::string>{"app"});
    EXPECT_EQ(c.postgres_version, 13);
    EXPECT_FALSE(*c.psql);
    EXPECT_EQ(c.down, DownPolicy::Fail);
    EXPECT_TRUE(c.rules["require-lock-timeout"].off);
    EXPECT_EQ(*c.rules["drop-index"].risk, Risk::High);
    EXPECT_TRUE(c.hygiene.file_names && !c.hygiene.version_order);
    std::remove(file.c_str());
}

TEST(Config, ErrorsSayWhere) {
    struct Case {
        const char *text;
        const char *error;
    } cases[] = {
        {"fail_on = 3\n", ":1:11: fail_on must be a string"},
        {"\n[rules]\ndrop-table = \"maybe\"\n", ":3:14: rule drop-table: 'maybe' is neither off nor a risk"},
        {"[hygiene]\nfile_name = true\n", ":2:1: unknown key 'file_name' in [hygiene]"},
        {"include = [\"a\", 2]\n", ":1:17: include must hold strings only"},
        {"rules = 1\n", ":1:9: rules must be a table"},
        {"down_migrations = \"ignore\"\n", ":1:19: down_migrations must be report, fail or skip"},
    };
    for (const auto &c : cases) {
        const std::string file = write_temp(c.text);
        Config config;
        std::string error;
        EXPECT_FALSE(load_config(file, config, error)) << c.text;
        EXPECT_EQ(error, file + c.error + error.substr(std::min(error.size(), file.size() + std::string(c.error).size())))
            << error;
        std::remove(file.c_str());
    }
}

}  // namespace
}  // namespace mg::cli

#include <nlohmann/json.hpp>

#include "cli/json_writer.hpp"

namespace mg::cli {
namespace {

// The reports are written by the streaming writer (cheaper); nlohmann-json reads them back to
// the same values, and writes the same bytes, for the strings a migration can hold.
TEST(JsonWriter, AgreesWithNlohmann) {
    const std::string samples[] = {
        "plain", "quote \" backslash \\ slash /", std::string("nul \0 inside", 12), "\x01\x1f\x7f tab\t nl\n cr\r",
        "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\xb4", "bad \xc3 byte", "overlong \xc0\xaf", "surrogate \xed\xa0\x80",
        "above \xf4\x90\x80\x80",
    };
    for (const auto &s : samples) {
        std::string out;
        JsonWriter w(out);
        w.begin_object();
        w.member("s", s);
        w.member("n", 42);
        w.null_member("z");
        w.end_object();
        nlohmann::ordered_json j;
        j["s"] = s;
        j["n"] = 42;
        j["z"] = nullptr;
        EXPECT_EQ(out, j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)) << s;
        EXPECT_FALSE(nlohmann::json::parse(out, nullptr, false).is_discarded()) << out;
    }
}

}  // namespace
}  // namespace mg::cli
