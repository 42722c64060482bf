#include <algorithm>
#include <cstring>

#include "engine/catalog.hpp"

namespace mg {

namespace {
// Built-in functions whose volatility decides whether ADD COLUMN ... DEFAULT rewrites the table.
const char *const kVolatile[] = {
    "random", "gen_random_uuid", "uuid_generate_v1", "uuid_generate_v1mc", "uuid_generate_v4",
    "clock_timestamp", "timeofday", "nextval", "setval", "txid_current", "pg_current_xact_id",
    "gen_random_bytes", "random_normal", "uuidv7", "uuid_generate_v7",
};
const char *const kStable[] = {
    "now", "current_timestamp", "transaction_timestamp", "current_date", "current_time",
    "localtimestamp", "localtime", "statement_timestamp", "current_setting", "to_char", "current_user", "current_schema",
    "session_user", "age", "to_timestamp", "to_date",
};
}  // namespace

Volatility StaticCatalog::function_volatility(const std::vector<std::string> &name, int) const {
    if (name.empty()) return Volatility::Unknown;
    const std::string &fn = name.back();
    if (name.size() > 1 && name.front() != "pg_catalog" && name.front() != "public")
        return Volatility::Unknown;
    auto in = [&](const auto &list) {
        return std::any_of(std::begin(list), std::end(list),
                           [&](const char *n) { return fn == n; });
    };
    if (in(kVolatile)) return Volatility::Volatile;
    if (in(kStable)) return Volatility::Stable;
    return Volatility::Unknown;
}

}  // namespace mg
