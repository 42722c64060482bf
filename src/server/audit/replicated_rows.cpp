// migration_guard.skip_replicated(): a row trigger, enabled ALWAYS on every table of the guard,
// that drops what a logical replication worker brings in. A FOR ALL TABLES publication (PostgreSQL
// 15 has no way to leave a table out) publishes the guard's tables; a guarded subscriber must
// neither take the publisher's history for its own nor honour or collide with its approvals, and
// its initial table sync must not fail on ids its own log already uses. Only a logical replication
// worker (which only a superuser's subscription starts) is told apart; session_replication_role =
// replica in an ordinary session (pg_dump --disable-triggers sets it) changes nothing.
// PostgreSQL code only.
#include "server/pg_prelude.hpp"

extern "C" {
#include "commands/trigger.h"
#include "replication/logicalworker.h"

PG_FUNCTION_INFO_V1(migration_guard_skip_replicated);
Datum migration_guard_skip_replicated(PG_FUNCTION_ARGS);
}

Datum migration_guard_skip_replicated(PG_FUNCTION_ARGS) {
    if (!CALLED_AS_TRIGGER(fcinfo))
        ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                        errmsg("migration_guard.skip_replicated() is a trigger function")));
    const auto *data = reinterpret_cast<TriggerData *>(fcinfo->context);
    if (!TRIGGER_FIRED_BEFORE(data->tg_event) || !TRIGGER_FIRED_FOR_ROW(data->tg_event))
        ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                        errmsg("migration_guard.skip_replicated() fires before each row")));
    if (IsLogicalWorker()) return PointerGetDatum(nullptr);
    HeapTuple row = TRIGGER_FIRED_BY_UPDATE(data->tg_event) ? data->tg_newtuple : data->tg_trigtuple;
    return PointerGetDatum(row);
}
