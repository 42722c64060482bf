// migration_guard.kept_item: one row per kept table, column or set of rows, with what it takes
// to put it back. Written and read as the extension owner with search_path pinned.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "server/pg_prelude.hpp"

namespace mg::server {

struct KeptRecord {
    int64_t id = 0;
    std::string kind;             // table | column | rows
    std::string object_identity;  // schema.table[.column], as the audit log names it
    Oid kept_relid = InvalidOid;
    std::string kept_name;
    int64_t audit_id = 0;
    int64_t size_bytes = 0;
    double rows = 0;
    std::string schema, table, column;
    Oid table_relid = InvalidOid;
    Oid table_owner = InvalidOid;
    std::string schema_owner;
    std::vector<std::string> kept_names, original_names, recreate, recreate_as, key_columns;
    bool by_ctid = false;
    std::string column_type, column_default, shape;
    bool column_not_null = false;
    std::string ended_how;  // "" while kept
};

// Inserts the row (kept now, until now + keep_for) and returns its id.
int64_t insert_kept(const KeptRecord &r, const std::string &command_tag, const std::string &statement);
void set_kept_audit_id(int64_t kept_id, int64_t audit_id);
// The row, locked; false when there is none.
bool load_kept(int64_t kept_id, KeptRecord &r);
void end_kept(int64_t kept_id, const char *how);
// Ids of the items still kept whose retention has passed (or, with older_than, kept before
// now - older_than).
std::vector<int64_t> expired_kept(const char *older_than);

// (id, size) of every item still kept, oldest first; the id negated for items of the running
// transaction.
std::vector<std::pair<int64_t, int64_t>> live_kept_oldest_first();

}  // namespace mg::server
