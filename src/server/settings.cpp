#include "server/settings.hpp"

#include "server/pg_prelude.hpp"

namespace mg::server {

namespace {
char *rls_schemas = nullptr;
double medium_table_rows = 100000;
double high_table_rows = 10000000;
}  // namespace

void define_settings() {
    DefineCustomStringVariable("migration_guard.rls_schemas",
                               "Schemas whose new tables must enable row level security (comma-separated).",
                               nullptr, &rls_schemas, "public", PGC_USERSET, GUC_LIST_INPUT, nullptr, nullptr,
                               nullptr);
    DefineCustomRealVariable("migration_guard.medium_table_rows",
                             "Estimated rows from which availability findings are raised to medium.", nullptr,
                             &medium_table_rows, 100000, 0, 1e15, PGC_USERSET, 0, nullptr, nullptr, nullptr);
    DefineCustomRealVariable("migration_guard.high_table_rows",
                             "Estimated rows from which availability findings are raised to high.", nullptr,
                             &high_table_rows, 10000000, 0, 1e15, PGC_USERSET, 0, nullptr, nullptr, nullptr);
    MarkGUCPrefixReserved("migration_guard");
}

Options engine_options() {
    Options o;
    o.medium_table_rows = medium_table_rows;
    o.high_table_rows = high_table_rows;
    o.rls_schemas.clear();
    std::string list = rls_schemas ? rls_schemas : "";
    size_t pos = 0;
    while (pos <= list.size()) {
        size_t comma = list.find(',', pos);
        if (comma == std::string::npos) comma = list.size();
        std::string item = list.substr(pos, comma - pos);
        const auto b = item.find_first_not_of(" \t\"");
        const auto e = item.find_last_not_of(" \t\"");
        if (b != std::string::npos) o.rls_schemas.push_back(item.substr(b, e - b + 1));
        pos = comma + 1;
    }
    return o;
}

}  // namespace mg::server
