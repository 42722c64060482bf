#include "offline/placeholders.hpp"

#include <cctype>
#include <cstring>

namespace mg {

namespace {

bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// The last identifier-like word of a placeholder's content, lower-cased: "Namespace" for
// {{ index .Options "Namespace" }}, "defaultschema" for ${flyway:defaultSchema}.
std::string name_of(const std::string &content) {
    size_t end = content.size();
    while (end > 0 && !ident_char(content[end - 1])) --end;
    size_t begin = end;
    while (begin > 0 && ident_char(content[begin - 1])) --begin;
    std::string name = content.substr(begin, end - begin);
    for (char &c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!name.empty() && std::isdigit(static_cast<unsigned char>(name[0]))) name.insert(0, "p");
    return name.empty() ? "placeholder" : name;
}

// A quoted string in the placeholder that is not a plain name ({{ "DROP TABLE users;" }}) is
// text the tool writes into the SQL: the linter cannot read it as a name, so the placeholder is
// left as written and the statement is reported as one that does not parse, never passed.
bool writes_text(const std::string &content) {
    char quote = 0;
    for (char c : content) {
        if (quote) {
            if (c == quote) quote = 0;
            else if (!ident_char(c)) return true;
        } else if (c == '"' || c == '\'' || c == '`') {
            quote = c;
        }
    }
    return false;
}

bool is_action(const std::string &content) {
    size_t i = 0;
    while (i < content.size() && (content[i] == '-' || content[i] == ' ' || content[i] == '%' || content[i] == '#'))
        ++i;
    if (content.compare(i, 2, "/*") == 0) return true;
    size_t j = i;
    while (j < content.size() && ident_char(content[j])) ++j;
    const std::string word = content.substr(i, j - i);
    for (const char *w : {"if", "else", "end", "range", "with", "define", "block", "template", "for", "endif",
                          "endfor", "elif", "set", "break", "continue"})
        if (word == w) return true;
    return false;
}

}  // namespace

bool has_placeholders(const std::string &text) {
    return text.find("{{") != std::string::npos || text.find("${") != std::string::npos;
}

std::string fill_placeholders(const std::string &text, std::vector<Placeholder> &found) {
    std::string out = text;
    const size_t n = text.size();
    size_t i = 0;
    while (i < n) {
        const char c = text[i];
        if (c == '\'') {  // a literal: placeholders in it stay (they are data)
            const bool escapes = i > 0 && (text[i - 1] == 'E' || text[i - 1] == 'e');
            for (++i; i < n; ++i) {
                if (escapes && text[i] == '\\') ++i;
                else if (text[i] == '\'') {
                    if (i + 1 < n && text[i + 1] == '\'') ++i;
                    else break;
                }
            }
            ++i;
            continue;
        }
        if (c == '-' && i + 1 < n && text[i + 1] == '-') {
            while (i < n && text[i] != '\n') ++i;
            continue;
        }
        if (c == '/' && i + 1 < n && text[i + 1] == '*') {
            int depth = 0;
            for (; i + 1 < n; ++i) {
                if (text[i] == '/' && text[i + 1] == '*') ++depth, ++i;
                else if (text[i] == '*' && text[i + 1] == '/' && --depth == 0) break;
            }
            i += 2;
            continue;
        }
        const bool braces = c == '{' && i + 1 < n && text[i + 1] == '{';
        const bool dollar = c == '$' && i + 1 < n && text[i + 1] == '{';
        if (!braces && !dollar) {
            ++i;
            continue;
        }
        const char *close = braces ? "}}" : "}";
        const size_t content_at = i + 2;
        const size_t end = text.find(close, content_at);
        if (end == std::string::npos || end - i > 200 || text.find('\n', i) < end) {
            ++i;
            continue;
        }
        size_t from = i, to = end + std::strlen(close);
        const std::string content = text.substr(content_at, end - content_at);
        if (writes_text(content)) {
            i = end + std::strlen(close);
            continue;
        }
        // A quoted "{{ ... }}" is a name on its own: its quotes go too.
        if (from > 0 && text[from - 1] == '"' && to < n && text[to] == '"') --from, ++to;
        Placeholder p{from, text.substr(from, to - from), is_action(content) ? "" : name_of(content)};
        // Glued to a name ({{ .Prefix }}_users): one identifier, so no blanks inside it.
        const bool glued = (from > 0 && ident_char(text[from - 1])) || (to < n && ident_char(text[to]));
        std::string fill = p.name.substr(0, to - from);
        fill.resize(to - from, glued && !p.name.empty() ? '_' : ' ');
        out.replace(from, to - from, fill);
        found.push_back(std::move(p));
        i = to;
    }
    return out;
}

}  // namespace mg
