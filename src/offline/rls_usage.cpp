#include "offline/rls_usage.hpp"

#include <algorithm>
#include <cstring>
#include <strings.h>

#include "engine/node_names.hpp"
#include "offline/script_analysis.hpp"

extern "C" {
typedef struct {
    char *message;
    char *funcname;
    char *filename;
    int lineno;
    int cursorpos;
    char *context;
} PgQueryError;
typedef struct {
    List *tree;
    char *stderr_buffer;
    PgQueryError *error;
} PgQueryInternalParsetreeAndError;
PgQueryInternalParsetreeAndError pg_query_raw_parse(const char *input);
void pg_query_free_error(PgQueryError *error);
MemoryContext pg_query_enter_memory_context(void);
void pg_query_exit_memory_context(MemoryContext ctx);
}

namespace mg {

namespace {

// Case-insensitive search for a lower-case word; the first letter is compared inline, so a text
// without it costs a few instructions a byte.
bool mentions(const std::string &text, const char *word) {
    const size_t n = std::strlen(word);
    const char first = word[0];
    const char *p = text.data();
    for (size_t i = 0; i + n <= text.size(); ++i)
        if ((p[i] | 0x20) == first && strncasecmp(p + i, word, n) == 0) return true;
    return false;
}

void add(std::vector<std::string> &out, const RangeVar *rv) {
    if (!rv) return;
    std::string schema = rv->schemaname ? rv->schemaname : "public";
    if (std::find(out.begin(), out.end(), schema) == out.end()) out.push_back(std::move(schema));
}

// Collects from one text; false when it does not parse.
bool collect(const std::string &text, std::vector<std::string> &out) {
    MemoryContext ctx = pg_query_enter_memory_context();
    PgQueryInternalParsetreeAndError parsed = pg_query_raw_parse(text.c_str());
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
    if (!mentions(text, "row level security") && !mentions(text, "policy")) return out;
    if (text.find('\0') != std::string::npos) return out;
    if (collect(text, out)) return out;
    for (const Span &s : statement_spans(text)) collect(text.substr(s.begin, s.end - s.begin), out);
    return out;
}

}  // namespace mg
