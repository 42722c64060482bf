// What rules may know about the database the migration will run against. Rules ask this
// interface and never call PostgreSQL: the server answers from the live catalog, the CLI from
// built-in knowledge only. Objects created earlier in the same migration text are tracked by the
// engine itself (MigrationState), so both answer identically for them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

struct TypeName;  // nodes/parsenodes.h

namespace mg {

struct QualifiedName {
    std::string schema;  // empty when the text did not qualify the name
    std::string name;

    std::string display() const { return schema.empty() ? name : schema + "." + name; }
    bool operator==(const QualifiedName &o) const { return schema == o.schema && name == o.name; }
};

struct TableFacts {
    double rows = 0;        // estimate
    int64_t bytes = 0;      // heap + indexes + toast
    bool rls_enabled = false;
    // Created by the transaction now running: as new as a table created earlier in the text.
    bool created_in_transaction = false;
    bool temporary = false;  // gone at session end: nobody's data
    // Another session held a conflicting lock: sizes are the catalog's, a lower bound at best.
    bool locked_by_another = false;
};

// A column type as declared in the text, in the same form as pg_attribute stores it.
struct DeclaredType {
    std::string name;     // internal type name: int4, varchar, numeric, timestamptz, ...
    int32_t typmod = -1;  // atttypmod encoding (varchar(20) → 24), -1 when unconstrained
    bool array = false;
    bool serial = false;  // serial/bigserial/smallserial pseudo-types (name is the real type)
    // The name is pg_catalog's type: the built-in rules about type names apply only then (a
    // schema-qualified or search_path-shadowed "numeric" may be anything).
    bool builtin = true;
    std::string sql;      // the exact, qualified spelling PostgreSQL resolved (server); "" otherwise
};

struct ColumnFacts {
    std::string type_name;  // canonical internal name: int4, varchar, numeric, text, ...
    int32_t typmod = -1;    // as in pg_attribute.atttypmod (-1: none)
    bool not_null = false;
    // pg_attribute.attislocal / attinhcount: a DROP COLUMN on a parent drops the column of a
    // child only when the child has it from that one parent alone.
    bool local = true;
    int inherited_count = 0;
    bool builtin = true;    // the type is pg_catalog's (not a domain or type of the same name elsewhere)
    char generated = 0;     // pg_attribute.attgenerated: 's' stored, 'v' virtual (18), 0 neither
};

enum class Volatility { Unknown, Immutable, Stable, Volatile };

// The result of a bounded look at the data: how many rows would make a statement fail.
struct DataCount {
    int64_t count = 0;
    bool at_least = false;   // the check stopped early (row or time cap): the true count may be higher
    int64_t examined = 0;    // rows looked at (when it stopped on the row cap)
    bool timed_out = false;  // it stopped on the time cap
    bool impossible = false; // the statement fails whatever the data (e.g. no automatic cast exists)
};

struct ConstraintFacts {
    char type = '?';            // pg_constraint.contype: f, c, u, p, x
    bool on_delete_cascade = false;
    bool validated = true;
    std::string not_null_column;  // for CHECK (col IS NOT NULL): col
};

class CatalogFacts {
public:
    virtual ~CatalogFacts() = default;

    // Schema in which an unqualified relation name is found; nullopt when unknown.
    virtual std::optional<std::string> schema_of(const QualifiedName &t) const = 0;
    // Facts about a table that exists before the migration runs; nullopt when unknown.
    virtual std::optional<TableFacts> table(const QualifiedName &t) const = 0;
    virtual std::optional<ColumnFacts> column(const QualifiedName &t, const std::string &col) const = 0;
    virtual std::optional<ConstraintFacts> constraint(const QualifiedName &t,
                                                      const std::string &name) const = 0;
    // Whether some index of the table starts with exactly these columns (in any order);
    // nullopt when unknown.
    virtual std::optional<bool> has_index_leading(const QualifiedName &t,
                                                  const std::vector<std::string> &cols) const = 0;
    // Whether a validated CHECK (col IS NOT NULL) exists: SET NOT NULL then needs no scan.
    virtual bool has_validated_not_null_check(const QualifiedName &t, const std::string &col) const = 0;
    // Volatility of a function called by name with nargs arguments.
    virtual Volatility function_volatility(const std::vector<std::string> &name, int nargs) const = 0;
    // Whether any existing table in the schema has row level security enabled.
    virtual bool schema_uses_rls(const std::string &schema) const = 0;
    // Whether the session that will run the text already has a lock_timeout.
    virtual bool session_lock_timeout() const = 0;
    // Schema that unqualified names resolve to.
    virtual std::string default_schema() const = 0;
    // The name with the schema PostgreSQL would find it in (the default one when unknown).
    QualifiedName qualify(QualifiedName t) const {
        if (t.schema.empty()) t.schema = schema_of(t).value_or(default_schema());
        return t;
    }

    // Looks at the data, bounded by row and time caps; nullopt when it cannot (the CLI, or no
    // such table). Each answers "how many rows would make the statement fail".
    virtual std::optional<DataCount> count_nulls(const QualifiedName &, const std::string &) const {
        return std::nullopt;
    }
    virtual std::optional<DataCount> count_orphans(const QualifiedName &, const std::vector<std::string> &,
                                                   const QualifiedName &, const std::vector<std::string> &) const {
        return std::nullopt;
    }
    virtual std::optional<DataCount> count_duplicates(const QualifiedName &, const std::vector<std::string> &) const {
        return std::nullopt;
    }
    // Values of the column that do not convert to `sql_type` (e.g. "integer", "varchar(20)").
    // Whether ALTER COLUMN col TYPE sql_type keeps every stored value as it is (no rewrite), as
    // PostgreSQL decides it (binary-coercible casts, no-op length coercions, timestamp →
    // timestamptz in a UTC session). nullopt: unknown (the CLI).
    // The type a TypeName of a statement resolves to, as PostgreSQL resolves it for that
    // statement (the session's search_path). nullopt: unknown (the CLI), the names as written stand.
    virtual std::optional<DeclaredType> resolve_type(const TypeName *) const { return std::nullopt; }
    virtual std::optional<bool> rewrite_free(const QualifiedName &, const std::string &, const std::string &) const {
        return std::nullopt;
    }
    // `explicit_cast`: the conversion of USING col::type (explicit casts), not ALTER's assignment.
    virtual std::optional<DataCount> count_failed_casts(const QualifiedName &, const std::string &,
                                                        const std::string &, bool = false) const {
        return std::nullopt;
    }
    // Whether a relation of any kind (view, sequence, index...) is temporary.
    virtual bool is_temporary(const QualifiedName &) const { return false; }
    // Whether a table or column these facts do not know does not exist where the text runs (so a
    // drop of it destroys nothing): true when judging a statement about to run on this very
    // catalog; false for built-in knowledge and for texts judged ahead of time (classify()).
    virtual bool knows_every_table() const { return false; }
    // Whether the table (or, with `column`, that column) holds nothing at all: no row, committed
    // or still being written, and (for a column) no value but NULL. nullopt when it cannot tell
    // (the CLI, a large or partitioned table, a table with children); a figure that could be
    // faked or outdated never answers true.
    virtual std::optional<bool> holds_no_data(const QualifiedName &, const std::string &) const { return std::nullopt; }
    // A database this role created moments ago that holds no more than an empty one (a migration
    // tool's shadow or scratch database): how we know, in words; nullopt otherwise or unknown.
    virtual std::optional<std::string> scratch_database(const std::string &) const { return std::nullopt; }
    // Direct inheritance children and partitions of a table (what ALTER TABLE and TRUNCATE
    // without ONLY recurse into, level by level); empty when unknown.
    virtual std::vector<QualifiedName> children(const QualifiedName &) const { return {}; }
    // Tables not in `tables` that have a foreign key, valid or NOT VALID, to one of them: what
    // TRUNCATE ... CASCADE empties next, found as PostgreSQL finds them; empty when unknown.
    virtual std::vector<QualifiedName> referencing_tables(const std::vector<QualifiedName> &) const { return {}; }
    // What a DROP ... CASCADE of this object would take with it, as "kind name" strings.
    virtual std::vector<std::string> cascade_targets(const std::string &, const QualifiedName &,
                                                     const std::string &) const {
        return {};
    }
};

// Built-in knowledge only: nothing pre-existing is known; volatility from a list of well-known
// functions. Used by the CLI and the unit tests.
class StaticCatalog : public CatalogFacts {
public:
    std::optional<std::string> schema_of(const QualifiedName &) const override { return std::nullopt; }
    std::optional<TableFacts> table(const QualifiedName &) const override { return std::nullopt; }
    std::optional<ColumnFacts> column(const QualifiedName &, const std::string &) const override {
        return std::nullopt;
    }
    std::optional<ConstraintFacts> constraint(const QualifiedName &, const std::string &) const override {
        return std::nullopt;
    }
    std::optional<bool> has_index_leading(const QualifiedName &,
                                          const std::vector<std::string> &) const override {
        return std::nullopt;
    }
    bool has_validated_not_null_check(const QualifiedName &, const std::string &) const override { return false; }
    Volatility function_volatility(const std::vector<std::string> &name, int nargs) const override;
    bool schema_uses_rls(const std::string &schema) const override {
        for (const auto &s : rls_used)
            if (s == schema) return true;
        return false;
    }
    bool session_lock_timeout() const override { return lock_timeout; }
    std::string default_schema() const override { return "public"; }

    // The sessions that run these migrations have a lock_timeout (set for their role or by the tool).
    bool lock_timeout = false;

    // Schemas other files of the same migration set use RLS in (the linter's first pass).
    std::vector<std::string> rls_used;
};

}  // namespace mg
