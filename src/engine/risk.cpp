#include "engine/risk.hpp"

#include <cctype>
#include <string>

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

std::optional<Risk> parse_risk(std::string_view written) {
    std::string s(written);  // HIGH as high, as PostgreSQL reads enum settings
    for (char &c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (s == "low") return Risk::Low;
    if (s == "medium") return Risk::Medium;
    if (s == "high") return Risk::High;
    if (s == "critical") return Risk::Critical;
    return std::nullopt;
}

}  // namespace mg
