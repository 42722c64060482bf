#include "engine/rule_context.hpp"

#include <set>

#include "engine/rule_catalog.hpp"

namespace mg {

Finding &RuleContext::add(const char *rule, int location, std::string object, std::string message,
                          std::string hint) {
    Finding f;
    f.rule = rule;
    if (const RuleInfo *info = find_rule(rule)) {
        f.risk = info->default_risk;
        f.category = info->category;
    }
    f.statement = report_.number;
    f.location = location >= 0 ? location : report_.location;
    f.object = std::move(object);
    f.message = std::move(message);
    f.hint = std::move(hint);
    report_.findings.push_back(std::move(f));
    return report_.findings.back();
}

QualifiedName RuleContext::qualify(const QualifiedName &t) const {
    if (!t.schema.empty() || t.name.empty() || state.new_table(t)) return state.resolved(t);
    if (auto schema = catalog.schema_of(t)) return {*schema, t.name};
    return state.resolved(t);
}

std::string RuleContext::at_stake(const QualifiedName &t) const {
    auto facts = live(t);
    if (!facts) return {};
    if (facts->rows <= 0) return " (the table is empty)";
    return " (~" + format_count(facts->rows) + " rows, " + format_bytes(facts->bytes) + ")";
}

void RuleContext::scale_by_size(Finding &f, const QualifiedName &t, Impact impact) const {
    auto facts = live(t);
    if (!facts) return;
    const bool rewrite = impact == Impact::Rewrite;
    if (facts->rows <= 0 || facts->rows < options.medium_table_rows)
        f.risk = Risk::Low;
    else if (facts->rows < options.high_table_rows)
        f.risk = rewrite ? Risk::High : Risk::Medium;
    else
        f.risk = rewrite ? Risk::Critical : Risk::High;
}

std::string RuleContext::count_phrase(const DataCount &c, const char *one, const char *many) {
    std::string s = (c.at_least ? "at least " : "") + format_count(static_cast<double>(c.count)) + " " +
                    (c.count == 1 && !c.at_least ? one : many);
    if (c.timed_out)
        s += " (the check stopped at its time limit)";
    else if (c.at_least)
        s += " (the check stopped after " + format_count(static_cast<double>(c.examined)) + " rows)";
    return s;
}

std::vector<RuleContext::Reached> RuleContext::descendants(
    const QualifiedName &t, const std::function<bool(const QualifiedName &)> &follow) const {
    std::vector<Reached> out;
    std::set<std::string> seen{state.key(qualify(t))};
    std::vector<QualifiedName> pending{qualify(t)};
    while (!pending.empty()) {
        const QualifiedName parent = pending.back();
        pending.pop_back();
        std::vector<QualifiedName> kids;
        for (const auto &c : catalog.children(parent))
            if (!state.parent_removed(c, parent)) kids.push_back(c);
        for (const auto &c : state.children_of(parent)) kids.push_back(qualify(c));
        for (const auto &c : kids) {
            if (!seen.insert(state.key(c)).second) continue;
            if (follow && !follow(c)) continue;
            out.push_back({c, parent});
            pending.push_back(c);
        }
    }
    return out;
}

std::vector<QualifiedName> RuleContext::referencing(const std::vector<QualifiedName> &tables) const {
    std::set<std::string> in;
    for (const auto &t : tables) in.insert(state.key(t));
    std::vector<QualifiedName> out;
    auto add = [&](const QualifiedName &q) {
        if (in.insert(state.key(q)).second) out.push_back(q);
    };
    for (const auto &q : catalog.referencing_tables(tables)) add(q);
    for (const auto &t : tables)
        for (const auto &q : state.referencing(t)) add(qualify(q));
    return out;
}

void RuleContext::takes_lock(LockMode mode, const QualifiedName &t) {
    if (is_new(t)) return;
    if (mode > strongest_) {
        strongest_ = mode;
        strongest_table_ = state.resolved(t);
    }
}

Volatility RuleContext::volatility(const std::vector<std::string> &func, int nargs) const {
    Volatility v = state.function_volatility(func);
    if (v != Volatility::Unknown) return v;
    return catalog.function_volatility(func, nargs);
}

}  // namespace mg
