#include "server/enforcement/event_trigger_objects.hpp"

#include "server/boundary.hpp"

extern "C" {
#include "executor/executor.h"
#include "utils/array.h"
#include "utils/fmgroids.h"
#include "utils/fmgrprotos.h"
#include "utils/tuplestore.h"
}

namespace mg::server {

namespace {

// One row of a set-returning function, the named columns as text ("" for NULL; a text[] column
// with its elements joined by '.'). PostgreSQL code only.
char *column_text(TupleTableSlot *slot, int attnum) {
    bool isnull = true;
    const Datum d = slot_getattr(slot, attnum, &isnull);
    if (isnull) return pstrdup("");
    const Oid type = TupleDescAttr(slot->tts_tupleDescriptor, attnum - 1)->atttypid;
    if (type == TEXTARRAYOID) {
        Datum *items;
        bool *item_nulls;
        int n;
        deconstruct_array(DatumGetArrayTypeP(d), TEXTOID, -1, false, TYPALIGN_INT, &items, &item_nulls, &n);
        StringInfoData out;
        initStringInfo(&out);
        for (int i = 0; i < n; i++) {
            if (item_nulls[i]) continue;  // as array_to_string() does
            if (out.len) appendStringInfoChar(&out, '.');
            appendStringInfoString(&out, TextDatumGetCString(items[i]));
        }
        return out.data;
    }
    if (type == BOOLOID) return pstrdup(DatumGetBool(d) ? "t" : "f");
    Oid out_fn;
    bool varlena;
    getTypeOutputInfo(type, &out_fn, &varlena);
    return OidOutputFunctionCall(out_fn, d);
}

// Calls the set-returning function `fn` (no arguments) in materialize mode and returns the
// columns named in `columns`, row after row, as C strings in the caller's memory context.
std::vector<std::vector<std::string>> srf_rows(Oid fn, const std::vector<const char *> &columns) {
    List *values = NIL;
    pg_call([&] {
        FmgrInfo flinfo;
        fmgr_info(fn, &flinfo);
        ExprContext *econtext = CreateStandaloneExprContext();
        ReturnSetInfo rsinfo;
        memset(&rsinfo, 0, sizeof rsinfo);
        rsinfo.type = T_ReturnSetInfo;
        rsinfo.econtext = econtext;
        rsinfo.allowedModes = SFRM_Materialize;
        rsinfo.returnMode = SFRM_Materialize;
        LOCAL_FCINFO(call, 0);
        InitFunctionCallInfoData(*call, &flinfo, 0, InvalidOid, nullptr, reinterpret_cast<Node *>(&rsinfo));
        FunctionCallInvoke(call);
        if (rsinfo.returnMode != SFRM_Materialize || !rsinfo.setDesc)
            elog(ERROR, "migration_guard: function %u did not return a materialized set", fn);
        int attnums[16];
        const int n = static_cast<int>(columns.size());
        for (int c = 0; c < n; c++) {
            attnums[c] = 0;
            for (int a = 0; a < rsinfo.setDesc->natts; a++)
                if (strcmp(NameStr(TupleDescAttr(rsinfo.setDesc, a)->attname), columns[c]) == 0) attnums[c] = a + 1;
            if (!attnums[c]) elog(ERROR, "migration_guard: function %u has no column %s", fn, columns[c]);
        }
        if (rsinfo.setResult) {
            TupleTableSlot *slot = MakeSingleTupleTableSlot(rsinfo.setDesc, &TTSOpsMinimalTuple);
            while (tuplestore_gettupleslot(rsinfo.setResult, true, false, slot))
                for (int c = 0; c < n; c++) values = lappend(values, column_text(slot, attnums[c]));
            ExecDropSingleTupleTableSlot(slot);
            tuplestore_end(rsinfo.setResult);
        }
        FreeExprContext(econtext, true);
    });
    std::vector<std::vector<std::string>> rows;
    const int n = static_cast<int>(columns.size());
    for (int i = 0; i + n <= list_length(values); i += n) {
        std::vector<std::string> row;
        for (int c = 0; c < n; c++) row.emplace_back(static_cast<char *>(list_nth(values, i + c)));
        rows.push_back(std::move(row));
    }
    return rows;
}

}  // namespace

std::vector<CommandObject> ddl_command_objects() {
    std::vector<CommandObject> out;
    for (auto &r : srf_rows(F_PG_EVENT_TRIGGER_DDL_COMMANDS,
                            {"command_tag", "object_type", "schema_name", "object_identity", "in_extension"})) {
        CommandObject o;
        o.command_tag = std::move(r[0]);
        o.object_type = std::move(r[1]);
        o.schema = std::move(r[2]);
        o.identity = std::move(r[3]);
        o.in_extension = r[4] == "t";
        out.push_back(std::move(o));
    }
    return out;
}

std::vector<DroppedObject> dropped_objects() {
    std::vector<DroppedObject> out;
    for (auto &r : srf_rows(F_PG_EVENT_TRIGGER_DROPPED_OBJECTS, {"object_type", "schema_name", "object_identity",
                                                                 "address_names", "original", "normal",
                                                                 "is_temporary"})) {
        DroppedObject o;
        o.object_type = std::move(r[0]);
        o.schema = std::move(r[1]);
        o.identity = std::move(r[2]);
        o.address = std::move(r[3]);
        o.original = r[4] == "t";
        o.normal = r[5] == "t";
        o.is_temporary = r[6] == "t";
        out.push_back(std::move(o));
    }
    return out;
}

}  // namespace mg::server
