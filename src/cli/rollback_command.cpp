// `migration-guard rollback FILE`: the SQL that undoes a migration file where the text alone
// tells it, newest statement first, and the statements that need the recycle bin or a backup.
#include <algorithm>
#include <cstdio>
#include <string>

#include "cli/commands.hpp"
#include "cli/inputs.hpp"
#include "engine/text_position.hpp"
#include "offline/rollback_guide.hpp"

namespace mg::cli {

int run_rollback(const std::string &path) {
    Input input{path, path == "-"};
    std::string text, error;
    if (!read_input(input, text, error)) {
        std::fprintf(stderr, "migration-guard: %s: %s\n", path.c_str(), error.c_str());
        return kExitError;
    }
    std::vector<StatementUndo> guide;
    ParseError parse_error;
    if (!rollback_guide(text, guide, parse_error)) {
        const LineCol at = LineIndex(text).at(std::max(0, parse_error.location));
        std::fprintf(stderr, "migration-guard: %s:%d:%d: %s\nhint: fix the statement; a rollback guide needs the whole file to parse\n",
                     path.c_str(), at.line, at.column, parse_error.message.c_str());
        return kExitError;
    }
    int undone = 0, kept = 0, cannot = 0;
    std::string out = "-- Rollback guide for " + comment_text(path) + ": run it top to bottom to undo the migration, newest statement first.\n"
                      "-- Review it first; what runs CONCURRENTLY must run outside a transaction block.\n";
    std::string needs;
    for (const StatementUndo &u : guide) {
        if (u.steps.empty()) continue;  // nothing to undo (SET, BEGIN, SELECT, ...)
        out += "\n-- statement " + std::to_string(u.number) + " (line " + std::to_string(u.line) + "): " + one_line(u.text, 100) + "\n";
        bool all_sql = true, any_kept = false;
        for (const UndoStep &s : u.steps) {
            switch (s.kind) {
                case UndoStep::Kind::Sql: out += one_line_sql(s.sql) + (s.note.empty() ? "" : "  -- " + comment_text(s.note)) + "\n"; break;
                case UndoStep::Kind::Kept:
                    all_sql = false;
                    any_kept = true;
                    out += "-- needs the recycle bin or a backup: " + comment_text(s.why) + "\n";
                    break;
                case UndoStep::Kind::Cannot:
                    all_sql = false;
                    out += "-- cannot be undone from the text alone: " + comment_text(s.why) + "\n";
                    break;
            }
        }
        if (all_sql) ++undone;
        else if (any_kept) ++kept;
        else ++cannot;
        if (!all_sql)
            needs += "--   statement " + std::to_string(u.number) + " (line " + std::to_string(u.line) + "): " + one_line(u.text, 100) + "\n";
    }
    if (!needs.empty())
        out += "\n-- Not undone by the SQL above:\n" + needs +
               "-- With the guard preloaded, dropped tables, dropped columns and truncated rows are kept:\n"
               "--   SELECT id, kind, object_identity, restore_call FROM migration_guard.kept;\n"
               "-- and migration_guard.undo_script('<migration id>') gives the exact compensating SQL of what ran.\n";
    out += "\n-- " + std::to_string(undone + kept + cannot) + " statements: " + std::to_string(undone) + " undone by SQL, " +
           std::to_string(kept) + " need the recycle bin or a backup, " + std::to_string(cannot) +
           " need the database (undo_script) or a hand-written undo.\n";
    std::fwrite(out.data(), 1, out.size(), stdout);
    return kept + cannot == 0 ? kExitClean : kExitFindings;
}

}  // namespace mg::cli
