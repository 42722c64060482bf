// Reading the text form of the values `check` selects: integers, booleans, numerics and the
// JSON arrays of text that to_json(text[]) gives.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mg::cli {

std::optional<long long> parse_int(std::string_view s);
std::optional<bool> parse_bool(std::string_view s);  // "t" / "f"
std::optional<double> parse_number(std::string_view s);

// ["a","b"] → {a, b} (nlohmann-json): what PostgreSQL's to_json writes for a text[]; null
// elements are dropped. Returns nullopt on anything else.
std::optional<std::vector<std::string>> parse_json_strings(std::string_view s);

}  // namespace mg::cli
