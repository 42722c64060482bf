// The only door through which engine code sees PostgreSQL: the parse-tree structs of PostgreSQL 15.
// Engine files include this header and nothing else from the server, so the same code compiles
// into the extension (trees from the server's parser) and the CLI (trees from libpg_query).
#pragma once

extern "C" {
#include "postgres.h"
#include "nodes/parsenodes.h"
#include "nodes/pg_list.h"
#include "nodes/value.h"
}

// port.h redirects the printf family to PostgreSQL's own implementations; C++ code here uses
// the standard library's.
#undef snprintf
#undef vsnprintf
#undef sprintf
#undef vsprintf
#undef fprintf
#undef vfprintf
#undef printf
#undef vprintf

#if PG_VERSION_NUM < 150000 || PG_VERSION_NUM >= 190000
#error "the rule engine is written against PostgreSQL 15 to 18 parse trees"
#endif
