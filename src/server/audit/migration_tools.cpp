#include "server/audit/migration_tools.hpp"

#include <cstring>

namespace mg::server {

namespace {

struct Bookkeeping {
    const char *table;
    const char *tool;
};

// Table names as each tool creates them by default.
constexpr Bookkeeping kTables[] = {
    {"alembic_version", "alembic"},
    {"schema_migrations", "schema_migrations (rails, dbmate, golang-migrate)"},
    {"ar_internal_metadata", "rails"},
    {"django_migrations", "django"},
    {"knex_migrations", "knex"},
    {"knex_migrations_lock", "knex"},
    {"pgmigrations", "node-pg-migrate"},
    {"flyway_schema_history", "flyway"},
    {"_prisma_migrations", "prisma"},
    {"goose_db_version", "goose"},
    {"__diesel_schema_migrations", "diesel"},
    {"gorp_migrations", "sql-migrate"},
};

// Sqitch keeps its registry in a schema of its own.
constexpr const char *kSqitchSchema = "sqitch";

const char *tool_of_range_var(const RangeVar *rv) {
    return rv ? tool_of_table(rv->schemaname, rv->relname) : nullptr;
}

}  // namespace

const char *tool_of_table(const char *schema, const char *name) {
    if (schema && std::strcmp(schema, kSqitchSchema) == 0) return "sqitch";
    if (!name) return nullptr;
    for (const auto &b : kTables)
        if (std::strcmp(name, b.table) == 0) return b.tool;
    return nullptr;
}

const char *bookkeeping_tool(const Node *stmt) {
    switch (nodeTag(stmt)) {
        case T_CreateStmt: return tool_of_range_var(reinterpret_cast<const CreateStmt *>(stmt)->relation);
        case T_AlterTableStmt: return tool_of_range_var(reinterpret_cast<const AlterTableStmt *>(stmt)->relation);
        case T_IndexStmt: return tool_of_range_var(reinterpret_cast<const IndexStmt *>(stmt)->relation);
        case T_CreateSeqStmt: return tool_of_range_var(reinterpret_cast<const CreateSeqStmt *>(stmt)->sequence);
        case T_CommentStmt: {
            const auto *c = reinterpret_cast<const CommentStmt *>(stmt);
            if (c->objtype != OBJECT_TABLE && c->objtype != OBJECT_COLUMN) return nullptr;
            // [schema.]table[.column] as a list of strings.
            const List *names = castNode(List, c->object);
            const int n = list_length(names), table_at = c->objtype == OBJECT_COLUMN ? n - 2 : n - 1;
            if (table_at < 0) return nullptr;
            return tool_of_table(table_at > 0 ? strVal(list_nth(names, table_at - 1)) : nullptr,
                                 strVal(list_nth(names, table_at)));
        }
        case T_CreateSchemaStmt: {
            const char *name = reinterpret_cast<const CreateSchemaStmt *>(stmt)->schemaname;
            return name && std::strcmp(name, kSqitchSchema) == 0 ? "sqitch" : nullptr;
        }
        default: return nullptr;
    }
}

}  // namespace mg::server
