#include "server/spi_rows.hpp"

#include "server/boundary.hpp"
#include "server/pinned_path.hpp"

namespace mg::server {

std::vector<std::vector<std::string>> spi_rows(const char *query) { return spi_rows(query, nullptr); }

std::vector<std::vector<std::string>> spi_rows(const char *query, const char *param) {
    // Copied into the caller's memory context as C strings first: no C++ object may be alive
    // across code that can raise a PostgreSQL error.
    List *values = NIL;
    int columns = 0;
    pg_call([&] {
        MemoryContext outer = CurrentMemoryContext;
        with_pinned_search_path([&] {
            if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
            Oid types[1] = {TEXTOID};
            Datum args[1] = {param ? CStringGetTextDatum(param) : static_cast<Datum>(0)};
            const int rc = param ? SPI_execute_with_args(query, 1, types, args, nullptr, true, 0)
                                 : SPI_execute(query, true, 0);
            if (rc != SPI_OK_SELECT) elog(ERROR, "migration_guard: catalog query failed (%d)", rc);
            columns = SPI_tuptable->tupdesc->natts;
            for (uint64 i = 0; i < SPI_processed; i++) {
                MemoryContext old = MemoryContextSwitchTo(outer);
                for (int col = 1; col <= columns; col++) {
                    char *v = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, col);
                    values = lappend(values, pstrdup(v ? v : ""));
                }
                MemoryContextSwitchTo(old);
            }
            SPI_finish();
        });
    });
    std::vector<std::vector<std::string>> rows;
    for (int i = 0; columns > 0 && i + columns <= list_length(values); i += columns) {
        std::vector<std::string> row;
        for (int col = 0; col < columns; col++) row.emplace_back(static_cast<char *>(list_nth(values, i + col)));
        rows.push_back(std::move(row));
    }
    return rows;
}

}  // namespace mg::server

extern "C" {
#include "utils/array.h"
#include "utils/builtins.h"
}

namespace mg::server {

Datum text_array_datum(const std::vector<std::string> &items) {
    Datum *elems = static_cast<Datum *>(palloc(sizeof(Datum) * (items.size() + 1)));
    for (size_t i = 0; i < items.size(); i++)
        elems[i] = PointerGetDatum(cstring_to_text_with_len(items[i].data(), static_cast<int>(items.size() ? items[i].size() : 0)));
    return PointerGetDatum(construct_array(elems, static_cast<int>(items.size()), TEXTOID, -1, false, TYPALIGN_INT));
}

std::vector<std::string> text_array_strings(Datum array) {
    Datum *elems;
    bool *nulls;
    int n;
    deconstruct_array(DatumGetArrayTypeP(array), TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
    std::vector<std::string> out;
    for (int i = 0; i < n; i++) {
        if (nulls[i]) {
            out.emplace_back();
            continue;
        }
        text *t = DatumGetTextPP(elems[i]);
        out.emplace_back(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
    }
    return out;
}

}  // namespace mg::server
