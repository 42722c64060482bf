// libpg_query's internal raw-parser entry points, for the major whose server headers the offline
// engine is built over (pg_query_internal.h needs its own copy of those headers, so the few
// declarations are repeated here, once).
#pragma once

#include "engine/pg_nodes.hpp"

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

#if PG_VERSION_NUM >= 160000
PgQueryInternalParsetreeAndError pg_query_raw_parse(const char *input, int parser_options);
#else
PgQueryInternalParsetreeAndError pg_query_raw_parse(const char *input);
#endif
void pg_query_free_error(PgQueryError *error);

typedef struct {
    char *plpgsql_funcs;
    PgQueryError *error;
} PgQueryPlpgsqlParseResult;
PgQueryPlpgsqlParseResult pg_query_parse_plpgsql(const char *input);
void pg_query_free_plpgsql_parse_result(PgQueryPlpgsqlParseResult result);
MemoryContext pg_query_enter_memory_context(void);
void pg_query_exit_memory_context(MemoryContext ctx);
}

// The one difference between libpg_query majors the offline code meets: from 16 on the raw
// parser takes parse options (0: a whole SQL text).
inline PgQueryInternalParsetreeAndError mg_raw_parse(const char *input) {
#if PG_VERSION_NUM >= 160000
    return pg_query_raw_parse(input, 0);
#else
    return pg_query_raw_parse(input);
#endif
}
