// Migration tools run .sql files through psql (or send them as psql would): meta-commands
// (\set, \i, \connect, ...) and the data lines of COPY ... FROM stdin are psql's, not SQL. They
// are found with PostgreSQL's own scanner (a backslash outside any token starts a meta-command
// that runs to the end of its line) and blanked, so that the statements around them are linted
// at their own positions.
#pragma once

#include <string>
#include <vector>

#include "offline/raw_parser.hpp"

namespace mg {

struct SkippedRegion {
    int begin = 0;  // byte offsets in the text, [begin, end)
    int end = 0;
    std::string note;  // "psql meta-command \set", "COPY data (3 lines)"
};

struct PreparedScript {
    // The text with skipped regions replaced by spaces (line breaks kept), so offsets, lines and
    // columns are those of the original.
    std::string text;
    std::vector<SkippedRegion> skipped;
    bool scanned = false;  // the scanner went through the whole text (every meta-command found)
};

// Cheap test first: a text without "stdin" is returned as it is (analyze_script finds the
// meta-commands of such a text where the parser stops at them, which costs nothing when there
// are none; PostgreSQL's scanner through libpg_query costs five parses).
// `always`: scan even a text without "stdin" (one with many meta-commands).
PreparedScript prepare_psql_script(const std::string &text, bool always = false);

// A meta-command that the parser stopped at `at` (a backslash outside any literal): blanked to
// the end of its line, recorded in `skipped`. \g and its kin end the statement before them, as
// psql sends it: a semicolon takes the backslash's place.
void skip_meta_command(std::string &text, int at, std::vector<SkippedRegion> &skipped);

// The "--" comments of the text as PostgreSQL's scanner sees them (not those inside literals or
// function bodies): [begin, end) byte offsets. Up to a literal that never ends.
struct CommentSpan {
    int begin;
    int end;
};
std::vector<CommentSpan> line_comments(const std::string &text);

// Offsets of the ";" tokens as PostgreSQL's scanner sees them. On a literal or comment that never
// ends, those before it, and `error_at` is set to where it starts (-1 otherwise).
std::vector<int> semicolons(const std::string &text, int &error_at);

// Replaces [begin, end) with spaces, keeping line breaks.
void blank_out(std::string &text, int begin, int end);

}  // namespace mg
