// Runs the engine on one statement the server is about to execute.
#pragma once

#include "server/live_catalog/server_catalog.hpp"

#include <string>
#include <vector>

#include "engine/finding.hpp"
#include "server/pg_prelude.hpp"

namespace mg::server {

// `emptied`, when given, receives the relations a TRUNCATE empties (named or reached), new ones
// included.
// `catalog`: the one the caller goes on using for the same statement (its look-ups are cached).
std::vector<Finding> findings_for_statement(Node *stmt, std::vector<std::string> *emptied = nullptr,
                                            ServerCatalog *catalog = nullptr);

// A finding the server makes itself (not the engine), with the rule's default risk and category.
Finding make_finding(const char *rule, std::string object, std::string message, std::string hint);

// Drift: adds ddl-outside-migration when migration_guard.outside_migration asks and no migration
// id is set.
void add_outside_migration(std::vector<Finding> &findings, Node *stmt, const std::string &tag);

}  // namespace mg::server
