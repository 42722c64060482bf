// Role names for audit rows and approvals, copied out of PostgreSQL's memory.
#pragma once

#include <string>

#include "server/pg_prelude.hpp"

namespace mg::server {

std::string role_name(Oid role);
std::string current_role_name();  // the role whose privileges apply now (SET ROLE, SECURITY DEFINER)
std::string session_role_name();  // the role that logged in

}  // namespace mg::server
