// Reads the shared rule corpus (test/corpus/*.sql; format in its README).
#pragma once

#include <string>
#include <vector>

namespace mg::test {

struct CorpusCase {
    std::string file;
    std::string name;
    std::vector<std::string> expected_rules;  // sorted; empty for "none"
    std::string expected_risk;                // "" when the case does not assert one
    std::string sql;
    int since = 0;  // the PostgreSQL major whose grammar the SQL needs (0: any)
    // The parser of these tests (libpg_query, PG_VERSION_NUM of its headers) reads the SQL.
    bool parsable() const;
};

std::vector<CorpusCase> load_corpus(const std::string &dir);

}  // namespace mg::test
