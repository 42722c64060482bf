#include "cli/inputs.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <system_error>

#include "cli/layouts.hpp"

namespace fs = std::filesystem;

namespace mg::cli {

namespace {

bool match_here(const char *p, const char *s) {
    for (;; ++p, ++s) {
        if (*p == '\0') return *s == '\0';
        if (p[0] == '*' && p[1] == '*') {
            const char *rest = p + 2;
            if (*rest == '/') ++rest;  // "**/" also matches no folder at all
            for (const char *t = s;; ++t) {
                if (match_here(rest, t)) return true;
                if (*t == '\0') return false;
            }
        }
        if (*p == '*') {
            for (const char *t = s;; ++t) {
                if (match_here(p + 1, t)) return true;
                if (*t == '\0' || *t == '/') return false;
            }
        }
        if (*s == '\0') return false;
        if (*p == '?') {
            if (*s == '/') return false;
            continue;
        }
        if (*p != *s) return false;
    }
}

// Migrations the linter cannot read, by extension, and how to get SQL out of them.
struct Language {
    const char *extension;
    const char *name;
};
constexpr Language kLanguages[] = {
    {".py", "Python (Alembic: alembic upgrade --sql; Django: manage.py sqlmigrate APP NAME)"},
    {".js", "JavaScript (knex, node-pg-migrate: log the SQL they send, or lint their .sql migrations)"},
    {".ts", "TypeScript (TypeORM, knex, node-pg-migrate: log the SQL they send)"},
    {".rb", "Ruby (Rails: bin/rails db:migrate, then lint db/structure.sql)"},
    {".go", "Go (migrations in Go code: lint the SQL they run)"},
    {".java", "Java (Flyway Java migrations: lint the versioned .sql ones)"},
    {".kt", "Kotlin"},
    {".ex", "Elixir (Ecto: mix ecto.migrate --log-migrations-sql)"},
    {".exs", "Elixir (Ecto: mix ecto.migrate --log-migrations-sql)"},
};

// Dotted parts of a file name that name a database engine other than PostgreSQL, as tools that
// keep one migration per engine spell them (ory/popx: V_name.mysql.up.sql, V_name.sqlite3.up.sql).
constexpr const char *kOtherEngines[] = {"mysql", "mariadb", "sqlite", "sqlite3", "cockroach", "cockroachdb",
                                         "mssql", "sqlserver", "oracle", "clickhouse", "spanner", "tidb"};

std::vector<std::string> dotted_parts(const std::string &name) {
    std::vector<std::string> parts;
    size_t start = 0;
    for (size_t dot; (dot = name.find('.', start)) != std::string::npos; start = dot + 1)
        parts.push_back(name.substr(start, dot - start));
    parts.push_back(name.substr(start));
    return parts;
}

bool names_engine(const std::vector<std::string> &parts, bool postgres) {
    for (size_t i = 1; i < parts.size(); ++i) {
        if (postgres && (parts[i] == "postgres" || parts[i] == "postgresql")) return true;
        if (!postgres)
            for (const char *e : kOtherEngines)
                if (parts[i] == e) return true;
    }
    return false;
}

std::string file_name(const std::string &path) {
    const size_t slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// A migration of a per-engine layout: its folder, its name up to the first dot, its direction.
std::string migration_key(const std::string &path, const std::vector<std::string> &parts) {
    const std::string direction = parts.size() >= 3 ? parts[parts.size() - 2] : "";
    const size_t slash = path.rfind('/');
    return (slash == std::string::npos ? std::string() : path.substr(0, slash + 1)) + parts.front() + "|" +
           (direction == "up" || direction == "down" ? direction : "");
}

// Per-engine layouts keep one migration in several files, one per engine (ory/popx:
// V_name.mysql.up.sql, V_name.postgres.up.sql, V_name.up.sql for the rest); the tool runs one of
// them on PostgreSQL. In a folder that uses the layout (some file is named for PostgreSQL), a
// search leaves out the files named for another engine, and the file for every engine of a
// migration that has a PostgreSQL one. Elsewhere a name like V5__x.mysql.sql is just a name
// (golang-migrate and Flyway run it): linted. Returns how many were left out.
size_t drop_other_engines(std::vector<std::string> &found) {
    std::map<std::string, bool> migrations;  // folder/version|direction -> has a PostgreSQL file
    std::set<std::string> layout_folders;     // folders with a file named for PostgreSQL
    for (const auto &path : found) {
        const std::vector<std::string> parts = dotted_parts(file_name(path));
        const bool postgres = names_engine(parts, true);
        migrations[migration_key(path, parts)] |= postgres;
        if (postgres) layout_folders.insert(path.substr(0, path.size() - file_name(path).size()));
    }
    if (layout_folders.empty()) return 0;
    const size_t before = found.size();
    found.erase(std::remove_if(found.begin(), found.end(),
                               [&](const std::string &path) {
                                   const std::string name = file_name(path);
                                   if (!layout_folders.count(path.substr(0, path.size() - name.size()))) return false;
                                   const std::vector<std::string> parts = dotted_parts(name);
                                   if (names_engine(parts, false)) return true;
                                   return !names_engine(parts, true) && migrations[migration_key(path, parts)];
                               }),
                found.end());
    return before - found.size();
}

void collect_folder(const std::string &arg, const InputOptions &options, std::vector<Input> &inputs,
                    std::vector<InputError> &errors) {
    const std::vector<std::string> &include = options.include.empty() ? default_includes() : options.include;
    std::vector<std::string> found;
    std::map<std::string, int> other;  // language -> files
    std::error_code ec;
    const fs::path root(arg);
    fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        const fs::directory_entry &entry = *it;
        const std::string rel = entry.path().lexically_relative(root).generic_string();
        bool excluded = false;
        for (const auto &g : options.exclude) excluded = excluded || glob_match(g, rel);
        std::error_code type_ec;
        if (excluded) {
            if (entry.is_directory(type_ec)) it.disable_recursion_pending();
            continue;
        }
        if (!entry.is_regular_file(type_ec)) continue;
        bool take = false;
        for (const auto &g : include) take = take || glob_match(g, rel);
        if (take) {
            found.push_back(entry.path().string());
            continue;
        }
        const std::string ext = entry.path().extension().string();
        for (const auto &l : kLanguages)
            if (ext == l.extension) ++other[l.name];
    }
    if (ec) {
        errors.push_back({arg, ec.message()});
        return;
    }
    if (found.empty() && !other.empty() && !options.other_languages_ok) {
        std::string what;
        for (const auto &[name, n] : other)
            what += (what.empty() ? "" : "; ") + std::to_string(n) + " in " + name;
        errors.push_back({arg, "no SQL migration to lint, but migrations the linter cannot read: " + what +
                                   ". Lint the SQL they produce (see docs/cli.md, \"Migrations written in code\"), or "
                                   "pass --other-languages-ok"});
        return;
    }
    const size_t left_out = drop_other_engines(found);
    if (options.other_engine_files) *options.other_engine_files += static_cast<int>(left_out);
    std::sort(found.begin(), found.end());
    for (auto &path : found) inputs.push_back({std::move(path), false});
}

bool read_stream(std::FILE *f, std::string &text) {
    char buf[1 << 16];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
    return !std::ferror(f);
}

}  // namespace

bool glob_match(const std::string &pattern, const std::string &relative_path) {
    if (pattern.find('/') == std::string::npos) {
        const size_t slash = relative_path.rfind('/');
        const std::string name = slash == std::string::npos ? relative_path : relative_path.substr(slash + 1);
        return match_here(pattern.c_str(), name.c_str());
    }
    std::string p = pattern;
    if (p.rfind("./", 0) == 0) p.erase(0, 2);
    return match_here(p.c_str(), relative_path.c_str());
}

std::vector<Input> collect_inputs(const std::vector<std::string> &args, const InputOptions &options,
                                  std::vector<InputError> &errors) {
    std::vector<Input> inputs;
    for (const auto &arg : args) {
        if (arg == "-") {
            inputs.push_back({options.stdin_name, true});
            continue;
        }
        std::error_code ec;
        const fs::file_status st = fs::status(arg, ec);
        if (ec || !fs::exists(st)) {
            errors.push_back({arg, ec && ec != std::errc::no_such_file_or_directory
                                       ? ec.message()
                                       : std::strerror(ENOENT)});
        } else if (fs::is_directory(st)) {
            collect_folder(arg, options, inputs, errors);
        } else {
            inputs.push_back({arg, false});
        }
    }
    return inputs;
}

bool read_input(const Input &input, std::string &text, std::string &error) {
    text.clear();
    if (input.is_stdin) {
        if (read_stream(stdin, text)) return true;
        error = std::strerror(errno);
        return false;
    }
    std::FILE *f = std::fopen(input.path.c_str(), "rb");
    if (!f) {
        error = std::strerror(errno);
        return false;
    }
    // Size the buffer up front so large migrations are read with a single allocation.
    if (std::fseek(f, 0, SEEK_END) == 0) {
        const long size = std::ftell(f);
        if (size > 0) text.reserve(static_cast<size_t>(size));
        std::rewind(f);
    }
    const bool ok = read_stream(f, text);
    if (!ok) error = std::strerror(errno);
    std::fclose(f);
    return ok;
}

bool for_each_input(const std::vector<std::string> &args, const InputOptions &options,
                    const std::function<bool(const Input &, std::string text)> &per_file) {
    bool ok = true;
    std::vector<InputError> errors;
    const std::vector<Input> inputs = collect_inputs(args, options, errors);
    for (const auto &e : errors) {
        std::fprintf(stderr, "migration-guard: %s: %s\n", e.path.c_str(), e.message.c_str());
        ok = false;
    }
    for (const auto &input : inputs) {
        std::string text;
        std::string error;
        if (!read_input(input, text, error)) {
            std::fprintf(stderr, "migration-guard: %s: %s\n", input.path.c_str(), error.c_str());
            ok = false;
            continue;
        }
        if (!per_file(input, std::move(text))) break;
    }
    return ok;
}

}  // namespace mg::cli
