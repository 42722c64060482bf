#include "cli/config.hpp"

#include <filesystem>
#include <set>
#include <sstream>
#include <toml++/toml.h>

#include "engine/rule_catalog.hpp"

namespace fs = std::filesystem;

namespace mg::cli {

namespace {

std::string where(const std::string &file, const toml::source_region &src) {
    return file + ":" + std::to_string(src.begin.line) + ":" + std::to_string(src.begin.column) + ": ";
}

// Reads one key's value, reporting a wrong type or value at its position.
class Reader {
public:
    Reader(const std::string &file, std::string &error) : file_(file), error_(error) {}

    bool fail(const toml::node &node, const std::string &why) { return fail_at(node.source(), why); }
    bool fail_at(const toml::source_region &src, const std::string &why) {
        if (error_.empty()) error_ = where(file_, src) + why;
        return false;
    }

    bool string(const toml::node &node, const char *key, std::string &out) {
        if (auto v = node.value<std::string>(); v && node.is_string()) {
            out = *v;
            return true;
        }
        return fail(node, std::string(key) + " must be a string");
    }

    bool boolean(const toml::node &node, const char *key, bool &out) {
        if (!node.is_boolean()) return fail(node, std::string(key) + " must be true or false");
        out = *node.value<bool>();
        return true;
    }

    bool strings(const toml::node &node, const char *key, std::vector<std::string> &out) {
        const toml::array *arr = node.as_array();
        if (!arr) return fail(node, std::string(key) + " must be an array of strings");
        out.clear();
        for (const auto &item : *arr) {
            if (!item.is_string()) return fail(item, std::string(key) + " must hold strings only");
            out.push_back(*item.value<std::string>());
        }
        return true;
    }

    bool risk(const toml::node &node, const char *key, Risk &out) {
        std::string s;
        if (!string(node, key, s)) return false;
        if (auto r = parse_risk(s)) {
            out = *r;
            return true;
        }
        return fail(node, std::string(key) + ": unknown risk '" + s + "' (low, medium, high or critical)");
    }

private:
    const std::string &file_;
    std::string &error_;
};

bool read_rules(const toml::table &rules, Reader &r, Config &config) {
    for (const auto &[key, node] : rules) {
        const std::string id(key.str());
        if (!find_rule(id)) return r.fail_at(key.source(), "unknown rule '" + id + "' in [rules] (see: migration-guard rules)");
        std::string value;
        if (!r.string(node, id.c_str(), value)) return false;
        RuleSetting setting;
        if (value == "off") setting.off = true;
        else if (auto risk = parse_risk(value)) setting.risk = *risk;
        else return r.fail(node, "rule " + id + ": '" + value + "' is neither off nor a risk (low, medium, high, critical)");
        config.rules[id] = setting;
    }
    return true;
}

bool read_hygiene(const toml::table &table, Reader &r, Config &config) {
    for (const auto &[key, node] : table) {
        const std::string k(key.str());
        bool *flag = k == "file_names"          ? &config.hygiene.file_names
                     : k == "version_order"     ? &config.hygiene.version_order
                     : k == "destructive_names" ? &config.hygiene.destructive_names
                                                : nullptr;
        if (!flag) return r.fail_at(key.source(), "unknown key '" + k + "' in [hygiene] (file_names, version_order, destructive_names)");
        if (!r.boolean(node, k.c_str(), *flag)) return false;
    }
    return true;
}

bool read_top(const toml::table &top, Reader &r, Config &config) {
    for (const auto &[key, node] : top) {
        const std::string k(key.str());
        if (k == "fail_on") {
            Risk risk = Risk::High;
            if (!r.risk(node, "fail_on", risk)) return false;
            config.fail_on = risk;
        } else if (k == "rls_schemas") {
            std::vector<std::string> schemas;
            if (!r.strings(node, "rls_schemas", schemas)) return false;
            config.rls_schemas = schemas;
        } else if (k == "include") {
            if (!r.strings(node, "include", config.include)) return false;
        } else if (k == "exclude") {
            if (!r.strings(node, "exclude", config.exclude)) return false;
        } else if (k == "layout") {
            std::string s;
            if (!r.string(node, "layout", s)) return false;
            auto layout = parse_layout(s);
            if (!layout) return r.fail(node, "unknown layout '" + s + "' (" + layout_names() + ")");
            config.layout = *layout;
        } else if (k == "postgres_version") {
            auto v = node.value<int64_t>();
            if (!node.is_integer() || !v || *v < kOldestPostgresMajor || *v > kNewestPostgresMajor)
                return r.fail(node, "postgres_version must be a major version from " +
                                        std::to_string(kOldestPostgresMajor) + " to " +
                                        std::to_string(kNewestPostgresMajor));
            config.postgres_version = static_cast<int>(*v);
        } else if (k == "schema") {
            std::string f;
            if (!r.string(node, "schema", f)) return false;
            config.schema = f;
        } else if (k == "psql") {
            bool b;
            if (!r.boolean(node, "psql", b)) return false;
            config.psql = b;
        } else if (k == "other_languages_ok") {
            if (!r.boolean(node, "other_languages_ok", config.other_languages_ok)) return false;
        } else if (k == "assume_lock_timeout") {
            if (!r.boolean(node, "assume_lock_timeout", config.assume_lock_timeout)) return false;
        } else if (k == "down_migrations") {
            std::string s;
            if (!r.string(node, "down_migrations", s)) return false;
            if (s == "report") config.down = DownPolicy::Report;
            else if (s == "fail") config.down = DownPolicy::Fail;
            else if (s == "skip") config.down = DownPolicy::Skip;
            else return r.fail(node, "down_migrations must be report, fail or skip, not '" + s + "'");
        } else if (k == "rules") {
            const toml::table *t = node.as_table();
            if (!t) return r.fail(node, "rules must be a table: [rules]");
            if (!read_rules(*t, r, config)) return false;
        } else if (k == "hygiene") {
            const toml::table *t = node.as_table();
            if (!t) return r.fail(node, "hygiene must be a table: [hygiene]");
            if (!read_hygiene(*t, r, config)) return false;
        } else {
            return r.fail_at(key.source(), "unknown key '" + k +
                                    "' (fail_on, layout, rls_schemas, include, exclude, postgres_version, schema, psql, "
                                    "down_migrations, other_languages_ok, assume_lock_timeout, [rules], [hygiene])");
        }
    }
    return true;
}

}  // namespace

bool load_config(const std::string &file, Config &config, std::string &error) {
    config.path = file;
    toml::table top;
    try {
        top = toml::parse_file(file);
    } catch (const toml::parse_error &e) {
        const auto &src = e.source();
        if (src.begin.line == 0) error = file + ": " + std::string(e.description());
        else error = where(file, src) + std::string(e.description());
        return false;
    } catch (const std::exception &e) {
        error = file + ": " + e.what();
        return false;
    }
    Reader reader(file, error);
    return read_top(top, reader, config) && error.empty();
}

std::string find_config(const std::vector<std::string> &paths) {
    std::error_code ec;
    fs::path start = fs::current_path(ec);
    if (!paths.empty() && paths.front() != "-") {
        fs::path p = fs::absolute(paths.front(), ec);
        start = fs::is_directory(p, ec) ? p : p.parent_path();
    }
    for (fs::path dir = start; !dir.empty(); dir = dir.parent_path()) {
        const fs::path candidate = dir / kConfigName;
        if (fs::is_regular_file(candidate, ec)) return candidate.string();
        if (dir == dir.parent_path()) break;
    }
    return "";
}

}  // namespace mg::cli
