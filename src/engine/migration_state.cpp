#include "engine/migration_state.hpp"

#include <algorithm>

namespace mg {

std::string MigrationState::key(const QualifiedName &q) const {
    return (q.schema.empty() ? default_schema_ : q.schema) + "." + q.name;
}

QualifiedName MigrationState::resolved(const QualifiedName &q) const {
    return {q.schema.empty() ? default_schema_ : q.schema, q.name};
}

NewTable *MigrationState::new_table(const QualifiedName &q) {
    auto it = tables_.find(key(q));
    return it == tables_.end() ? nullptr : &it->second;
}

const NewTable *MigrationState::new_table(const QualifiedName &q) const {
    auto it = tables_.find(key(q));
    return it == tables_.end() ? nullptr : &it->second;
}

NewTable &MigrationState::add_table(const QualifiedName &q) {
    const std::string k = key(q);
    NewTable &t = tables_[k];
    t = NewTable{};
    t.name = resolved(q);
    created_table_order.push_back(k);
    return t;
}

void MigrationState::drop_table(const QualifiedName &q) {
    const std::string k = key(q);
    tables_.erase(k);
    indexes_.erase(k);
}

void MigrationState::rename_table(const QualifiedName &q, const std::string &new_name) {
    const std::string k = key(q);
    auto it = tables_.find(k);
    if (it == tables_.end()) return;
    NewTable t = std::move(it->second);
    tables_.erase(it);
    t.name.name = new_name;
    const std::string nk = key(t.name);
    tables_[nk] = std::move(t);
    auto idx = indexes_.find(k);
    if (idx != indexes_.end()) {
        indexes_[nk] = std::move(idx->second);
        indexes_.erase(k);
    }
    for (auto &fk : foreign_keys)
        if (fk.table_key == k) fk.table_key = nk;
    std::replace(created_table_order.begin(), created_table_order.end(), k, nk);
}

void MigrationState::add_index(const QualifiedName &table, std::vector<std::string> columns) {
    indexes_[key(table)].push_back(std::move(columns));
}

bool MigrationState::has_index_leading(const std::string &table_key,
                                       const std::vector<std::string> &cols) const {
    auto it = indexes_.find(table_key);
    if (it == indexes_.end()) return false;
    std::vector<std::string> want(cols);
    std::sort(want.begin(), want.end());
    for (const auto &index : it->second) {
        if (index.size() < want.size()) continue;
        std::vector<std::string> lead(index.begin(), index.begin() + want.size());
        std::sort(lead.begin(), lead.end());
        if (lead == want) return true;
    }
    return false;
}

void MigrationState::set_function_volatility(const std::vector<std::string> &name, Volatility v) {
    if (!name.empty()) functions_[name.back()] = v;
}

Volatility MigrationState::function_volatility(const std::vector<std::string> &name) const {
    if (name.empty()) return Volatility::Unknown;
    auto it = functions_.find(name.back());
    return it == functions_.end() ? Volatility::Unknown : it->second;
}

void MigrationState::enable_rls(const QualifiedName &table) {
    if (NewTable *t = new_table(table)) t->rls = true;
    rls_schemas_.insert(resolved(table).schema);
}

void MigrationState::add_parent(const QualifiedName &child, const QualifiedName &parent) {
    children_[key(parent)][key(child)] = resolved(child);
    removed_parents_.erase(key(child) + "|" + key(parent));
}

void MigrationState::remove_parent(const QualifiedName &child, const QualifiedName &parent) {
    auto it = children_.find(key(parent));
    if (it != children_.end()) it->second.erase(key(child));
    removed_parents_.insert(key(child) + "|" + key(parent));
}

namespace {
// The tables an edge map holds for one key (children of a parent, referencers of a table).
std::vector<QualifiedName> tables_under(const std::map<std::string, std::map<std::string, QualifiedName>> &edges,
                                        const std::string &k) {
    std::vector<QualifiedName> out;
    auto it = edges.find(k);
    if (it != edges.end())
        for (const auto &[unused, table] : it->second) out.push_back(table);
    return out;
}
}  // namespace

std::vector<QualifiedName> MigrationState::children_of(const QualifiedName &parent) const {
    return tables_under(children_, key(parent));
}

bool MigrationState::parent_removed(const QualifiedName &child, const QualifiedName &parent) const {
    return removed_parents_.count(key(child) + "|" + key(parent)) > 0;
}

void MigrationState::add_reference(const QualifiedName &from, const QualifiedName &to) {
    referencing_[key(to)][key(from)] = resolved(from);
}

std::vector<QualifiedName> MigrationState::referencing(const QualifiedName &to) const {
    return tables_under(referencing_, key(to));
}

}  // namespace mg
