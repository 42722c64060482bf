#include "server/enforcement/statement_text.hpp"

#include "engine/text_position.hpp"
#include "server/boundary.hpp"

extern "C" {
#include "tcop/tcopprot.h"
}

namespace mg::server {

namespace {

struct Frame {
    const char *query;
    int location;
    int length;
};

constexpr int kMaxDepth = 64;
Frame frames[kMaxDepth];
int depth = 0;

// Parsed copy of the last top-level query string, reused by its following statements.
MemoryContext parsed_context = nullptr;
char *parsed_query = nullptr;
List *parsed_stmts = NIL;

std::string slice(const char *query, int location, int length) {
    const std::string text(query);
    const int start = skip_blanks(text, std::max(0, location));
    const int end = length > 0 ? std::min<int>(location + length, static_cast<int>(text.size()))
                               : static_cast<int>(text.size());
    return end > start ? text.substr(start, end - start) : text;
}

}  // namespace

void push_statement(const char *query, int location, int length) {
    if (depth < kMaxDepth) frames[depth] = {query, location, length};
    ++depth;
}

void pop_statement() {
    if (depth > 0) --depth;
}

namespace {

// parsed_query/parsed_stmts hold `query` parsed. PostgreSQL code only.
void parse_top_level(const char *query) {
    if (parsed_query && strcmp(parsed_query, query) == 0) return;
    if (!parsed_context)
        parsed_context = AllocSetContextCreate(TopMemoryContext, "migration_guard statement text", ALLOCSET_DEFAULT_SIZES);
    MemoryContextReset(parsed_context);
    parsed_query = nullptr;
    parsed_stmts = NIL;
    MemoryContext old = MemoryContextSwitchTo(parsed_context);
    parsed_query = pstrdup(query);
    // A query string that does not parse alone (e.g. with parameters) keeps no statements.
    PG_TRY();
    {
        parsed_stmts = raw_parser(parsed_query, RAW_PARSE_DEFAULT);
    }
    PG_CATCH();
    {
        MemoryContextSwitchTo(parsed_context);
        FlushErrorState();
        parsed_stmts = NIL;
    }
    PG_END_TRY();
    MemoryContextSwitchTo(old);
}

}  // namespace

std::string whole_query_text(const std::string &statement) {
    const char *query = debug_query_string;
    if (!query || statement.empty()) return {};
    List *stmts = NIL;
    pg_call([&] {
        parse_top_level(query);
        stmts = parsed_stmts;
    });
    if (list_length(stmts) < 2) return {};
    ListCell *lc;
    foreach (lc, stmts) {
        const RawStmt *raw = lfirst_node(RawStmt, lc);
        if (slice(query, raw->stmt_location, raw->stmt_len) == statement) return query;
    }
    return {};
}

std::string running_statement_text(Node *parsetree) {
    if (depth > 0 && depth <= kMaxDepth && frames[depth - 1].query)
        return slice(frames[depth - 1].query, frames[depth - 1].location, frames[depth - 1].length);
    const char *query = debug_query_string;
    if (!query) return {};
    int location = -1, length = 0;
    pg_call([&] {
        parse_top_level(query);
        ListCell *lc;
        foreach (lc, parsed_stmts) {
            RawStmt *raw = lfirst_node(RawStmt, lc);
            if (parsetree && equal(raw->stmt, parsetree)) {
                location = raw->stmt_location;
                length = raw->stmt_len;
                break;
            }
        }
    });
    if (location < 0) return query;  // nested statement: the top-level statement that ran it
    return slice(query, location, length);
}

}  // namespace mg::server
