// libFuzzer target over the lint path: any bytes, as a migration file, through libpg_query and the
// whole rule engine. Whatever the input, the result is a report or a parse error with a position,
// never a crash, a hang, undefined behaviour or a leak (built with ASan and UBSan).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "offline/raw_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const std::string text(reinterpret_cast<const char *>(data), size);
    std::vector<mg::StatementReport> reports;
    mg::ParseError error;
    const bool ok = mg::analyze_text(text, mg::StaticCatalog{}, mg::Options{}, reports, error);
    if (!ok && (error.location < -1 || error.location > static_cast<int>(size))) __builtin_trap();
    for (const auto &r : reports)
        for (const auto &f : r.findings)
            if (f.rule.empty() || f.message.empty()) __builtin_trap();
    return 0;
}
