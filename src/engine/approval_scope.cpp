#include "engine/approval_scope.hpp"

#include <algorithm>

namespace mg {

bool glob_match(const std::string &pattern, const std::string &text) {
    // Iterative wildcard matching with backtracking to the last '*': linear in practice.
    // A backslash makes the next character literal: `\*` matches a table named "*" and nothing else.
    size_t p = 0, t = 0, star = std::string::npos, mark = 0;
    while (t < text.size()) {
        const bool escaped = p + 1 < pattern.size() && pattern[p] == '\\';
        if (!escaped && p < pattern.size() && pattern[p] == '*') {
            star = p++;
            mark = t;
        } else if (p < pattern.size() && pattern[p + (escaped ? 1 : 0)] == text[t]) {
            p += escaped ? 2 : 1;
            ++t;
        } else if (star != std::string::npos) {
            p = star + 1;
            t = ++mark;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

std::string literal_pattern(const std::string &name) {
    std::string out;
    for (char c : name) {
        if (c == '*' || c == '\\') out += '\\';
        out += c;
    }
    return out;
}

bool ApprovalScope::covers(const std::string &rule, const std::string &object) const {
    const bool rule_ok = std::any_of(rules.begin(), rules.end(),
                                     [&](const std::string &r) { return r == "*" || r == rule; });
    if (!rule_ok) return false;
    return std::any_of(objects.begin(), objects.end(),
                       [&](const std::string &pattern) { return glob_match(pattern, object); });
}

}  // namespace mg
