// libFuzzer target over the lint path: any bytes, as a migration file, through libpg_query and the
// whole rule engine, strictly (analyze_text) and as the linter reads files (analyze_script: psql
// meta-commands and COPY data skipped, statements that do not parse reported and left out).
// Whatever the input, the result is a report or errors with positions inside the text, never a
// crash, a hang, undefined behaviour or a leak (built with ASan and UBSan).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "offline/psql_script.hpp"
#include "offline/raw_parser.hpp"
#include "offline/rollback_guide.hpp"
#include "offline/script_analysis.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const std::string text(reinterpret_cast<const char *>(data), size);
    const int n = static_cast<int>(size);
    std::vector<mg::StatementReport> reports;
    mg::ParseError error;
    const bool ok = mg::analyze_text(text, mg::StaticCatalog{}, mg::Options{}, reports, error);
    if (!ok && (error.location < -1 || error.location > n)) __builtin_trap();
    for (const auto &r : reports)
        for (const auto &f : r.findings)
            if (f.rule.empty() || f.message.empty()) __builtin_trap();

    // Blanking keeps every offset: same length, same line breaks.
    const mg::PreparedScript prepared = mg::prepare_psql_script(text);
    if (prepared.text.size() != size) __builtin_trap();
    for (const auto &s : prepared.skipped)
        if (s.begin < 0 || s.end > n || s.begin > s.end) __builtin_trap();

    mg::ScriptOptions options;
    options.max_errors = 20;  // bounds the re-parses of a text full of errors
    const mg::ScriptAnalysis script = mg::analyze_script(text, mg::StaticCatalog{}, mg::Options{}, options);
    for (const auto &e : script.errors)
        if (e.error.location < -1 || e.error.location > n || e.statement < 0 || e.statement > script.statement_count)
            __builtin_trap();
    for (const auto &r : script.statements) {
        if (r.number < 1 || r.number > script.statement_count) __builtin_trap();
        for (const auto &f : r.findings)
            if (f.statement != r.number || f.location < 0 || f.location > n) __builtin_trap();
    }

    // The rollback guide: every statement of the text, each line inside it.
    std::vector<mg::StatementUndo> guide;
    mg::ParseError guide_error;
    if (mg::rollback_guide(text, guide, guide_error))
        for (const auto &u : guide)
            if (u.line < 1 || u.number < 1) __builtin_trap();
    return 0;
}
