// Linting a whole migration text without losing any of it: a statement that does not parse is
// reported at its position and left out, and the statements around it are still judged (as one
// migration, in order). Statement boundaries come from PostgreSQL's scanner.
#pragma once

#include <string>
#include <vector>

#include "offline/psql_script.hpp"
#include "offline/raw_parser.hpp"

namespace mg {

struct StatementError {
    ParseError error;
    int statement = 0;  // 1-based number the statement would have had; 0 for the whole text
};

struct ScriptAnalysis {
    std::vector<StatementReport> statements;  // numbered as in the text, bad ones counted
    std::vector<StatementError> errors;       // in text order
    std::vector<SkippedRegion> skipped;       // psql meta-commands and COPY data
    int statement_count = 0;                  // statements in the text, bad ones included
};

struct ScriptOptions {
    bool psql = true;       // skip psql meta-commands and COPY ... FROM stdin data
    int max_errors = 200;   // then the rest of the text is reported as not linted
};

ScriptAnalysis analyze_script(const std::string &text, const CatalogFacts &catalog, const Options &options,
                              const ScriptOptions &script = {});

// Statement spans [begin, end) from PostgreSQL's scanner (begin at the first token, end at the
// terminating semicolon or the text's end). A literal that never ends is in the last span, which
// runs to the end of the text.
struct Span {
    int begin;
    int end;
};
std::vector<Span> statement_spans(const std::string &text);

}  // namespace mg
