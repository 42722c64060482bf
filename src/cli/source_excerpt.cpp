#include "cli/source_excerpt.hpp"

#include <algorithm>

namespace mg::cli {

namespace {
constexpr int kBefore = 80;   // bytes shown before the position at most
constexpr int kAfter = 120;   // bytes shown after it at most

bool continuation(const std::string &text, int i) {
    return i < static_cast<int>(text.size()) &&
           (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80;
}
}  // namespace

Excerpt excerpt_at(const std::string &text, int offset) {
    const int n = static_cast<int>(text.size());
    offset = std::clamp(offset, 0, n);

    int start = offset;
    while (start > 0 && offset - start < kBefore && text[start - 1] != '\n') --start;
    const bool cut_start = start > 0 && text[start - 1] != '\n';
    while (cut_start && continuation(text, start)) ++start;  // keep whole characters

    int end = offset;
    while (end < n && end - offset < kAfter && text[end] != '\n') ++end;
    const bool cut_end = end < n && text[end] != '\n';
    while (cut_end && end > offset && continuation(text, end)) --end;
    int shown_end = end;
    if (!cut_end && shown_end > start && text[shown_end - 1] == '\r') --shown_end;

    Excerpt e;
    if (cut_start) {
        e.line = "...";
        e.caret = "   ";
    }
    e.line.append(text, start, shown_end - start);
    if (cut_end) e.line += "...";
    // One blank per character, tabs kept, so the caret lines up however tabs are rendered.
    for (int i = start; i < offset; ++i) {
        if (text[i] == '\t') e.caret += '\t';
        else if (!continuation(text, i)) e.caret += ' ';
    }
    e.caret += '^';
    return e;
}

}  // namespace mg::cli
