// One function per statement family. Each judges a raw statement against the migration state
// *before* the statement; track_objects() then records what the statement created.
#pragma once

#include "engine/rule_context.hpp"

namespace mg {

void check_drop(const DropStmt *stmt, RuleContext &ctx);
void check_drop_database(const DropdbStmt *stmt, RuleContext &ctx);
void check_drop_owned(const DropOwnedStmt *stmt, RuleContext &ctx);
void check_truncate(const TruncateStmt *stmt, RuleContext &ctx);

void check_alter_table(const AlterTableStmt *stmt, RuleContext &ctx);
void check_rename(const RenameStmt *stmt, RuleContext &ctx);
void check_alter_enum(const AlterEnumStmt *stmt, RuleContext &ctx);

void check_create_table(const CreateStmt *stmt, RuleContext &ctx);
void check_create_index(const IndexStmt *stmt, RuleContext &ctx);
void check_reindex(const ReindexStmt *stmt, RuleContext &ctx);
void check_create_trigger(const CreateTrigStmt *stmt, RuleContext &ctx);

void check_vacuum(const VacuumStmt *stmt, RuleContext &ctx);

// Transactions and data changes (transaction_rules.cpp).
void check_transaction(const TransactionStmt *stmt, RuleContext &ctx);
void check_lock_table(const LockStmt *stmt, RuleContext &ctx);
void check_dml(const Node *stmt, RuleContext &ctx);
void check_enum_values_in_use(const Node *stmt, RuleContext &ctx);
void check_statement_timeout(const Node *stmt, RuleContext &ctx);
void check_under_lock(const Node *stmt, RuleContext &ctx);
void check_open_transaction(const MigrationState &state, std::vector<StatementReport> &reports);

// Objects as a whole (schema_rules.cpp).
void check_set_schema(const AlterObjectSchemaStmt *stmt, RuleContext &ctx);
void check_create_domain(const CreateDomainStmt *stmt, RuleContext &ctx);
void check_alter_domain(const AlterDomainStmt *stmt, RuleContext &ctx);
void check_trigger_lock(const CreateTrigStmt *stmt, RuleContext &ctx);
// `text`: the whole migration text (names are cut to 63 bytes by the scanner already).
void check_identifiers(const Node *stmt, const std::string &text, RuleContext &ctx);

void check_guard_weakening(const Node *stmt, RuleContext &ctx);
void check_guard_drop(const DropStmt *stmt, RuleContext &ctx);
void check_guard_objects(const Node *stmt, RuleContext &ctx);
void check_drop_role(const DropRoleStmt *stmt, RuleContext &ctx);
void check_drop_tablespace(const DropTableSpaceStmt *stmt, RuleContext &ctx);
void check_cluster(const ClusterStmt *stmt, RuleContext &ctx);
void check_refresh_matview(const RefreshMatViewStmt *stmt, RuleContext &ctx);

// Shared by CREATE TABLE and ALTER TABLE ... ADD COLUMN.
// `col`: the column's name (ALTER COLUMN ... TYPE names it outside the ColumnDef).
void check_column_type_choice(const ColumnDef *def, const std::string &col, const QualifiedName &table,
                              bool primary_key, RuleContext &ctx);
// Records a foreign key for the end-of-text fk-without-index check.
void remember_foreign_key(const QualifiedName &table, std::vector<std::string> columns,
                          bool additive, int location, RuleContext &ctx);

// End of text: table-without-rls and fk-without-index.
void check_end_of_text(MigrationState &state, const CatalogFacts &catalog, const Options &options,
                       std::vector<StatementReport> &reports);

// Updates the migration state with what the statement created, renamed or dropped.
void track_objects(const Node *stmt, MigrationState &state, const StatementReport &report);

// Expressions: whether a raw default expression calls a volatile function.
bool calls_volatile_function(const Node *expr, const RuleContext &ctx);
// The first function a raw expression calls whose volatility nobody here knows (not built in,
// not defined in the text or the schema read), "schema.name" as written; "" when none.
std::string unknown_function_call(const Node *expr, const RuleContext &ctx);
// What CREATE FUNCTION declares (VOLATILE unless it says IMMUTABLE or STABLE).
Volatility declared_volatility(const CreateFunctionStmt *stmt);

}  // namespace mg

namespace mg {

// ALTER TABLE subcommands, by family (alter_table_rules.cpp dispatches).
void check_add_column(const AlterTableCmd *cmd, const QualifiedName &table, RuleContext &ctx);
void check_drop_column(const AlterTableCmd *cmd, const QualifiedName &table, RuleContext &ctx);
void check_column_type_change(const AlterTableCmd *cmd, const QualifiedName &table, RuleContext &ctx);
// SET NOT NULL of `col` (also 18's ADD CONSTRAINT ... NOT NULL col without NOT VALID).
void check_set_not_null(const std::string &col, const QualifiedName &table, RuleContext &ctx);
void check_drop_not_null(const AlterTableCmd *cmd, const QualifiedName &table, RuleContext &ctx);
void check_set_expression(const AlterTableCmd *cmd, const QualifiedName &table, RuleContext &ctx);
void check_enforce_constraint(const AlterTableCmd *cmd, const QualifiedName &table, RuleContext &ctx);
void check_stop_enforcing(const AlterTableCmd *cmd, const QualifiedName &table, RuleContext &ctx);
void check_add_constraint(const Constraint *con, const QualifiedName &table,
                          const std::vector<std::string> &implied_columns, RuleContext &ctx);
void check_drop_constraint(const AlterTableCmd *cmd, const QualifiedName &table, RuleContext &ctx);
void check_validate_constraint(const AlterTableCmd *cmd, const QualifiedName &table, RuleContext &ctx);

// What a CASCADE takes with it, from the live catalog (the CLI cannot know): listed in the
// cascade finding's message, and every table and column among it judged like a direct drop.
void report_cascade(Finding &cascade, const std::string &kind, const QualifiedName &object,
                    const std::string &sub_object, const std::string &statement_words, RuleContext &ctx);

// Whether changing a column from `from` to `to` is provably lossless and needs no rewrite.
bool is_safe_type_change(const ColumnFacts &from, const DeclaredType &to);
// Whether every value keeps its meaning (it may still need a rewrite): int4 → int8, date → timestamp.
bool is_lossless_conversion(const ColumnFacts &from, const DeclaredType &to);

}  // namespace mg
