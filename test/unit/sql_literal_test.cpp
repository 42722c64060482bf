// The SQL the guard prints for people to copy must reproduce the text exactly.
#include <gtest/gtest.h>

#include "engine/sql_literal.hpp"

namespace {

TEST(SqlLiteral, PlainTextIsQuotedWithQuotesDoubled) {
    EXPECT_EQ(mg::sql_literal("public.users"), "'public.users'");
    EXPECT_EQ(mg::sql_literal("o'brien"), "'o''brien'");
}

TEST(SqlLiteral, ControlCharactersAndBackslashesUseEscapesOnOneLine) {
    EXPECT_EQ(mg::sql_literal("a\nb"), "E'a\\nb'");
    EXPECT_EQ(mg::sql_literal("a\\b'c"), "E'a\\\\b''c'");
    EXPECT_EQ(mg::sql_literal(std::string("x\x01y")), "E'x\\x01y'");
}

TEST(ApproveMigrationCall, DollarQuotesWithATagTheTextDoesNotContain) {
    EXPECT_EQ(mg::approve_migration_call("DROP TABLE a;\n"),
              "SELECT migration_guard.approve_migration($migration$DROP TABLE a;\n$migration$, '<why>');");
    EXPECT_EQ(mg::approve_migration_call("SELECT '$migration$';"),
              "SELECT migration_guard.approve_migration($migration1$SELECT '$migration$';$migration1$, '<why>');");
}

TEST(ApproveMigrationCall, OnOneLineForAMessageWithTheRoleQuoted) {
    EXPECT_EQ(mg::approve_migration_call("DROP TABLE a;\nDROP TABLE b;", "ci'bot", true),
              "SELECT migration_guard.approve_migration(E'DROP TABLE a;\\nDROP TABLE b;', '<why>', for_role => 'ci''bot');");
}

}  // namespace
