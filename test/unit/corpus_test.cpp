// Every case of the shared corpus through the engine with the static catalog (the CLI's view).
#include <gtest/gtest.h>

#include <set>

#include "corpus.hpp"
#include "engine/rule_catalog.hpp"
#include "engine_helpers.hpp"

namespace mg::test {

namespace {

const std::vector<CorpusCase> &corpus() {
    static const std::vector<CorpusCase> cases = load_corpus(MG_CORPUS_DIR);
    return cases;
}

std::string joined(const std::vector<std::string> &v) {
    std::string s;
    for (const auto &x : v) s += (s.empty() ? "" : " ") + x;
    return s.empty() ? "none" : s;
}

class CorpusTest : public ::testing::TestWithParam<size_t> {};

TEST_P(CorpusTest, ReportsExactlyTheExpectedRules) {
    const CorpusCase &c = corpus().at(GetParam());
    if (!c.parsable()) GTEST_SKIP() << "needs PostgreSQL " << c.since << "'s grammar";
    SCOPED_TRACE(c.file + ": " + c.name + "\n" + c.sql);
    EXPECT_EQ(joined(rule_ids(c.sql)), joined(c.expected_rules));
    if (!c.expected_risk.empty()) {
        EXPECT_STREQ(risk_name(highest(run(c.sql))), c.expected_risk.c_str());
    }
}

std::string case_label(const ::testing::TestParamInfo<size_t> &info) {
    const CorpusCase &c = corpus().at(info.param);
    std::string label = c.file.substr(0, c.file.size() - 4) + "_" + std::to_string(info.param);
    return label;
}

INSTANTIATE_TEST_SUITE_P(Corpus, CorpusTest, ::testing::Range<size_t>(0, corpus().size()), case_label);

TEST(Corpus, EveryRuleFiresSomewhereAndEveryExpectedIdExists) {
    std::set<std::string> fired;
    for (const auto &c : corpus())
        for (const auto &id : c.expected_rules) {
            EXPECT_NE(find_rule(id), nullptr) << "unknown rule id in corpus: " << id;
            fired.insert(id);
        }
    for (const auto &rule : all_rules()) {
        if (rule.server_only || rule.linter_only || rule.opt_in) continue;  // not statement rules by default
        EXPECT_TRUE(fired.count(rule.id)) << rule.id << " never fires in the corpus";
    }
}

TEST(Corpus, EveryRuleHasACaseWhereItStaysSilent) {
    // For each rule, some case in the corpus whose SQL mentions the rule's statement but which
    // does not expect it: the corpus files are organised so that each family has safe forms.
    std::set<std::string> files_with_none;
    for (const auto &c : corpus())
        if (c.expected_rules.empty()) files_with_none.insert(c.file);
    for (const char *file : {"drops.sql", "columns.sql", "constraints.sql", "renames.sql", "indexes.sql",
                             "maintenance.sql", "types.sql", "rls.sql", "not_statements.sql"})
        EXPECT_TRUE(files_with_none.count(file)) << file << " has no case without findings";
}

}  // namespace
}  // namespace mg::test
