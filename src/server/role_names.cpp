#include "server/role_names.hpp"

#include "server/boundary.hpp"

namespace mg::server {

std::string role_name(Oid role) {
    const char *name = nullptr;
    pg_call([&] { name = GetUserNameFromId(role, false); });
    return name;
}

std::string current_role_name() { return role_name(GetUserId()); }
std::string session_role_name() { return role_name(GetSessionUserId()); }

}  // namespace mg::server
