#include "offline/raw_parser.hpp"

#include <algorithm>
#include <cstdlib>

#include "engine/depth_guard.hpp"
#include "engine/text_position.hpp"

#include "offline/pg_query_raw.hpp"
#include "offline/plpgsql_inline.hpp"

namespace mg {

ParserScope::ParserScope() : context_(pg_query_enter_memory_context()) {}
ParserScope::~ParserScope() { pg_query_exit_memory_context(static_cast<MemoryContext>(context_)); }

namespace {

// psql sends what follows a NUL byte (and PostgreSQL rejects invalid UTF-8): a linter that
// stopped at the first NUL, or judged bytes the server would read differently, could pass a
// file whose later statements run unchecked. Such a file is refused with the position.
bool refuse_unreadable(const std::string &text, ParseError &error) {
    const size_t nul = text.find('\0');
    if (nul != std::string::npos) {
        error = {"the text contains a NUL byte: what follows it would not be checked", static_cast<int>(nul)};
        return true;
    }
    const auto *p = reinterpret_cast<const unsigned char *>(text.data());
    const size_t n = text.size();
    for (size_t i = 0; i < n;) {
        const unsigned char c = p[i];
        size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
        bool ok = len > 0 && i + len <= n;
        for (size_t k = 1; ok && k < len; k++) ok = (p[i + k] & 0xc0) == 0x80;
        if (ok && len == 2) ok = c >= 0xc2;                                        // overlong
        if (ok && len == 3) ok = !(c == 0xe0 && p[i + 1] < 0xa0) && !(c == 0xed && p[i + 1] >= 0xa0);  // overlong, surrogates
        if (ok && len == 4) ok = !(c == 0xf0 && p[i + 1] < 0x90) && (c < 0xf4 || (c == 0xf4 && p[i + 1] < 0x90));
        if (!ok) {
            error = {"invalid UTF-8 byte sequence: the text must be UTF-8", static_cast<int>(i)};
            return true;
        }
        i += len;
    }
    return false;
}

}  // namespace

namespace {

// Advice about the migration's own transaction (locks held, timeouts set): not for a function body.
bool in_transaction_only(const std::string &rule) {
    return rule == "require-lock-timeout" || rule == "backfill-under-lock" || rule == "require-statement-timeout" ||
           rule == "open-transaction" || rule == "nested-begin" || rule == "concurrently-in-transaction" ||
           rule == "ddl-outside-migration";
}

}  // namespace

bool parse_tree(const std::string &text, List *&tree, ParseError &error) {
    PgQueryInternalParsetreeAndError parsed = mg_raw_parse(text.c_str());
    if (parsed.stderr_buffer) std::free(parsed.stderr_buffer);
    if (parsed.error) {
        error.message = parsed.error->message ? parsed.error->message : "syntax error";
        error.location = parsed.error->cursorpos > 0 ? byte_offset_of_char(text, parsed.error->cursorpos) : -1;
        pg_query_free_error(parsed.error);
        return false;
    }
    tree = parsed.tree;
    return true;
}

bool analyze_text(const std::string &original, const CatalogFacts &catalog, const Options &options,
                  std::vector<StatementReport> &reports, ParseError &error) {
    if (refuse_unreadable(original, error)) return false;
    // PL/pgSQL bodies, found in the parse; their statements found after it (libpg_query's PL/pgSQL
    // parser switches memory contexts of its own: never inside a ParserScope).
    std::vector<PlpgsqlBody> bodies;
    bool has_do = false;
    try {
        {
            ParserScope memory;
            List *tree = nullptr;
            if (!parse_tree(original, tree, error)) return false;
            bodies = plpgsql_bodies(original, tree);
            for (const auto &b : bodies) has_do = has_do || b.do_block;
            if (!has_do) reports = analyze(tree, original, catalog, options);
        }
        if (bodies.empty()) return true;
        find_statements(bodies);
        // A DO block's static statements run now: linted in their place, at the same offsets.
        if (has_do) {
            const std::string inlined = inline_do_blocks(original, bodies);
            ParserScope memory;
            List *tree = nullptr;
            if (!parse_tree(inlined, tree, error)) return false;
            reports = analyze(tree, inlined, catalog, options);
        }
        // A function's static statements run when it is called: judged apart, said so, without the
        // advice that depends on the migration's own transaction.
        if (!options.function_bodies) return true;
        for (const auto &fn : bodies) {
            if (fn.do_block || fn.statements.empty()) continue;
            StatementReport *owner = nullptr;
            for (auto &r : reports)
                if (r.location <= static_cast<int>(fn.start) &&
                    static_cast<int>(fn.start) < r.location + std::max(r.length, 1))
                    owner = &r;
            if (!owner) continue;
            const std::string text = function_statements(original, fn);
            ParserScope memory;
            List *inner = nullptr;
            ParseError ignored;
            if (!parse_tree(text, inner, ignored)) continue;
            for (auto &statement : analyze(inner, text, catalog, options))
                for (auto &f : statement.findings) {
                    if (in_transaction_only(f.rule)) continue;
                    f.message = "In function " + fn.function + ", when it is called: " + f.message;
                    f.statement = owner->number;
                    owner->findings.push_back(std::move(f));
                }
        }
    } catch (const TooDeep &e) {
        error = {e.what(), e.location};
        return false;
    }
    return true;
}

int parser_major() { return PG_VERSION_NUM / 10000; }

}  // namespace mg
