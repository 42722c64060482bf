#include "cli/layouts.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "cli/text_util.hpp"

namespace mg::cli {

namespace {

struct Named {
    Layout layout;
    const char *name;
};

constexpr Named kLayouts[] = {
    {Layout::Auto, "auto"},           {Layout::Plain, "plain"},
    {Layout::Sqitch, "sqitch"},       {Layout::Goose, "goose"},
    {Layout::Dbmate, "dbmate"},       {Layout::GolangMigrate, "golang-migrate"},
    {Layout::Diesel, "diesel"},       {Layout::NodePgMigrate, "node-pg-migrate"},
    {Layout::SqlMigrate, "sql-migrate"}, {Layout::Flyway, "flyway"},
    {Layout::Prisma, "prisma"},       {Layout::RailsStructure, "rails-structure"},
};



// A marker line of a one-file up/down format, as the tool itself reads it: a line comment at
// the start of a line. Returns the direction it opens.
struct Marker {
    Layout layout;
    Direction direction;
};

std::optional<Marker> marker(std::string_view line) {
    line = trim(line);
    if (line.size() < 3 || line.substr(0, 2) != "--") return std::nullopt;
    const std::string body = lower(trim(line.substr(2)));
    auto word_after = [&](std::string_view prefix) -> std::optional<std::string> {
        if (body.rfind(prefix, 0) != 0) return std::nullopt;
        std::string_view rest = trim(std::string_view(body).substr(prefix.size()));
        const size_t space = rest.find_first_of(" \t");
        return std::string(rest.substr(0, space));
    };
    if (body.rfind("migrate:up", 0) == 0) return Marker{Layout::Dbmate, Direction::Up};
    if (body.rfind("migrate:down", 0) == 0) return Marker{Layout::Dbmate, Direction::Down};
    if (auto w = word_after("+goose")) {
        if (*w == "up") return Marker{Layout::Goose, Direction::Up};
        if (*w == "down") return Marker{Layout::Goose, Direction::Down};
    }
    if (auto w = word_after("+migrate")) {
        if (*w == "up") return Marker{Layout::SqlMigrate, Direction::Up};
        if (*w == "down") return Marker{Layout::SqlMigrate, Direction::Down};
    }
    if (body == "up migration") return Marker{Layout::NodePgMigrate, Direction::Up};
    if (body == "down migration") return Marker{Layout::NodePgMigrate, Direction::Down};
    return std::nullopt;
}

bool marker_layout(Layout l) {
    return l == Layout::Dbmate || l == Layout::Goose || l == Layout::SqlMigrate || l == Layout::NodePgMigrate;
}

// Sections from marker lines; empty when the text has none (of `want`, unless Auto).
std::vector<Section> marker_sections(const std::string &text, Layout want, Layout &found) {
    std::vector<Section> sections;
    const int n = static_cast<int>(text.size());
    for (int line = 0; line < n;) {
        size_t nl = text.find('\n', line);
        const int end = nl == std::string::npos ? n : static_cast<int>(nl);
        if (text.compare(line, 2, "--") == 0 || (line < n && std::isspace(static_cast<unsigned char>(text[line])))) {
            if (auto m = marker(std::string_view(text).substr(line, end - line));
                m && (want == Layout::Auto || want == m->layout)) {
                found = m->layout;
                if (sections.empty() && line > 0) sections.push_back({Direction::Up, 0, line});
                if (!sections.empty()) sections.back().end = line;
                sections.push_back({m->direction, line, n});
            }
        }
        line = end + 1;
    }
    return sections;
}

bool has_dir(const std::filesystem::path &p, std::string_view name) {
    for (const auto &part : p.parent_path())
        if (part == name) return true;
    return false;
}

// Direction of a whole file from its name and folder, for a layout (Auto: any that matches).
std::optional<std::pair<Layout, Direction>> file_direction(const std::string &path, Layout want) {
    const std::filesystem::path p(path);
    const std::string name = lower(p.filename().string());
    auto wants = [&](Layout l) { return want == Layout::Auto || want == l; };
    auto ends = [&](std::string_view suffix) {
        return name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    if (wants(Layout::Sqitch)) {
        if (has_dir(p, "revert")) return std::pair{Layout::Sqitch, Direction::Down};
        if (has_dir(p, "verify")) return std::pair{Layout::Sqitch, Direction::Verify};
        if (has_dir(p, "deploy")) return std::pair{Layout::Sqitch, Direction::Up};
    }
    if (wants(Layout::GolangMigrate)) {
        if (ends(".down.sql")) return std::pair{Layout::GolangMigrate, Direction::Down};
        if (ends(".up.sql")) return std::pair{Layout::GolangMigrate, Direction::Up};
    }
    if (wants(Layout::Diesel)) {
        if (name == "down.sql") return std::pair{Layout::Diesel, Direction::Down};
        if (name == "up.sql") return std::pair{Layout::Diesel, Direction::Up};
    }
    if (wants(Layout::Flyway) && name.size() > 3 && name.find("__") != std::string::npos) {
        const char first = name[0];
        const bool version = std::isdigit(static_cast<unsigned char>(name[1]));
        if (first == 'u' && version) return std::pair{Layout::Flyway, Direction::Down};
        if ((first == 'v' && version) || first == 'r') return std::pair{Layout::Flyway, Direction::Up};
    }
    if (wants(Layout::Prisma) && name == "migration.sql") return std::pair{Layout::Prisma, Direction::Up};
    if (wants(Layout::RailsStructure) && name == "structure.sql") return std::pair{Layout::RailsStructure, Direction::Up};
    return std::nullopt;
}

}  // namespace

std::optional<Layout> parse_layout(std::string_view name) {
    for (const auto &l : kLayouts)
        if (name == l.name) return l.layout;
    return std::nullopt;
}

const char *layout_name(Layout layout) {
    for (const auto &l : kLayouts)
        if (l.layout == layout) return l.name;
    return "plain";
}

std::string layout_names() {
    std::string out;
    for (const auto &l : kLayouts) out += (out.empty() ? "" : "|") + std::string(l.name);
    return out;
}

const char *direction_name(Direction d) {
    switch (d) {
        case Direction::Up: return "up";
        case Direction::Down: return "down";
        case Direction::Verify: return "verify";
    }
    return "up";
}

FileLayout layout_of(const std::string &path, const std::string &text, Layout configured) {
    FileLayout out;
    const int n = static_cast<int>(text.size());
    if (configured == Layout::Plain) {
        out.sections.push_back({Direction::Up, 0, n});
        return out;
    }
    if (configured == Layout::Auto || marker_layout(configured)) {
        Layout found = configured;
        // Markers are comment lines; a text without "--" has none (the common case costs a find).
        if (text.find("--") != std::string::npos) {
            std::vector<Section> sections = marker_sections(text, configured, found);
            if (!sections.empty()) {
                out.layout = found;
                out.sections = std::move(sections);
                return out;
            }
        }
    }
    if (auto fd = file_direction(path, configured)) {
        out.layout = fd->first;
        out.sections.push_back({fd->second, 0, n});
        return out;
    }
    out.layout = configured == Layout::Auto ? Layout::Plain : configured;
    out.sections.push_back({Direction::Up, 0, n});
    return out;
}

const std::vector<std::string> &default_includes() {
    static const std::vector<std::string> includes = {"*.sql", "*.sql.postgres"};
    return includes;
}

}  // namespace mg::cli
