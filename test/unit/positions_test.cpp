// Where findings point: byte offsets into the whole text, statements found past comments.
#include <gtest/gtest.h>

#include "engine/text_position.hpp"
#include "engine_helpers.hpp"

namespace mg::test {

TEST(TextPosition, SkipsWhitespaceLineAndNestedBlockComments) {
    const std::string text = "  -- intro\n /* a /* nested */ b */\n\tDROP TABLE x;";
    EXPECT_EQ(text.substr(skip_blanks(text, 0), 4), "DROP");
    EXPECT_EQ(skip_blanks("", 0), 0);
    EXPECT_EQ(skip_blanks("/* unterminated", 0), 15);
}

TEST(TextPosition, LineAndColumnCountCharactersNotBytes) {
    const std::string text = "SELECT 1;\nSELECT 'é', x;\r\nDROP TABLE t;";
    LineIndex lines(text);
    EXPECT_EQ(lines.at(0).line, 1);
    EXPECT_EQ(lines.at(0).column, 1);
    const int x = static_cast<int>(text.find("x;"));
    EXPECT_EQ(lines.at(x).line, 2);
    EXPECT_EQ(lines.at(x).column, 13);  // é is two bytes, one column
    const int drop = static_cast<int>(text.find("DROP"));
    EXPECT_EQ(lines.at(drop).line, 3);
    EXPECT_EQ(lines.at(drop).column, 1);
    EXPECT_EQ(lines.line_text(2), "SELECT 'é', x;");
    EXPECT_EQ(lines.line_text(3), "DROP TABLE t;");
    EXPECT_EQ(lines.line_text(9), "");
}

TEST(Positions, StatementsAreNumberedFromOneAndLocatedAtTheirFirstToken) {
    const std::string sql = "-- migration 42\nCREATE TABLE app.a (id bigint);\n\n/* risky */ DROP TABLE users;\n";
    auto reports = run(sql);
    ASSERT_EQ(reports.size(), 2u);
    EXPECT_EQ(reports[0].number, 1);
    EXPECT_EQ(reports[1].number, 2);
    EXPECT_EQ(sql.substr(reports[0].location, 12), "CREATE TABLE");
    EXPECT_EQ(sql.substr(reports[1].location, reports[1].length), "DROP TABLE users");
    EXPECT_EQ(reports[1].command, "DROP TABLE");
    const Finding *drop = find(reports[1].findings, "drop-table");
    ASSERT_NE(drop, nullptr);
    EXPECT_EQ(drop->statement, 2);
    LineIndex lines(sql);
    EXPECT_EQ(lines.at(drop->location).line, 4);
    EXPECT_EQ(lines.at(drop->location).column, 13);
}

TEST(Positions, FindingsPointAtTheOffendingPartOfTheStatement) {
    const std::string sql = "ALTER TABLE users\n  ADD COLUMN nickname text,\n  ADD COLUMN token uuid DEFAULT random();";
    auto all = findings(sql);
    const Finding *f = find(all, "add-column-volatile-default");
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(sql.substr(f->location, 5), "token");
    LineIndex lines(sql);
    EXPECT_EQ(lines.at(f->location).line, 3);
}

TEST(Positions, SyntaxErrorsReportTheirByteOffset) {
    std::vector<StatementReport> reports;
    ParseError error;
    const std::string sql = "CREATE TABLE a (id bigint);\nALTER TABLE users ADD COLUMN x in t;";
    ASSERT_FALSE(analyze_text(sql, StaticCatalog{}, Options{}, reports, error));
    EXPECT_NE(error.message.find("syntax error"), std::string::npos);
    EXPECT_EQ(sql.substr(error.location, 2), "in");
}

TEST(Positions, SyntaxErrorAfterMultibyteTextIsAByteOffset) {
    std::vector<StatementReport> reports;
    ParseError error;
    const std::string sql = "-- é\nALTER TABLE x ADD COLUMN;";
    ASSERT_FALSE(analyze_text(sql, StaticCatalog{}, Options{}, reports, error));
    EXPECT_EQ(sql.substr(error.location, 1), ";");
    EXPECT_EQ(LineIndex(sql).at(error.location).column, 25);
}

TEST(Positions, EmptyTextAndOnlyCommentsGiveNoStatements) {
    EXPECT_TRUE(run("").empty());
    EXPECT_TRUE(run("-- nothing here\n/* at all */ ;;").empty());
}

}  // namespace mg::test
