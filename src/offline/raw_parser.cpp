#include "offline/raw_parser.hpp"

#include <cstdlib>

#include "engine/text_position.hpp"

// libpg_query's internal entry points (pg_query_internal.h needs its own copy of the server
// headers, so the few declarations are repeated here).
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
// Releases libpg_query's memory context however the scope is left (the engine may throw).
struct ParserMemory {
    MemoryContext ctx = pg_query_enter_memory_context();
    ~ParserMemory() { pg_query_exit_memory_context(ctx); }
};
}  // namespace

bool analyze_text(const std::string &text, const CatalogFacts &catalog, const Options &options,
                  std::vector<StatementReport> &reports, ParseError &error) {
    ParserMemory memory;
    PgQueryInternalParsetreeAndError parsed = pg_query_raw_parse(text.c_str());
    if (parsed.stderr_buffer) std::free(parsed.stderr_buffer);
    if (parsed.error) {
        error.message = parsed.error->message ? parsed.error->message : "syntax error";
        error.location = parsed.error->cursorpos > 0 ? byte_offset_of_char(text, parsed.error->cursorpos) : -1;
        pg_query_free_error(parsed.error);
        return false;
    }
    reports = analyze(parsed.tree, text, catalog, options);
    return true;
}

}  // namespace mg
