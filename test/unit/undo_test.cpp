// Compensating SQL from the text (the engine's undo steps, as `migration-guard rollback` and the
// server use them): each kind of change has its inverse, what destroys data says so, and names
// are quoted as PostgreSQL needs.
#include <gtest/gtest.h>

#include "offline/rollback_guide.hpp"

namespace mg {
namespace {

// The undo of a one-statement text, steps joined by newlines; "KEPT: why", "CANNOT: why".
std::string undo_of(const std::string &sql) {
    std::vector<StatementUndo> guide;
    ParseError error;
    EXPECT_TRUE(rollback_guide(sql, guide, error)) << error.message;
    std::string out;
    for (const auto &u : guide)
        for (const auto &s : u.steps) {
            if (!out.empty()) out += "\n";
            out += s.kind == UndoStep::Kind::Sql ? s.sql : (s.kind == UndoStep::Kind::Kept ? "KEPT: " : "CANNOT: ") + s.why;
        }
    return out;
}

TEST(Undo, CreatesAreDropped) {
    EXPECT_EQ(undo_of("CREATE TABLE app.orders (id int);"), "DROP TABLE app.orders;");
    EXPECT_EQ(undo_of("CREATE TABLE orders (id int);"), "DROP TABLE orders;");
    EXPECT_EQ(undo_of("CREATE INDEX CONCURRENTLY o_idx ON app.orders (id);"), "DROP INDEX CONCURRENTLY IF EXISTS app.o_idx;");
    EXPECT_EQ(undo_of("CREATE VIEW v AS SELECT 1;"), "DROP VIEW v;");
    EXPECT_EQ(undo_of("CREATE MATERIALIZED VIEW mv AS SELECT 1;"), "DROP MATERIALIZED VIEW mv;");
    EXPECT_EQ(undo_of("CREATE SEQUENCE s;"), "DROP SEQUENCE s;");
    EXPECT_EQ(undo_of("CREATE SCHEMA billing;"), "DROP SCHEMA billing;");
    EXPECT_EQ(undo_of("CREATE EXTENSION pgcrypto;"), "DROP EXTENSION pgcrypto;");
    EXPECT_EQ(undo_of("CREATE TYPE mood AS ENUM ('a');"), "DROP TYPE mood;");
    EXPECT_EQ(undo_of("CREATE FUNCTION app.f(a int, b text[], OUT c int) LANGUAGE sql AS 'SELECT 1';"),
              "DROP FUNCTION app.f(int4, text[]);");
}

TEST(Undo, AlterTableIsUndoneLastSubcommandFirst) {
    EXPECT_EQ(undo_of("ALTER TABLE t ADD COLUMN a int, ALTER COLUMN b SET NOT NULL;"),
              "ALTER TABLE t ALTER COLUMN b DROP NOT NULL;\nALTER TABLE t DROP COLUMN a;");
    EXPECT_EQ(undo_of("ALTER TABLE t ALTER COLUMN b DROP NOT NULL;"), "ALTER TABLE t ALTER COLUMN b SET NOT NULL;");
    EXPECT_EQ(undo_of("ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID;"), "ALTER TABLE t DROP CONSTRAINT c;");
}

TEST(Undo, RenamesGoBack) {
    EXPECT_EQ(undo_of("ALTER TABLE app.t RENAME TO u;"), "ALTER TABLE app.u RENAME TO t;");
    EXPECT_EQ(undo_of("ALTER TABLE t RENAME COLUMN a TO b;"), "ALTER TABLE t RENAME COLUMN b TO a;");
    EXPECT_EQ(undo_of("ALTER INDEX app.i RENAME TO j;"), "ALTER INDEX app.j RENAME TO i;");
    EXPECT_EQ(undo_of("ALTER TABLE t RENAME CONSTRAINT c TO d;"), "ALTER TABLE t RENAME CONSTRAINT d TO c;");
    EXPECT_EQ(undo_of("ALTER SCHEMA a RENAME TO b;"), "ALTER SCHEMA b RENAME TO a;");
}

TEST(Undo, WhatDestroysDataNeedsTheRecycleBin) {
    EXPECT_EQ(undo_of("DROP TABLE t;").rfind("KEPT: ", 0), 0u);
    EXPECT_EQ(undo_of("TRUNCATE t;").rfind("KEPT: ", 0), 0u);
    EXPECT_EQ(undo_of("ALTER TABLE t DROP COLUMN a;").rfind("KEPT: ", 0), 0u);
    EXPECT_EQ(undo_of("DELETE FROM t;").rfind("KEPT: ", 0), 0u);
}

TEST(Undo, WhatTheTextDoesNotTellIsSaid) {
    // The previous default, type or definition is the database's to know (undo_script()).
    EXPECT_EQ(undo_of("ALTER TABLE t ALTER COLUMN a SET DEFAULT 1;").rfind("CANNOT: ", 0), 0u);
    EXPECT_EQ(undo_of("ALTER TABLE t ALTER COLUMN a TYPE bigint;").rfind("CANNOT: ", 0), 0u);
    EXPECT_EQ(undo_of("ALTER TABLE t DROP CONSTRAINT c;").rfind("CANNOT: ", 0), 0u);
    EXPECT_EQ(undo_of("DROP INDEX i;").rfind("CANNOT: ", 0), 0u);
    EXPECT_EQ(undo_of("CREATE INDEX ON t (a);").rfind("CANNOT: ", 0), 0u);  // no name in the text
    EXPECT_EQ(undo_of("ALTER TABLE t ADD CHECK (a > 0);").rfind("CANNOT: ", 0), 0u);
    EXPECT_EQ(undo_of("CREATE OR REPLACE VIEW v AS SELECT 1;").rfind("CANNOT: ", 0), 0u);
    EXPECT_EQ(undo_of("SET lock_timeout = '1s';"), "");  // nothing to undo
}

TEST(Undo, NamesAreQuotedAsPostgreSQLNeeds) {
    EXPECT_EQ(undo_of("CREATE TABLE \"User\" (id int);"), "DROP TABLE \"User\";");
    EXPECT_EQ(undo_of("CREATE TABLE \"order\" (id int);"), "DROP TABLE \"order\";");
    EXPECT_EQ(undo_of("CREATE TABLE \"a\"\"b\" (id int);"), "DROP TABLE \"a\"\"b\";");
    EXPECT_EQ(undo_of("ALTER TABLE t RENAME COLUMN \"select\" TO sel;"), "ALTER TABLE t RENAME COLUMN sel TO \"select\";");
    EXPECT_EQ(quote_ident("name"), "name");  // unreserved keywords need no quotes
    for (const char *word : {"all", "analyse", "with", "user", "table", "order", "check", "window"})
        EXPECT_EQ(quote_ident(word), "\"" + std::string(word) + "\"") << word;  // first, last, between: the search holds
    EXPECT_EQ(quote_ident("9lives"), "\"9lives\"");
}

TEST(Undo, NewestStatementFirstWithLines) {
    std::vector<StatementUndo> guide;
    ParseError error;
    ASSERT_TRUE(rollback_guide("CREATE TABLE a (id int);\n\\set x 1\nCREATE TABLE b (id int);\n", guide, error));
    ASSERT_EQ(guide.size(), 2u);
    EXPECT_EQ(guide[0].number, 2);
    EXPECT_EQ(guide[0].line, 3);
    EXPECT_EQ(guide[1].line, 1);
}

TEST(Undo, BadTextIsRefusedWithItsPosition) {
    std::vector<StatementUndo> guide;
    ParseError error;
    EXPECT_FALSE(rollback_guide("CREATE TABLE a (id int);\nALTER TABLE a ADD COLUMN;\n", guide, error));
    EXPECT_GT(error.location, 24);
}


// Generated SQL is inert: a control character never ends a comment or splits a statement.
TEST(Undo, CommentsEscapeControlCharacters) {
    EXPECT_EQ(comment_text("a\nALTER ROLE x SUPERUSER;\r\x7f"), "a\\x0aALTER ROLE x SUPERUSER;\\x0d\\x7f");
    EXPECT_EQ(comment_text("plain"), "plain");
    EXPECT_EQ(one_line("DROP TABLE \"a\nb\";\n", 120), "DROP TABLE \"a b\"");
}

TEST(Undo, NamesWithControlCharactersStayOnOneLine) {
    EXPECT_EQ(quote_ident("t\nDELETE FROM x;"), "U&\"t\\000ADELETE FROM x;\"");
    EXPECT_EQ(quote_ident("a\\b\tc\"d"), "U&\"a\\\\b\\0009c\"\"d\"");
    EXPECT_EQ(quote_ident("users"), "users");
    EXPECT_EQ(quote_ident("Users"), "\"Users\"");
}

TEST(Undo, OneLineSqlRewritesOnlyQuotedTokensWithControlCharacters) {
    EXPECT_EQ(one_line_sql("ALTER TABLE t ALTER COLUMN c SET DEFAULT 'a\nDROP TABLE v;'::text;"),
              "ALTER TABLE t ALTER COLUMN c SET DEFAULT U&'a\\000ADROP TABLE v;'::text;");
    EXPECT_EQ(one_line_sql("ALTER TABLE \"x\ny\" RENAME TO z;"), "ALTER TABLE U&\"x\\000Ay\" RENAME TO z;");
    // A line break between two statements stays; quotes doubled inside stay doubled.
    EXPECT_EQ(one_line_sql("SELECT 'it''s';\nSELECT 1;"), "SELECT 'it''s';\nSELECT 1;");
    EXPECT_EQ(one_line_sql("SELECT 'a''\tb';"), "SELECT U&'a''\\0009b';");
    // A pretty-printed expression spanning lines stays one statement on one line.
    EXPECT_EQ(one_line_sql("ALTER TABLE t ALTER COLUMN c SET DEFAULT CASE\n    WHEN true THEN 1\n    ELSE 2\nEND;"),
              "ALTER TABLE t ALTER COLUMN c SET DEFAULT CASE     WHEN true THEN 1     ELSE 2 END;");
}

}  // namespace
}  // namespace mg
