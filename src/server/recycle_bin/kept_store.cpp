#include "server/recycle_bin/kept_store.hpp"

#include "server/guard_owner.hpp"
#include "server/settings.hpp"
#include "server/spi_rows.hpp"

namespace mg::server {

int64_t insert_kept(const KeptRecord &r, const std::string &command_tag, const std::string &statement) {
    const char *sql =
        "INSERT INTO migration_guard.kept_item (kind, object_identity, kept_relid, kept_name, audit_id, command_tag,"
        " statement, migration_id, xid, kept_by, keep_until, size_bytes, row_count, schema_name, table_name,"
        " column_name, table_relid, table_owner, schema_owner, kept_names, original_names, recreate, recreate_as,"
        " key_columns, by_ctid, column_type, column_default, column_not_null, shape)"
        " VALUES ($1, $2, $3, $4, nullif($5, 0), $6, $7, nullif($8, ''), pg_catalog.pg_current_xact_id(),"
        " CURRENT_USER, pg_catalog.statement_timestamp() + pg_catalog.make_interval(secs => $9),"
        " $10, nullif($11, -1), $12, $13, nullif($14, ''), $15, $16, nullif($17, ''),"
        " $18, $19, $20, $21, $22, $23, nullif($24, ''), nullif($25, ''), $26, nullif($27, ''))"
        " RETURNING id";
    const std::string migration = migration_id();
    const double keep_for = static_cast<double>(keep_for_seconds());
    int64_t id = 0;
    as_guard_owner([&](MemoryContext) {
        Oid types[27] = {TEXTOID, TEXTOID, OIDOID, NAMEOID, INT8OID, TEXTOID, TEXTOID, TEXTOID, FLOAT8OID,
                         INT8OID, FLOAT8OID, NAMEOID, NAMEOID, NAMEOID, OIDOID, OIDOID, NAMEOID, TEXTARRAYOID,
                         TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, BOOLOID, TEXTOID, TEXTOID, BOOLOID, TEXTOID};
        auto text = [](const std::string &s) { return CStringGetTextDatum(s.c_str()); };
        auto name = [](const std::string &s) { return DirectFunctionCall1(namein, CStringGetDatum(s.c_str())); };
        Datum values[27] = {text(r.kind), text(r.object_identity), ObjectIdGetDatum(r.kept_relid), name(r.kept_name),
                            Int64GetDatum(r.audit_id), text(command_tag), text(statement), text(migration),
                            Float8GetDatum(keep_for), Int64GetDatum(r.size_bytes), Float8GetDatum(r.rows < 0 ? -1 : r.rows),
                            name(r.schema), name(r.table), name(r.column), ObjectIdGetDatum(r.table_relid),
                            ObjectIdGetDatum(r.table_owner), name(r.schema_owner), text_array_datum(r.kept_names),
                            text_array_datum(r.original_names), text_array_datum(r.recreate),
                            text_array_datum(r.recreate_as), text_array_datum(r.key_columns),
                            BoolGetDatum(r.by_ctid), text(r.column_type), text(r.column_default),
                            BoolGetDatum(r.column_not_null), text(r.shape)};
        if (SPI_execute_with_args(sql, 27, types, values, nullptr, false, 1) != SPI_OK_INSERT_RETURNING)
            elog(ERROR, "migration_guard: could not record a kept item");
        bool isnull = false;
        id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
    });
    return id;
}

void set_kept_audit_id(int64_t kept_id, int64_t audit_id) {
    as_guard_owner([&](MemoryContext) {
        Oid types[2] = {INT8OID, INT8OID};
        Datum values[2] = {Int64GetDatum(kept_id), Int64GetDatum(audit_id)};
        SPI_execute_with_args("UPDATE migration_guard.kept_item SET audit_id = $2 WHERE id = $1 AND audit_id IS NULL", 2,
                              types, values, nullptr, false, 0);
    });
}

bool load_kept(int64_t kept_id, KeptRecord &r) {
    const char *sql =
        "SELECT kind, object_identity, kept_relid, kept_name, coalesce(audit_id, 0), size_bytes, coalesce(row_count, 0),"
        " schema_name, table_name, coalesce(column_name, ''), coalesce(table_relid, 0), coalesce(table_owner, 0),"
        " coalesce(schema_owner, ''), kept_names, original_names, recreate, recreate_as, key_columns,"
        " by_ctid, coalesce(column_type, ''), coalesce(column_default, ''), column_not_null, coalesce(shape, ''),"
        " coalesce(ended_how, '')"
        " FROM migration_guard.kept_item WHERE id = $1 FOR UPDATE";
    std::vector<std::string> cols;
    std::vector<std::vector<std::string>> arrays;  // columns 14 to 18
    bool found = false;
    as_guard_owner([&](MemoryContext outer) {
        Oid types[1] = {INT8OID};
        Datum values[1] = {Int64GetDatum(kept_id)};
        if (SPI_execute_with_args(sql, 1, types, values, nullptr, false, 1) != SPI_OK_SELECT || SPI_processed == 0) return;
        found = true;
        MemoryContext spi = MemoryContextSwitchTo(outer);
        for (int c = 1; c <= SPI_tuptable->tupdesc->natts; c++) {
            if (c >= 14 && c <= 18) {
                bool isnull = false;
                const Datum a = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, c, &isnull);
                arrays.push_back(isnull ? std::vector<std::string>{} : text_array_strings(a));
                cols.emplace_back();
                continue;
            }
            char *v = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, c);
            cols.emplace_back(v ? v : "");
        }
        MemoryContextSwitchTo(spi);
    });
    if (!found) return false;
    r.id = kept_id;
    r.kind = cols[0];
    r.object_identity = cols[1];
    r.kept_relid = static_cast<Oid>(std::stoul(cols[2]));
    r.kept_name = cols[3];
    r.audit_id = std::stoll(cols[4]);
    r.size_bytes = std::stoll(cols[5]);
    r.rows = std::stod(cols[6]);
    r.schema = cols[7];
    r.table = cols[8];
    r.column = cols[9];
    r.table_relid = static_cast<Oid>(std::stoul(cols[10]));
    r.table_owner = static_cast<Oid>(std::stoul(cols[11]));
    r.schema_owner = cols[12];
    r.kept_names = arrays[0];
    r.original_names = arrays[1];
    r.recreate = arrays[2];
    r.recreate_as = arrays[3];
    r.key_columns = arrays[4];
    r.by_ctid = cols[18] == "t";
    r.column_type = cols[19];
    r.column_default = cols[20];
    r.column_not_null = cols[21] == "t";
    r.shape = cols[22];
    r.ended_how = cols[23];
    return true;
}

void end_kept(int64_t kept_id, const char *how) {
    as_guard_owner([&](MemoryContext) {
        Oid types[2] = {INT8OID, TEXTOID};
        Datum values[2] = {Int64GetDatum(kept_id), CStringGetTextDatum(how)};
        SPI_execute_with_args("UPDATE migration_guard.kept_item SET ended_at = pg_catalog.clock_timestamp(),"
                              " ended_how = $2, ended_by = SESSION_USER WHERE id = $1",
                              2, types, values, nullptr, false, 0);
    });
}

std::vector<int64_t> expired_kept(const char *older_than) {
    std::vector<int64_t> ids;
    as_guard_owner([&](MemoryContext outer) {
        Oid types[1] = {TEXTOID};
        Datum values[1] = {CStringGetTextDatum(older_than ? older_than : "")};
        const char *sql =
            "SELECT id FROM migration_guard.kept_item WHERE ended_at IS NULL AND CASE WHEN $1 = '' THEN keep_until <="
            " pg_catalog.clock_timestamp() ELSE kept_at <= pg_catalog.clock_timestamp() - $1::pg_catalog.interval END"
            " ORDER BY id";
        if (SPI_execute_with_args(sql, 1, types, values, nullptr, true, 0) != SPI_OK_SELECT) return;
        MemoryContext spi = MemoryContextSwitchTo(outer);
        for (uint64 i = 0; i < SPI_processed; i++) {
            bool isnull = false;
            ids.push_back(DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull)));
        }
        MemoryContextSwitchTo(spi);
    });
    return ids;
}

std::vector<std::pair<int64_t, int64_t>> live_kept_oldest_first() {
    std::vector<std::pair<int64_t, int64_t>> items;
    as_guard_owner([&](MemoryContext outer) {
        if (SPI_execute("SELECT id, size_bytes, xid = pg_catalog.pg_current_xact_id() FROM migration_guard.kept_item"
                        " WHERE ended_at IS NULL ORDER BY kept_at, id",
                        // Not read-only: the snapshot must see the items this statement just
                        // kept, or the cap leaves them out of the total.
                        false, 0) != SPI_OK_SELECT)
            return;
        MemoryContext spi = MemoryContextSwitchTo(outer);
        for (uint64 i = 0; i < SPI_processed; i++) {
            bool isnull = false;
            const int64_t id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull));
            const int64_t size = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2, &isnull));
            const bool mine = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 3, &isnull));
            items.emplace_back(mine ? -id : id, size);
        }
        MemoryContextSwitchTo(spi);
    });
    return items;
}

}  // namespace mg::server
