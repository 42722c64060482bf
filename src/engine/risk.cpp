#include "engine/risk.hpp"

#include <cctype>

namespace mg {

const char *risk_name(Risk r) {
    switch (r) {
        case Risk::Low: return "low";
        case Risk::Medium: return "medium";
        case Risk::High: return "high";
        case Risk::Critical: return "critical";
    }
    return "low";
}

std::optional<Risk> parse_risk(std::string_view s) {
    // HIGH as high, as PostgreSQL reads enum settings.
    auto is = [&](std::string_view name) {
        if (s.size() != name.size()) return false;
        for (size_t i = 0; i < s.size(); ++i)
            if (std::tolower(static_cast<unsigned char>(s[i])) != name[i]) return false;
        return true;
    };
    if (is("low")) return Risk::Low;
    if (is("medium")) return Risk::Medium;
    if (is("high")) return Risk::High;
    if (is("critical")) return Risk::Critical;
    return std::nullopt;
}

}  // namespace mg
