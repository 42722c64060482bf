// pg_dump by a role that may not read the guard's history (the database's owner, typically).
// pg_dump copies the data of an extension's configuration tables, and the guard's are readable
// only by superusers, auditors and approvers, so an owner's pg_dump failed with "permission
// denied". A COPY of one of them TO the client by a role without SELECT on it now gives no rows
// and a NOTICE saying so: the dump holds the guard and its settings, not its history. Nothing is
// read that the role could not read before; a superuser's (or auditor's) dump carries it all.
#pragma once

#include "server/pg_prelude.hpp"

namespace mg::server {

// When `copy` is such a COPY: a COPY of no rows to run in its place (parse tree in the current
// memory context), else nullptr. PostgreSQL code only (may ereport).
Node *copy_without_history(Node *copy);

}  // namespace mg::server
