// Migration-tool layouts: which files and which parts of a file are up (deploy) migrations and
// which are down (revert) ones. Each section is linted as its own migration text, so a down
// section does not see the up section's tables as new.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mg::cli {

enum class Layout {
    Auto,
    Plain,
    Sqitch,
    Goose,
    Dbmate,
    GolangMigrate,
    Diesel,
    NodePgMigrate,
    SqlMigrate,
    Flyway,
    Prisma,
    RailsStructure,
};

std::optional<Layout> parse_layout(std::string_view name);
const char *layout_name(Layout layout);
// "auto|plain|sqitch|..." for usage messages.
std::string layout_names();

enum class Direction { Up, Down, Verify };
const char *direction_name(Direction d);

struct Section {
    Direction direction = Direction::Up;
    int begin = 0;  // byte offsets [begin, end) of the file's text
    int end = 0;
};

struct FileLayout {
    Layout layout = Layout::Plain;  // the one that applied (never Auto)
    std::vector<Section> sections;  // in text order, covering the text
};

// `configured`: the --layout / configuration value; Auto tells it from markers in the text
// (dbmate, goose, sql-migrate, node-pg-migrate) and then from the file's name and folder.
FileLayout layout_of(const std::string &path, const std::string &text, Layout configured);

// File suffixes a folder search takes by default: *.sql, and the per-engine suffixes some
// tools use (Synapse's *.sql.postgres).
const std::vector<std::string> &default_includes();

}  // namespace mg::cli
