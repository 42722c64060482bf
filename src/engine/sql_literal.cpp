#include "engine/sql_literal.hpp"

#include <algorithm>

#include "engine/text_position.hpp"

namespace mg {

std::string sql_literal(const std::string &text) {
    const bool needs_e = std::any_of(text.begin(), text.end(), [](char c) {
        return c == '\\' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
    });
    std::string q;
    for (char c : needs_e ? escape_control(text, true) : text) q += c == '\'' ? std::string("''") : std::string(1, c);
    return (needs_e ? "E'" : "'") + q + "'";
}

std::string approve_migration_call(const std::string &text, const std::string &for_role, bool one_line) {
    std::string literal;
    if (one_line) {
        literal = sql_literal(text);
    } else {
        std::string tag = "$migration$";
        for (int i = 1; text.find(tag) != std::string::npos; ++i) tag = "$migration" + std::to_string(i) + "$";
        literal = tag + text + tag;
    }
    return "SELECT migration_guard.approve_migration(" + literal + ", '<why>'" +
           (for_role.empty() ? std::string() : ", for_role => " + sql_literal(for_role)) + ");";
}

}  // namespace mg
