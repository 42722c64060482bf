#include <gtest/gtest.h>

#include "engine/approval_scope.hpp"
#include "engine/text_position.hpp"

namespace mg {

TEST(ApprovalScope, GlobPatterns) {
    EXPECT_TRUE(glob_match("public.users", "public.users"));
    EXPECT_FALSE(glob_match("public.users", "public.users.email"));
    EXPECT_TRUE(glob_match("public.users.*", "public.users.email"));
    EXPECT_FALSE(glob_match("public.users.*", "public.users"));
    EXPECT_FALSE(glob_match("public.users.*", "public.users_archive.email"));
    EXPECT_TRUE(glob_match("public.*", "public.users.email"));
    EXPECT_TRUE(glob_match("*", "anything.at.all"));
    EXPECT_TRUE(glob_match("public.*_archive", "public.orders_archive"));
    EXPECT_FALSE(glob_match("public.*_archive", "public.orders_archive2"));
    EXPECT_TRUE(glob_match("a*b*c", "axxbyyc"));
    EXPECT_FALSE(glob_match("", "x"));
    EXPECT_TRUE(glob_match("", ""));
    EXPECT_FALSE(glob_match("Public.users", "public.users"));  // names are exact, as the catalog has them
}

TEST(ApprovalScope, RulesAndObjectsMustBothMatch) {
    ApprovalScope scope{{"drop-column", "drop-cascade"}, {"public.users.*"}};
    EXPECT_TRUE(scope.covers("drop-column", "public.users.email"));
    EXPECT_FALSE(scope.covers("drop-table", "public.users.email"));
    EXPECT_FALSE(scope.covers("drop-column", "public.orders.email"));
    ApprovalScope any_rule{{"*"}, {"public.tmp_*"}};
    EXPECT_TRUE(any_rule.covers("drop-table", "public.tmp_import"));
    EXPECT_FALSE(any_rule.covers("drop-table", "public.users"));
    ApprovalScope empty{};
    EXPECT_FALSE(empty.covers("drop-table", "public.users"));
}

TEST(ApprovalScope, AnEscapedStarMatchesOnlyItself) {
    // A table literally named "*": the pattern the block message suggests covers it alone.
    EXPECT_EQ(literal_pattern("public.*"), "public.\\*");
    EXPECT_TRUE(glob_match(literal_pattern("public.*"), "public.*"));
    EXPECT_FALSE(glob_match(literal_pattern("public.*"), "public.users"));
    EXPECT_EQ(literal_pattern("public.a\\b"), "public.a\\\\b");
    EXPECT_TRUE(glob_match(literal_pattern("public.a\\b"), "public.a\\b"));
    EXPECT_FALSE(glob_match(literal_pattern("public.a\\b"), "public.ab"));
    EXPECT_TRUE(glob_match("public.\\**", "public.*_archive"));  // literal star, then any run
    EXPECT_FALSE(glob_match("public.\\**", "public.users"));
}

TEST(ApprovalScope, ControlCharactersAreShownEscaped) {
    EXPECT_EQ(escape_control("x\nHINT:  y"), "x\\nHINT:  y");
    EXPECT_EQ(escape_control("a\tb\x1b"), "a\\tb\\x1b");
    EXPECT_EQ(escape_control("a\\b"), "a\\b");
    EXPECT_EQ(escape_control("a\\b", true), "a\\\\b");
}

}  // namespace mg
