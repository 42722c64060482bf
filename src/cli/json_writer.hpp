// JSON output with nlohmann-json: objects keep their members in insertion order (the contract's
// order), invalid UTF-8 in a file's text becomes U+FFFD so the output stays valid JSON.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace mg::cli {

using Json = nlohmann::ordered_json;

inline std::string dump_json(const Json &j) {
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace mg::cli
