#include "server/enforcement/stake.hpp"

#include "engine/node_names.hpp"
#include "server/boundary.hpp"
#include "server/live_catalog/server_catalog.hpp"

namespace mg::server {

std::string stake_of(const Finding &f) {
    std::string column;
    const QualifiedName table = split_object(f.object, column);
    if (table.schema.empty()) return {};
    ServerCatalog catalog;
    auto facts = catalog.table(table);
    if (!facts) return {};
    if (facts->rows <= 0)
        return catalog.holds_no_data(table, column).value_or(false)
                   ? "nothing at stake: the table is empty"
                   : "the table looks empty, but rows deleted by this transaction or being written by another count";
    if (!column.empty()) {
        int32 width = 0;
        bool is_column = false;
        const std::string schema = table.schema, name = table.name;
        pg_call([&] {
            const Oid nsp = get_namespace_oid(schema.c_str(), true);
            const Oid relid = OidIsValid(nsp) ? get_relname_relid(name.c_str(), nsp) : InvalidOid;
            const AttrNumber attnum = OidIsValid(relid) ? get_attnum(relid, column.c_str()) : InvalidAttrNumber;
            if (attnum > 0) {
                is_column = true;
                width = get_attavgwidth(relid, attnum);
            }
        });
        if (width > 0)
            return "~" + format_count(facts->rows) + " values, ~" +
                   format_bytes(static_cast<int64_t>(facts->rows * width)) + " in column " + column + " at stake";
        if (is_column) return "~" + format_count(facts->rows) + " rows of column " + column + " at stake";
    }
    return "~" + format_count(facts->rows) + (facts->rows == 1 ? " row, " : " rows, ") + format_bytes(facts->bytes) +
           " at stake";
}

}  // namespace mg::server
