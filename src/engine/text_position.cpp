#include "engine/text_position.hpp"

#include <algorithm>
#include <cctype>

namespace mg {

int skip_blanks(const std::string &text, int from) {
    const int n = static_cast<int>(text.size());
    int i = std::max(0, from);
    while (i < n) {
        const unsigned char c = static_cast<unsigned char>(text[i]);
        if (std::isspace(c)) {
            ++i;
        } else if (c == '-' && i + 1 < n && text[i + 1] == '-') {
            while (i < n && text[i] != '\n') ++i;
        } else if (c == '/' && i + 1 < n && text[i + 1] == '*') {
            // PostgreSQL block comments nest.
            int depth = 0;
            while (i < n) {
                if (text[i] == '/' && i + 1 < n && text[i + 1] == '*') {
                    ++depth;
                    i += 2;
                } else if (text[i] == '*' && i + 1 < n && text[i + 1] == '/') {
                    i += 2;
                    if (--depth == 0) break;
                } else {
                    ++i;
                }
            }
        } else {
            break;
        }
    }
    return std::min(i, n);
}

int byte_offset_of_char(const std::string &text, int char_pos) {
    int chars = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && ++chars == char_pos)
            return static_cast<int>(i);
    }
    return static_cast<int>(text.size());
}

LineIndex::LineIndex(const std::string &text) : text_(text) {
    starts_.push_back(0);
    bool ascii = true;
    for (size_t i = 0; i < text.size(); ++i) {
        if (static_cast<unsigned char>(text[i]) >= 0x80) ascii = false;
        if (text[i] == '\n') {
            starts_.push_back(static_cast<int>(i + 1));
            ascii_.push_back(ascii);
            ascii = true;
        }
    }
    ascii_.push_back(ascii);
}

LineCol LineIndex::at(int offset) const {
    offset = std::clamp(offset, 0, static_cast<int>(text_.size()));
    auto it = std::upper_bound(starts_.begin(), starts_.end(), offset);
    const int line = static_cast<int>(it - starts_.begin());  // 1-based
    const int start = starts_[line - 1];
    if (ascii_[line - 1]) return {line, offset - start + 1};
    int column = 1;
    for (int i = start; i < offset; ++i)
        if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++column;  // count code points
    return {line, column};
}

std::string LineIndex::line_text(int line) const {
    if (line < 1 || line > static_cast<int>(starts_.size())) return {};
    const int start = starts_[line - 1];
    int end = line < static_cast<int>(starts_.size()) ? starts_[line] - 1
                                                      : static_cast<int>(text_.size());
    if (end > start && text_[end - 1] == '\r') --end;
    return text_.substr(start, end - start);
}

std::string escape_control(const std::string &text, bool backslash) {
    std::string out;
    out.reserve(text.size());
    for (unsigned char c : text) {
        if (c == '\n') out += "\\n";
        else if (c == '\r') out += "\\r";
        else if (c == '\t') out += "\\t";
        else if (c < 0x20 || c == 0x7f) {
            static const char hex[] = "0123456789abcdef";
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 0xf];
        } else if (backslash && c == '\\') out += "\\\\";
        else out += static_cast<char>(c);
    }
    return out;
}

}  // namespace mg
