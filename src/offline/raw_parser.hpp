// Parsing outside the server with libpg_query, which builds the same parse trees as the server of
// its major (17 from trixie's package; 15 without it). Used by the CLI and the unit tests.
#pragma once

#include <string>
#include <vector>

#include "engine/analyzer.hpp"

struct List;  // nodes/pg_list.h

namespace mg {

struct ParseError {
    std::string message;
    int location = -1;  // byte offset into the text, -1 when unknown
};

// Parses `text` and runs the engine on it. Returns false (and fills `error`) on a syntax error.
// libpg_query's memory is released before returning.
bool analyze_text(const std::string &text, const CatalogFacts &catalog, const Options &options,
                  std::vector<StatementReport> &reports, ParseError &error);

// The PostgreSQL major whose grammar libpg_query parses (a newer major's syntax is a parse error).
int parser_major();

// libpg_query's memory for the parse trees made while it lives (released however the scope is left).
class ParserScope {
public:
    ParserScope();
    ~ParserScope();
    ParserScope(const ParserScope &) = delete;
    ParserScope &operator=(const ParserScope &) = delete;

private:
    void *context_;
};

// Parses `text` (inside a ParserScope); false with the error and its byte offset in `text`.
bool parse_tree(const std::string &text, List *&tree, ParseError &error);

}  // namespace mg
