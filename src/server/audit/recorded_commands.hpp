// Schema changes that no rule judges but the audit log must still name: privileges (GRANT,
// REVOKE, ALTER DEFAULT PRIVILEGES), roles, databases, tablespaces, event triggers and REASSIGN
// OWNED. Each command becomes one (object type, identity) per object it changed.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "engine/catalog.hpp"
#include "server/pg_prelude.hpp"

namespace mg::server {

using RecordedObject = std::pair<std::string, std::string>;  // object type, identity

// GRANT / REVOKE on objects and ALTER DEFAULT PRIVILEGES, as the ddl_command_end trigger sees them
// (PostgreSQL reports no identity for these). A grant's identity says what, to whom, on what:
// "SELECT, INSERT for alice on public.orders".
std::vector<RecordedObject> privilege_objects(const Node *stmt, const CatalogFacts &catalog);

// Commands event triggers never see (roles, databases, tablespaces, event triggers, GRANT on
// those, REASSIGN OWNED): what the utility hook records for them. Empty for any other command.
std::vector<RecordedObject> global_objects(const Node *stmt);

}  // namespace mg::server
