// The recycle bin's part of a statement's state: what the statement will keep, planned before it
// is judged, carried out once the judgement lets it through (docs/recycle-bin.md).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "server/pg_prelude.hpp"

namespace mg::server {

struct KeepPlan {
    std::vector<Oid> tables;       // copied and recorded (DROP TABLE, DROP SCHEMA ... CASCADE, DROP OWNED)
    struct Column {
        Oid relid;
        int16_t attnum;
    };
    std::vector<Column> columns;   // DROP COLUMN: values copied with the row's key
    std::vector<Oid> rows;         // TRUNCATE: rows copied
    std::vector<Oid> changed;      // DELETE, UPDATE, MERGE: the rows they deleted or overwrote
    std::vector<Oid> overwritten;  // ... of which these had rows overwritten (restored by key)
    std::map<Oid, int64_t> deleted_rows;  // ... and how many rows the change deleted from each
    // Every table and column the plan looked at (kept, empty, new, or found unkeepable and
    // reported): sql_drop reports `not-kept` for what the statement destroys beyond them.
    std::vector<std::string> considered;
    // Every item kept: (kept id, object), for the statement's undo (its restore() calls).
    std::vector<std::pair<int64_t, std::string>> kept;
    // Kept items whose audit row the statement writes later: (kept id, object identity).
    std::vector<std::pair<int64_t, std::string>> awaiting_audit;
};

}  // namespace mg::server
