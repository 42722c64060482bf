// migration_guard.row_id(): ids of the guard's own rows (audit log, approval uses) without a
// sequence. nextval() in the guard's writes would become the session's lastval(), and a
// non-superuser's lastval() would then fail on a sequence it may not read. An id is the writing
// transaction's full transaction id shifted left 20 bits, plus a counter within it: unique across
// transactions (and the audit writer's own), and ordered as transactions got their ids.
// PostgreSQL code only.
#include "server/audit/audit_table.hpp"

extern "C" {
#include "access/transam.h"

PG_FUNCTION_INFO_V1(migration_guard_row_id);
Datum migration_guard_row_id(PG_FUNCTION_ARGS);
}

namespace {
constexpr int kCounterBits = 20;  // 1,048,576 rows per transaction
}

namespace mg::server {

int64 next_row_id() {
    static FullTransactionId last = InvalidFullTransactionId;
    static uint64 counter = 0;
    const FullTransactionId xid = GetTopFullTransactionId();
    if (!FullTransactionIdEquals(xid, last)) {
        last = xid;
        counter = 0;
    }
    if (counter >= (UINT64CONST(1) << kCounterBits))
        ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
                        errmsg("migration_guard cannot record more than %d rows in one transaction", 1 << kCounterBits),
                        errhint("Split the migration into several transactions.")));
    const uint64 id = (U64FromFullTransactionId(xid) << kCounterBits) | counter++;
    return static_cast<int64>(id);
}

}  // namespace mg::server

Datum migration_guard_row_id(PG_FUNCTION_ARGS) { PG_RETURN_INT64(mg::server::next_row_id()); }
