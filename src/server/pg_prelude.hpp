// Every server file includes PostgreSQL through this header: one place for C linkage and for
// version shims when PostgreSQL 16 and 17 follow.
#pragma once

extern "C" {
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/event_trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/parsenodes.h"
#include "parser/parser.h"
#include "tcop/cmdtag.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/syscache.h"
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
#error "migration_guard supports PostgreSQL 15 to 18"
#endif

#include "server/pg_compat.hpp"
