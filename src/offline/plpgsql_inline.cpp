#include "offline/plpgsql_inline.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <utility>

#include "engine/text_position.hpp"
#include "offline/pg_query_raw.hpp"
#include "offline/raw_parser.hpp"

namespace mg {

namespace {

// The static SQL statements of a PL/pgSQL body, in order (the JSON keeps the body's order).
void collect(const nlohmann::ordered_json &node, std::vector<std::string> &queries) {
    if (node.is_array()) {
        for (const auto &item : node) collect(item, queries);
        return;
    }
    if (!node.is_object()) return;
    for (const auto &[key, value] : node.items()) {
        if (key == "PLpgSQL_stmt_execsql" && value.is_object()) {
            const auto sql = value.find("sqlstmt");
            if (sql != value.end() && sql->is_object()) {
                const auto expr = sql->find("PLpgSQL_expr");
                if (expr != sql->end() && expr->is_object()) {
                    const auto q = expr->find("query");
                    if (q != expr->end() && q->is_string()) queries.push_back(q->get<std::string>());
                }
            }
            continue;
        }
        collect(value, queries);
    }
}

// The body's static statements, located in the body (offset, length including their ';').
std::vector<std::pair<size_t, size_t>> body_statements(const std::string &body) {
    std::vector<std::pair<size_t, size_t>> out;
    const std::string quote = "$mg_plpgsql_body$";
    if (body.find(quote) != std::string::npos) return out;
    const std::string wrapper = "CREATE FUNCTION mg_body() RETURNS void LANGUAGE plpgsql AS " + quote + body + quote;
    {
        // libpg_query's PL/pgSQL parser leaks when the statement itself does not parse: look first.
        ParserScope scope;
        List *tree = nullptr;
        ParseError error;
        if (!parse_tree(wrapper, tree, error)) return out;
    }
    PgQueryPlpgsqlParseResult parsed = pg_query_parse_plpgsql(wrapper.c_str());
    std::vector<std::string> queries;
    if (!parsed.error && parsed.plpgsql_funcs) {
        const auto json = nlohmann::ordered_json::parse(parsed.plpgsql_funcs, nullptr, false);
        if (!json.is_discarded()) collect(json, queries);
    }
    pg_query_free_plpgsql_parse_result(parsed);
    size_t cursor = 0;
    for (const auto &q : queries) {
        const size_t at = body.find(q, cursor);
        if (at == std::string::npos) continue;
        size_t end = at + q.size();
        const size_t semicolon = body.find(';', end);
        if (semicolon != std::string::npos && body.find_first_not_of(" \t\r\n", end) == semicolon) {
            end = semicolon + 1;
        } else if (semicolon != std::string::npos) {
            // "... RETURNING id INTO v;": the query ends before INTO (a PL/pgSQL clause); its ';' is
            // kept on its own so the next statement does not run on from it.
            out.emplace_back(at, end - at);
            out.emplace_back(semicolon, 1);
            cursor = semicolon + 1;
            continue;
        }
        out.emplace_back(at, end - at);
        cursor = end;
    }
    return out;
}

std::string def_string(const List *options, const char *name) {
    const ListCell *lc;
    foreach (lc, options) {
        const auto *def = static_cast<const DefElem *>(lfirst(lc));
        if (def->defname && std::string(def->defname) == name && def->arg) {
            if (IsA(def->arg, String)) return strVal(def->arg);
            if (IsA(def->arg, List) && list_length(castNode(List, def->arg)) > 0 &&
                IsA(linitial(castNode(List, def->arg)), String))
                return strVal(linitial(castNode(List, def->arg)));
        }
    }
    return {};
}


// Blanks [from, to) of `out` but newlines, keeping offsets and line numbers.
void blank(std::string &out, size_t from, size_t to) {
    for (size_t i = from; i < to && i < out.size(); i++)
        if (out[i] != '\n') out[i] = ' ';
}

}  // namespace

std::vector<PlpgsqlBody> plpgsql_bodies(const std::string &text, const List *tree) {
    std::vector<PlpgsqlBody> out;
    size_t index = 0;
    const ListCell *lc;
    foreach (lc, tree) {
        const auto *raw = static_cast<const RawStmt *>(lfirst(lc));
        PlpgsqlBody b;
        b.statement = index++;
        std::string language = "plpgsql";
        if (IsA(raw->stmt, DoStmt)) {
            const List *args = reinterpret_cast<const DoStmt *>(raw->stmt)->args;
            b.body = def_string(args, "as");
            if (const std::string l = def_string(args, "language"); !l.empty()) language = l;
        } else if (IsA(raw->stmt, CreateFunctionStmt)) {
            const auto *f = reinterpret_cast<const CreateFunctionStmt *>(raw->stmt);
            b.do_block = false;
            b.body = def_string(f->options, "as");
            language = def_string(f->options, "language");
            const ListCell *n;
            foreach (n, f->funcname) b.function += (b.function.empty() ? "" : ".") + std::string(strVal(lfirst(n)));
        } else {
            continue;
        }
        std::transform(language.begin(), language.end(), language.begin(), [](unsigned char c) { return std::tolower(c); });
        if (language != "plpgsql" || b.body.empty()) continue;
        b.stmt_start = static_cast<size_t>(std::max(0, raw->stmt_location));
        b.stmt_end = raw->stmt_len > 0 ? b.stmt_start + static_cast<size_t>(raw->stmt_len) : text.size();
        const size_t at = text.find(b.body, b.stmt_start);
        if (at == std::string::npos || at + b.body.size() > b.stmt_end) continue;  // quoted with escapes
        b.start = at;
        out.push_back(std::move(b));
    }
    return out;
}

void find_statements(std::vector<PlpgsqlBody> &bodies) {
    for (auto &b : bodies)
        for (const auto &[offset, length] : body_statements(b.body)) b.statements.emplace_back(b.start + offset, length);
}

std::string inline_do_blocks(const std::string &text, const std::vector<PlpgsqlBody> &bodies) {
    std::string out = text;
    for (const auto &b : bodies) {
        if (!b.do_block) continue;
        blank(out, b.stmt_start, b.stmt_end);
        for (const auto &[offset, length] : b.statements) out.replace(offset, length, text, offset, length);
    }
    return out;
}

std::string function_statements(const std::string &text, const PlpgsqlBody &body) {
    std::string out(text.size(), ' ');
    for (size_t i = 0; i < text.size(); i++)
        if (text[i] == '\n') out[i] = '\n';
    for (const auto &[offset, length] : body.statements) out.replace(offset, length, text, offset, length);
    return out;
}

}  // namespace mg
