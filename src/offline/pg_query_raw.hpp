// libpg_query's internal raw-parser entry points (pg_query_internal.h needs its own copy of the
// server headers, so the few declarations are repeated here, once).
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

PgQueryInternalParsetreeAndError pg_query_raw_parse(const char *input);
void pg_query_free_error(PgQueryError *error);
MemoryContext pg_query_enter_memory_context(void);
void pg_query_exit_memory_context(MemoryContext ctx);
}
