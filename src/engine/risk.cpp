#include "engine/risk.hpp"

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
    if (s == "low") return Risk::Low;
    if (s == "medium") return Risk::Medium;
    if (s == "high") return Risk::High;
    if (s == "critical") return Risk::Critical;
    return std::nullopt;
}

}  // namespace mg
