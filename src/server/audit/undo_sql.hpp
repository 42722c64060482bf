// Compensating SQL of the statement running now (docs/rollback.md): the engine's undo steps,
// computed before the statement runs from its parse tree and the live catalog, written with the
// statement's first audit row (audit_log.undo_sql) once the recycle bin has kept what it took.
#pragma once

#include <string>
#include <vector>

#include "engine/undo.hpp"
#include "server/live_catalog/server_catalog.hpp"
#include "server/pg_prelude.hpp"

namespace mg::server {

// The undo steps of `stmt`, as the schema is now (call before it runs).
std::vector<UndoStep> undo_before(Node *stmt, const ServerCatalog &catalog);

// As SQL for audit_log.undo_sql: each step a statement, or a comment saying why there is none;
// what the recycle bin kept becomes its restore() call. `restores`: (kept id, object).
std::string render_undo(const std::vector<UndoStep> &steps, const std::vector<std::pair<int64_t, std::string>> &restores,
                        const std::string &statement);

}  // namespace mg::server
