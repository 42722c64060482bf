#include "cli/pg_values.hpp"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstdint>
#include <cstdlib>

namespace mg::cli {

std::optional<long long> parse_int(std::string_view s) {
    const std::string str(s);
    if (str.empty()) return std::nullopt;
    char *end = nullptr;
    errno = 0;
    const long long v = std::strtoll(str.c_str(), &end, 10);
    if (errno != 0 || *end != '\0') return std::nullopt;
    return v;
}

std::optional<bool> parse_bool(std::string_view s) {
    if (s == "t") return true;
    if (s == "f") return false;
    return std::nullopt;
}

std::optional<double> parse_number(std::string_view s) {
    const std::string str(s);
    if (str.empty()) return std::nullopt;
    char *end = nullptr;
    const double v = std::strtod(str.c_str(), &end);
    if (*end != '\0') return std::nullopt;
    return v;
}

std::optional<std::vector<std::string>> parse_json_strings(std::string_view s) {
    const nlohmann::json j = nlohmann::json::parse(s.begin(), s.end(), nullptr, false);
    if (j.is_discarded() || !j.is_array()) return std::nullopt;
    std::vector<std::string> items;
    for (const auto &item : j) {
        if (item.is_null()) continue;
        if (!item.is_string()) return std::nullopt;
        items.push_back(item.get<std::string>());
    }
    return items;
}

}  // namespace mg::cli
