// Byte offsets to line/column, and skipping the whitespace and comments that PostgreSQL's
// statement locations include before a statement's first token.
#pragma once

#include <string>
#include <vector>

namespace mg {

// First byte at or after `from` that is not whitespace or part of a comment.
int skip_blanks(const std::string &text, int from);

// Byte offset of a 1-based character position, as PostgreSQL's parser reports error cursors.
int byte_offset_of_char(const std::string &text, int char_pos);

struct LineCol {
    int line;    // 1-based
    int column;  // 1-based, in characters (UTF-8 aware)
};

// Answers many offset look-ups on one text in O(log lines) each.
class LineIndex {
public:
    explicit LineIndex(const std::string &text);
    LineCol at(int offset) const;
    std::string line_text(int line) const;  // without the line break

private:
    const std::string &text_;
    std::vector<int> starts_;
    std::vector<bool> ascii_;  // per line: columns are byte distances (the common case)
};

// Control characters (newlines included) and DEL shown as escapes (\n, \t, \x1b): a name that
// carries them cannot start a line of its own in a message. With `backslash`, a backslash is
// escaped too (for E'' string literals).
std::string escape_control(const std::string &text, bool backslash = false);

}  // namespace mg
