#include "cli/suppressions.hpp"

#include <cctype>
#include <string_view>

#include "cli/text_util.hpp"
#include "engine/rule_catalog.hpp"
#include "offline/psql_script.hpp"

namespace mg::cli {

namespace {

constexpr std::string_view kStatement = "migration-guard-ignore";
constexpr std::string_view kFile = "migration-guard-ignore-file";


bool parse_comment(std::string_view body, IgnoreComment &out) {
    body = trim(body);
    std::string_view rest;
    if (body.substr(0, kFile.size()) == kFile) {
        out.whole_file = true;
        rest = body.substr(kFile.size());
    } else if (body.substr(0, kStatement.size()) == kStatement) {
        rest = body.substr(kStatement.size());
    } else {
        return false;
    }
    // "migration-guard-ignored" and the like are other words.
    if (!rest.empty() && !std::isspace(static_cast<unsigned char>(rest.front())) && rest.front() != ':') return false;
    const size_t colon = rest.find(':');
    if (colon == std::string_view::npos) {
        // No colon, no reason: the first word is taken for the rule, to name it in the finding.
        std::string_view words = trim(rest);
        const size_t space = words.find_first_of(" \t");
        if (!words.empty()) out.rules.emplace_back(words.substr(0, space));
        out.problem = "gives no reason: write why after a colon (-- migration-guard-ignore" +
                      std::string(out.whole_file ? "-file " : " ") + (out.rules.empty() ? "RULE" : out.rules.front()) +
                      ": REASON)";
        return true;
    }
    std::string_view list = trim(rest.substr(0, colon));
    if (colon != std::string_view::npos) out.reason = std::string(trim(rest.substr(colon + 1)));
    size_t start = 0;
    while (start <= list.size()) {
        size_t comma = list.find(',', start);
        if (comma == std::string_view::npos) comma = list.size();
        std::string_view id = trim(list.substr(start, comma - start));
        // Rules may be separated by blanks too ("a, b" or "a b").
        while (!id.empty()) {
            size_t space = 0;
            while (space < id.size() && !std::isspace(static_cast<unsigned char>(id[space]))) ++space;
            out.rules.emplace_back(id.substr(0, space));
            id = trim(id.substr(space));
        }
        start = comma + 1;
    }
    if (out.rules.empty()) out.problem = "names no rule (-- migration-guard-ignore RULE[,RULE...]: REASON)";
    for (const auto &id : out.rules)
        if (out.problem.empty() && !find_rule(id)) out.problem = "names an unknown rule '" + id + "'";
    if (out.problem.empty() && out.reason.empty())
        out.problem = "gives no reason: write why after the colon";
    return true;
}

}  // namespace

std::vector<IgnoreComment> find_ignore_comments(const std::string &text) {
    std::vector<IgnoreComment> out;
    if (text.find(kStatement) == std::string::npos) return out;  // the common case: one search
    for (const CommentSpan &c : line_comments(text)) {
        std::string_view body(text.data() + c.begin + 2, c.end - c.begin - 2);
        IgnoreComment ignore;
        ignore.offset = c.begin;
        ignore.end = c.end;
        if (parse_comment(body, ignore)) out.push_back(std::move(ignore));
    }
    return out;
}

}  // namespace mg::cli
