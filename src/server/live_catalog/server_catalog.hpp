// CatalogFacts answered from the live catalog of the current database. Every look-up goes
// through pg_call(), takes at most ACCESS SHARE locks, and treats a missing object as unknown
// (the same answer the CLI gives), so a text classified on an empty database matches the CLI.
#pragma once

#include <map>

#include "engine/catalog.hpp"
#include "server/pg_prelude.hpp"

namespace mg::server {

// Opens a relation only if its ACCESS SHARE lock is free now: classifying must never queue
// behind someone else's ACCESS EXCLUSIVE lock (nullptr: not available, or gone). The guard only
// looks, so close_after_look() gives the lock back at once instead of holding it to the end of
// the transaction. PostgreSQL code only.
Relation open_without_waiting(Oid relid);
void close_after_look(Relation rel);

class ServerCatalog : public CatalogFacts {
public:
    ServerCatalog();

    std::optional<std::string> schema_of(const QualifiedName &t) const override;
    std::optional<TableFacts> table(const QualifiedName &t) const override;
    std::optional<ColumnFacts> column(const QualifiedName &t, const std::string &col) const override;
    std::optional<ConstraintFacts> constraint(const QualifiedName &t, const std::string &name) const override;
    std::optional<bool> has_index_leading(const QualifiedName &t,
                                          const std::vector<std::string> &cols) const override;
    bool has_validated_not_null_check(const QualifiedName &t, const std::string &col) const override;
    Volatility function_volatility(const std::vector<std::string> &name, int nargs) const override;
    bool schema_uses_rls(const std::string &schema) const override;
    std::optional<DataCount> count_nulls(const QualifiedName &t, const std::string &col) const override;
    std::optional<DataCount> count_orphans(const QualifiedName &t, const std::vector<std::string> &cols,
                                           const QualifiedName &ref, const std::vector<std::string> &ref_cols) const override;
    std::optional<DataCount> count_duplicates(const QualifiedName &t, const std::vector<std::string> &cols) const override;
    std::optional<DeclaredType> resolve_type(const TypeName *type) const override;
    std::optional<bool> rewrite_free(const QualifiedName &t, const std::string &col,
                                     const std::string &sql_type) const override;
    std::optional<DataCount> count_failed_casts(const QualifiedName &t, const std::string &col,
                                                const std::string &sql_type, bool explicit_cast = false) const override;
    bool is_temporary(const QualifiedName &t) const override;
    std::vector<QualifiedName> children(const QualifiedName &t) const override;
    std::vector<QualifiedName> referencing_tables(const std::vector<QualifiedName> &tables) const override;
    std::vector<std::string> cascade_targets(const std::string &kind, const QualifiedName &object,
                                             const std::string &sub_object) const override;
    bool session_lock_timeout() const override;
    std::string default_schema() const override { return default_schema_; }
    bool knows_every_table() const override { return complete_; }
    std::optional<bool> holds_no_data(const QualifiedName &t, const std::string &column) const override;
    std::optional<std::string> scratch_database(const std::string &name) const override;

    // Judging statements that run now on this catalog (enforcement, approve_migration()): what
    // it does not know does not exist.
    void judge_for_execution() { complete_ = true; }
    // Enforcement: before telling that a table holds nothing, take the lock the statement will
    // take anyway (ACCESS EXCLUSIVE), so that no row can arrive between the look and the drop.
    void lock_before_emptiness_checks() { lock_to_verify_ = true; }

    Oid relation(const QualifiedName &t) const;  // InvalidOid when it does not exist
    QualifiedName name_of(Oid relid) const;       // as findings name it (empty when gone)

private:
    std::optional<TableFacts> read_table(Oid relid) const;
    std::string qualified_name(Oid relid) const;  // quoted for SQL
    std::vector<QualifiedName> names_of(List *relids) const;
    std::string scan_source(Oid relid) const;     // "ONLY t", or "t" for a partitioned table
    std::vector<std::string> primary_key_columns(Oid relid) const;
    std::string default_schema_;
    bool lock_to_verify_ = false;
    bool complete_ = false;
    // One analysis asks about the same tables many times.
    mutable std::map<std::string, Oid> relations_;
    mutable std::map<Oid, std::optional<TableFacts>> tables_;
};

}  // namespace mg::server
