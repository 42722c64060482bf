// The source line under a diagnostic, with a caret line pointing at a byte offset.
#pragma once

#include <string>

namespace mg::cli {

struct Excerpt {
    std::string line;   // the source line (a window of it when very long)
    std::string caret;  // blanks up to the position, then '^'
};

// Looks at a bounded window around `offset`, never the whole line: one-line (minified)
// migrations with many findings stay linear.
Excerpt excerpt_at(const std::string &text, int offset);

}  // namespace mg::cli
