// SQL text the guard prints for people to copy: string literals and the approve_migration() call.
#pragma once

#include <string>

namespace mg {

// A string literal on one line: '...' with quotes doubled, or E'...' with escapes when the text
// holds a backslash or a control character (a newline must not start a line of its own in a
// message), so that what is copied is exactly the text.
std::string sql_literal(const std::string &text);

// The approve_migration() call for a migration text. Multi-line (for a file shown as it is), the
// text is dollar-quoted with a tag it does not contain; on one line (in a message), it is a
// sql_literal().
std::string approve_migration_call(const std::string &text, const std::string &for_role = {}, bool one_line = false);

}  // namespace mg
