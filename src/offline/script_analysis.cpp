#include "offline/script_analysis.hpp"

#include <algorithm>
#include <exception>

#include "engine/text_position.hpp"

namespace mg {

namespace {

// Refusals that concern the whole text (a NUL byte, invalid UTF-8): PostgreSQL would reject
// or cut the text as a whole, so no statement of it can be judged on its own.
bool whole_text_error(const ParseError &e) {
    return e.location < 0 || e.message.rfind("the text contains a NUL byte", 0) == 0 ||
           e.message.rfind("invalid UTF-8", 0) == 0;
}

}  // namespace

std::vector<Span> statement_spans(const std::string &text) {
    // Between the scanner's semicolons (a syntax error inside a BEGIN ATOMIC body may split the
    // body: its pieces are then reported one by one, nothing is skipped silently).
    std::vector<Span> spans;
    int error_at = -1;
    const std::vector<int> ends = semicolons(text, error_at);
    int from = 0;
    for (const int end : ends) {
        const int begin = skip_blanks(text, from);
        if (begin < end) spans.push_back({begin, end});
        from = end + 1;
    }
    const int n = static_cast<int>(text.size());
    const int begin = skip_blanks(text, from);
    if (begin < n) spans.push_back({begin, n});  // the last statement, or the one that never ends
    return spans;
}

ScriptAnalysis analyze_script(const std::string &text, const CatalogFacts &catalog, const Options &options,
                              const ScriptOptions &script) {
    ScriptAnalysis out;
    PreparedScript prepared = script.psql ? prepare_psql_script(text) : PreparedScript{text, {}, false};
    out.skipped = std::move(prepared.skipped);
    std::string &t = prepared.text;

    std::vector<Span> spans;  // computed on the first error only: the clean path parses once
    std::vector<Span> bad;    // blanked statements, in the order found
    int meta_commands = 0;    // found by the parser stopping at them
    bool scanned = prepared.scanned;
    for (;;) {
        std::vector<StatementReport> reports;
        ParseError error;
        bool ok = false;
        try {
            ok = analyze_text(t, catalog, options, reports, error);
        } catch (const std::exception &e) {
            error = {std::string("internal error: ") + e.what(), -1};
        }
        if (ok) {
            out.statements = std::move(reports);
            break;
        }
        // psql meta-commands: a backslash outside any literal is where the parser stops.
        if (script.psql && error.location >= 0 && error.location < static_cast<int>(t.size()) &&
            t[error.location] == '\\' && !scanned) {
            // One parse per meta-command is cheap for the usual few; beyond that, one scan of
            // the whole text finds the rest.
            if (++meta_commands <= 8) {
                skip_meta_command(t, error.location, out.skipped);
            } else {
                PreparedScript rest = prepare_psql_script(t, true);
                t = std::move(rest.text);
                out.skipped.insert(out.skipped.end(), rest.skipped.begin(), rest.skipped.end());
                scanned = true;
            }
            continue;
        }
        if (whole_text_error(error) || static_cast<int>(out.errors.size()) >= script.max_errors) {
            if (!whole_text_error(error))
                error.message = "too many statements that do not parse (" + std::to_string(script.max_errors) +
                                "); the rest of the text was not linted: " + error.message;
            out.errors.push_back({error, 0});
            out.statements.clear();
            break;
        }
        if (spans.empty()) spans = statement_spans(t);
        // The statement holding the error ("at end of input" is at the last one's end).
        Span span{error.location, static_cast<int>(t.size())};
        for (const Span &s : spans)
            if (s.end >= error.location) {
                span = s;
                break;
            }
        if (!bad.empty() && bad.back().begin == span.begin && bad.back().end == span.end) {
            out.errors.push_back({error, 0});  // blanking it did not help: give up on the rest
            out.statements.clear();
            break;
        }
        out.errors.push_back({error, 0});
        bad.push_back(span);
        blank_out(t, span.begin, span.end);
    }

    // Number statements as the text has them: the bad ones count.
    std::vector<int> bad_starts;
    for (const Span &s : bad) bad_starts.push_back(s.begin);
    std::sort(bad_starts.begin(), bad_starts.end());
    auto bad_before = [&](int location) {
        return static_cast<int>(std::lower_bound(bad_starts.begin(), bad_starts.end(), location) - bad_starts.begin());
    };
    for (auto &report : out.statements) {
        const int shift = bad_before(report.location);
        report.number += shift;
        for (auto &f : report.findings) f.statement += shift;
    }
    for (size_t i = 0; i < out.errors.size() && i < bad.size(); ++i) {
        // Good statements before it, plus bad ones before it, plus itself.
        const int good = static_cast<int>(std::count_if(out.statements.begin(), out.statements.end(),
                                                        [&](const StatementReport &r) { return r.location < bad[i].begin; }));
        out.errors[i].statement = good + bad_before(bad[i].begin) + 1;
    }
    std::sort(out.errors.begin(), out.errors.end(), [](const StatementError &a, const StatementError &b) {
        return a.error.location < b.error.location;
    });
    std::sort(out.skipped.begin(), out.skipped.end(),
              [](const SkippedRegion &a, const SkippedRegion &b) { return a.begin < b.begin; });
    out.statement_count = static_cast<int>(out.statements.size() + bad.size());
    return out;
}

}  // namespace mg
