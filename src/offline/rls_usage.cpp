#include "offline/rls_usage.hpp"

#include <algorithm>
#include <strings.h>

#include "engine/node_names.hpp"
#include "offline/pg_query_raw.hpp"
#include "offline/script_analysis.hpp"


namespace mg {

namespace {

// Where the text says "policy" or "level security" in any case, from `from` on (-1: nowhere),
// in one pass that compares the first letter inline (a few instructions a byte).
int rls_word(const std::string &text, size_t from) {
    const char *p = text.data();
    const size_t n = text.size();
    for (size_t i = from; i < n; ++i) {
        const char c = static_cast<char>(p[i] | 0x20);
        if (c == 'p' && i + 6 <= n && strncasecmp(p + i, "policy", 6) == 0) return static_cast<int>(i);
        if (c == 'l' && i + 14 <= n && strncasecmp(p + i, "level security", 14) == 0) return static_cast<int>(i);
    }
    return -1;
}

void add(std::vector<std::string> &out, const RangeVar *rv) {
    if (!rv) return;
    std::string schema = rv->schemaname ? rv->schemaname : "public";
    if (std::find(out.begin(), out.end(), schema) == out.end()) out.push_back(std::move(schema));
}

// Collects from one text; false when it does not parse.
bool collect(const std::string &text, std::vector<std::string> &out) {
    MemoryContext ctx = pg_query_enter_memory_context();
    PgQueryInternalParsetreeAndError parsed = mg_raw_parse(text.c_str());
    if (parsed.stderr_buffer) std::free(parsed.stderr_buffer);
    const bool ok = !parsed.error;
    if (parsed.error) pg_query_free_error(parsed.error);
    const ListCell *lc;
    if (ok) foreach (lc, parsed.tree) {
        const Node *stmt = static_cast<const RawStmt *>(lfirst(lc))->stmt;
        if (IsA(stmt, CreatePolicyStmt)) {
            add(out, reinterpret_cast<const CreatePolicyStmt *>(stmt)->table);
        } else if (IsA(stmt, AlterTableStmt)) {
            const auto *alter = reinterpret_cast<const AlterTableStmt *>(stmt);
            const ListCell *cc;
            foreach (cc, alter->cmds) {
                const auto *cmd = static_cast<const AlterTableCmd *>(lfirst(cc));
                if (cmd->subtype == AT_EnableRowSecurity || cmd->subtype == AT_ForceRowSecurity) add(out, alter->relation);
            }
        }
    }
    pg_query_exit_memory_context(ctx);
    return ok;
}

}  // namespace

std::vector<std::string> schemas_using_rls(const std::string &text) {
    std::vector<std::string> out;
    int at = rls_word(text, 0);
    if (at < 0 || text.find('\0') != std::string::npos) return out;
    // Parse only the statements around the words, cut at the semicolons next to them; one that
    // does not parse alone (a semicolon in a literal or comment) sends the whole text to the parser.
    while (at >= 0) {
        const size_t semi = text.rfind(';', at);
        const size_t begin = semi == std::string::npos ? 0 : semi + 1;
        size_t end = text.find(';', at);
        if (end == std::string::npos) end = text.size();
        if (!collect(text.substr(begin, end - begin), out)) {
            out.clear();
            if (collect(text, out)) return out;
            for (const Span &s : statement_spans(text)) collect(text.substr(s.begin, s.end - s.begin), out);
            return out;
        }
        at = rls_word(text, end);
    }
    return out;
}

}  // namespace mg
