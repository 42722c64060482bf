// What the migration text itself has done so far: objects it created (which are "new", not
// existing), indexes and RLS it added, its transaction blocks and lock_timeout. Rules read it to
// tell a new table from an existing one; the analyzer updates it after each statement.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "engine/catalog.hpp"
#include "engine/node_names.hpp"

namespace mg {

struct NewColumn {
    DeclaredType type;
    bool not_null = false;
};

struct NewTable {
    QualifiedName name;
    std::map<std::string, NewColumn> columns;
    bool rls = false;
    bool temporary = false;
    int statement = 0;
    int location = 0;
};

// A foreign key whose index is checked once the whole text has been seen.
struct PendingForeignKey {
    std::string table_key;
    QualifiedName table;
    std::vector<std::string> columns;
    bool additive = false;  // on a new table or NOT VALID
    int statement = 0;
    int location = 0;
};

class MigrationState {
public:
    explicit MigrationState(std::string default_schema) : default_schema_(std::move(default_schema)) {}

    // "schema.name" with the default schema filled in: the key for every map below.
    std::string key(const QualifiedName &q) const;
    QualifiedName resolved(const QualifiedName &q) const;

    NewTable *new_table(const QualifiedName &q);
    const NewTable *new_table(const QualifiedName &q) const;
    NewTable &add_table(const QualifiedName &q);
    const NewTable *table_by_key(const std::string &k) const {
        auto it = tables_.find(k);
        return it == tables_.end() ? nullptr : &it->second;
    }
    void drop_table(const QualifiedName &q);
    void rename_table(const QualifiedName &q, const std::string &new_name);

    // Other relations and objects (views, sequences, types, functions, schemas, indexes) created
    // by the text, keyed by kind and name.
    void add_object(const char *kind, const QualifiedName &q) { objects_.insert(object_key(kind, q)); }
    bool is_new_object(const char *kind, const QualifiedName &q) const {
        return objects_.count(object_key(kind, q)) > 0;
    }
    void add_schema(const std::string &s) { schemas_.insert(s); }
    bool is_new_schema(const std::string &s) const { return schemas_.count(s) > 0; }

    void add_index(const QualifiedName &table, std::vector<std::string> columns);
    bool has_index_leading(const std::string &table_key, const std::vector<std::string> &cols) const;

    void set_function_volatility(const std::vector<std::string> &name, Volatility v);
    Volatility function_volatility(const std::vector<std::string> &name) const;

    void enable_rls(const QualifiedName &table);
    void disable_rls(const QualifiedName &table) {
        if (NewTable *t = new_table(table)) t->rls = false;
    }
    bool schema_has_rls_table(const std::string &schema) const { return rls_schemas_.count(schema) > 0; }

    // Transaction blocks written in the text (BEGIN ... COMMIT).
    bool in_transaction = false;
    bool lock_timeout_set = false;
    bool lock_timeout_local = false;  // set with SET LOCAL: ends with the transaction
    // require-lock-timeout was reported in this transaction (explicit, or the whole text that a
    // migration tool runs as one): once is enough, at the first statement that needs it.
    bool lock_timeout_reported = false;
    bool statement_timeout_set = false;
    bool statement_timeout_reported = false;  // once per transaction, like require-lock-timeout
    int transaction_begin = -1;               // location of the BEGIN of the open block
    int transaction_begin_statement = 0;
    // In the running transaction (explicit, or the whole text): the first existing table an
    // ACCESS EXCLUSIVE lock was taken on (held until commit), and enum values added.
    std::string access_exclusive_table;
    bool under_lock_reported = false;  // backfill-under-lock: once per transaction and locked table
    // create-index-blocking (low): once per transaction and table; later builds keep the same
    // SHARE lock until COMMIT (table keys).
    std::set<std::string> index_build_tables;
    // Type advice (prefer-*): one finding per rule and statement naming every column; the columns
    // so far, "rule/table" -> (object, type), of statement column_advice_statement.
    int column_advice_statement = 0;
    std::map<std::string, std::vector<std::pair<std::string, std::string>>> column_advice;
    std::map<std::string, std::string> new_enum_values;  // value -> its type
    std::set<std::string> not_valid_in_transaction;  // "table_key/constraint"
    std::map<std::string, ConstraintFacts> constraints;  // added by the text: "table_key/name"
    std::set<std::string> set_not_null;                  // "table_key/column" made NOT NULL by the text
    std::map<std::string, std::vector<std::string>> index_columns;  // index name -> its columns (text's own)
    std::set<std::string> readded_constraints;  // names an ALTER TABLE drops and adds back (this statement)
    // Tables whose foreign key without ON DELETE CASCADE the migration dropped: a CASCADE one added
    // after it changes what an existing delete destroys (table key -> dropped constraint label).
    std::map<std::string, std::string> dropped_plain_foreign_keys;
    // "schema.table/constraint" of every constraint the text dropped (a NOT ENFORCED one added
    // back under the name switches the old one off).
    std::set<std::string> dropped_constraints;
    // Transactions of the text, numbered (BEGIN and COMMIT start a new one; a text without them
    // is one): a constraint dropped and added back, or whose table goes, in the same transaction
    // never stands unenforced for another session to see.
    int transaction_number = 0;
    struct DroppedConstraint {
        std::string key;        // "table_key/name"
        std::string table_key;
        std::string label;      // the drop-constraint finding's object
        int statement = 0;
        int transaction = 0;
    };
    std::vector<DroppedConstraint> dropped_constraint_findings;
    std::map<std::string, std::vector<std::pair<int, int>>> constraint_additions;  // key -> (statement, transaction)
    std::map<std::string, std::vector<std::pair<int, int>>> table_drops;           // table key -> (statement, transaction)
    std::set<std::string> added_columns;                 // "table_key/column" added to a table by the text
    // Constraints the text validates whose definition it does not know (added by an earlier
    // migration, the CLI without a catalog): table key -> names.
    std::map<std::string, std::vector<std::string>> validated_unknown;
    std::map<std::string, DeclaredType> changed_types;   // "table_key/column": the type the text gave it
    bool is_added_column(const QualifiedName &t, const std::string &col) const {
        if (const NewTable *nt = new_table(t)) return nt->columns.count(col) > 0;
        return added_columns.count(key(t) + "/" + col) > 0;
    }

    std::vector<PendingForeignKey> foreign_keys;

    // Inheritance and partitioning the text set up or removed (INHERIT, ATTACH PARTITION,
    // CREATE TABLE ... INHERITS / PARTITION OF, NO INHERIT, DETACH PARTITION), and the foreign
    // keys it added: together with the catalog's, what a recursing command reaches.
    void add_parent(const QualifiedName &child, const QualifiedName &parent);
    void remove_parent(const QualifiedName &child, const QualifiedName &parent);
    std::vector<QualifiedName> children_of(const QualifiedName &parent) const;
    bool parent_removed(const QualifiedName &child, const QualifiedName &parent) const;
    void add_reference(const QualifiedName &from, const QualifiedName &to);
    std::vector<QualifiedName> referencing(const QualifiedName &to) const;
    std::vector<std::string> created_table_order;  // keys, in creation order

private:
    std::string object_key(const char *kind, const QualifiedName &q) const {
        return std::string(kind) + ":" + key(q);
    }

    std::string default_schema_;
    std::map<std::string, NewTable> tables_;
    std::set<std::string> objects_;
    std::set<std::string> schemas_;
    std::map<std::string, std::vector<std::vector<std::string>>> indexes_;
    std::map<std::string, Volatility> functions_;
    std::set<std::string> rls_schemas_;
    std::map<std::string, std::map<std::string, QualifiedName>> children_;  // parent key -> child key -> child
    std::set<std::string> removed_parents_;                                  // "child key|parent key"
    std::map<std::string, std::map<std::string, QualifiedName>> referencing_;  // referenced key -> tables
};

}  // namespace mg
