#include "engine/approval_scope.hpp"

#include <algorithm>

namespace mg {

bool glob_match(const std::string &pattern, const std::string &text) {
    // Iterative wildcard matching with backtracking to the last '*': linear in practice.
    size_t p = 0, t = 0, star = std::string::npos, mark = 0;
    while (t < text.size()) {
        if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            mark = t;
        } else if (p < pattern.size() && pattern[p] == text[t]) {
            ++p;
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

bool ApprovalScope::covers(const std::string &rule, const std::string &object) const {
    const bool rule_ok = std::any_of(rules.begin(), rules.end(),
                                     [&](const std::string &r) { return r == "*" || r == rule; });
    if (!rule_ok) return false;
    return std::any_of(objects.begin(), objects.end(),
                       [&](const std::string &pattern) { return glob_match(pattern, object); });
}

}  // namespace mg
