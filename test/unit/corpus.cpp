#include "corpus.hpp"

#include "engine/pg_nodes.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace mg::test {

namespace {

bool starts_with(const std::string &s, const std::string &prefix) { return s.rfind(prefix, 0) == 0; }

std::vector<std::string> words(const std::string &s) {
    std::istringstream in(s);
    std::vector<std::string> out;
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

}  // namespace

bool CorpusCase::parsable() const { return since * 10000 <= PG_VERSION_NUM; }

std::vector<CorpusCase> load_corpus(const std::string &dir) {
    std::vector<std::string> files;
    for (const auto &entry : std::filesystem::directory_iterator(dir))
        if (entry.path().extension() == ".sql") files.push_back(entry.path().string());
    std::sort(files.begin(), files.end());

    std::vector<CorpusCase> cases;
    for (const auto &path : files) {
        std::ifstream in(path);
        const std::string file = std::filesystem::path(path).filename().string();
        CorpusCase *current = nullptr;
        for (std::string line; std::getline(in, line);) {
            if (starts_with(line, "-- case: ")) {
                cases.push_back({file, line.substr(9), {}, "", ""});
                current = &cases.back();
            } else if (current && starts_with(line, "-- expect: ")) {
                auto rules = words(line.substr(11));
                if (!(rules.size() == 1 && rules[0] == "none")) current->expected_rules = rules;
                std::sort(current->expected_rules.begin(), current->expected_rules.end());
            } else if (current && starts_with(line, "-- since: ")) {
                current->since = std::stoi(line.substr(10));
            } else if (current && starts_with(line, "-- risk: ")) {
                current->expected_risk = words(line.substr(9)).at(0);
            } else if (current) {
                current->sql += line + "\n";
            }
        }
    }
    if (cases.empty()) throw std::runtime_error("no corpus cases found in " + dir);
    return cases;
}

}  // namespace mg::test
