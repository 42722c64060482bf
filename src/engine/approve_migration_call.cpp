#include "engine/approve_migration_call.hpp"

namespace mg {

std::string approve_migration_call(const std::string &text, const std::string &for_role) {
    std::string tag = "$migration$";
    for (int i = 1; text.find(tag) != std::string::npos; ++i) tag = "$migration" + std::to_string(i) + "$";
    std::string role;
    if (!for_role.empty()) {
        role = ", for_role => '";
        for (char c : for_role) role += c == '\'' ? std::string("''") : std::string(1, c);
        role += "'";
    }
    return "SELECT migration_guard.approve_migration(" + tag + text + tag + ", '<why>'" + role + ");";
}

}  // namespace mg
