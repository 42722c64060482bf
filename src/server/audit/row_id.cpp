// migration_guard.row_id(): ids of the guard's own rows (audit log, approval uses, kept items)
// without a sequence. nextval() in the guard's writes would become the session's lastval(), and a
// non-superuser's lastval() would then fail on a sequence it may not read.
//
// An id is the time of the write in microseconds since 2000 shifted left 11 bits, plus 11 bits
// that tell clusters apart (a hash of the system identifier). Ids must stay unique where rows
// meet: a dump of one cluster restored into another (or pg_dumpall), which copies the source's
// history next to rows the target writes itself. Transaction ids, used before 0.3.0, restart in
// every cluster and collided there; time goes on. Within a server one shared counter makes them
// strictly increasing (the next id is never below the last one plus one), so two backends in the
// same microsecond, a clock stepping back or a burst of rows never repeat one. Without shared
// memory (not preloaded) the same holds per backend, with the backend's slot in the low bits.
// 2^52 microseconds after 2000 is the year 2142. Ids written before 0.3.0 (xid << 20) are far
// below, so order is kept across the update. PostgreSQL code only.
#include "server/audit/audit_table.hpp"
#include "server/audit/audit.hpp"

extern "C" {
#include "access/xlog.h"
#include "common/hashfn.h"
#include "port/atomics.h"
#include "storage/proc.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(migration_guard_row_id);
Datum migration_guard_row_id(PG_FUNCTION_ARGS);
}

namespace {
constexpr int kNodeBits = 11;
constexpr uint64 kNodeMask = (UINT64CONST(1) << kNodeBits) - 1;

uint64 node_bits() {
    static uint64 node = UINT64_MAX;
    if (node == UINT64_MAX) {
        const uint64 sysid = GetSystemIdentifier();
        node = hash_bytes_uint32(static_cast<uint32>(sysid ^ (sysid >> 32))) & kNodeMask;
    }
    return node;
}

uint64 from_clock() {
    const TimestampTz now = GetCurrentTimestamp();
    return (static_cast<uint64>(now > 0 ? now : 0) << kNodeBits) | node_bits();
}
}  // namespace

namespace mg::server {

int64 next_row_id() {
    uint64 candidate = from_clock();
    if (pg_atomic_uint64 *last = shared_row_id_clock()) {
        uint64 seen = pg_atomic_read_u64(last);
        for (;;) {
            const uint64 id = candidate > seen ? candidate : seen + 1;
            if (pg_atomic_compare_exchange_u64(last, &seen, id)) return static_cast<int64>(id);
        }
    }
    // Per backend: the slot (unique among live backends) in place of the cluster bits.
    static uint64 last_here = 0;
    const uint64 slot = static_cast<uint64>(mg::pg::proc_number()) & kNodeMask;
    candidate = (candidate & ~kNodeMask) | slot;
    if (candidate <= last_here) candidate = ((last_here >> kNodeBits) + 1) << kNodeBits | slot;
    last_here = candidate;
    return static_cast<int64>(candidate);
}

}  // namespace mg::server

Datum migration_guard_row_id(PG_FUNCTION_ARGS) { PG_RETURN_INT64(mg::server::next_row_id()); }
