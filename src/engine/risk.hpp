// Risk levels and categories shared by the engine, the server and the CLI.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mg {

// Ordered: comparisons between risks are meaningful (low < medium < high < critical).
enum class Risk { Low = 0, Medium = 1, High = 2, Critical = 3 };

const char *risk_name(Risk r);
std::optional<Risk> parse_risk(std::string_view s);

inline Risk max_risk(Risk a, Risk b) { return a < b ? b : a; }

}  // namespace mg
