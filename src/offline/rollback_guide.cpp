#include "offline/rollback_guide.hpp"

#include <algorithm>
#include <cstdlib>

#include "engine/text_position.hpp"
#include "offline/pg_query_raw.hpp"
#include "offline/psql_script.hpp"

namespace mg {

namespace {

struct ParserMemory {
    MemoryContext ctx = pg_query_enter_memory_context();
    ~ParserMemory() { pg_query_exit_memory_context(ctx); }
};

// Unqualified names stay unqualified: the guide runs where the migration ran.
class TextOnlyCatalog : public StaticCatalog {
public:
    std::string default_schema() const override { return ""; }
};

}  // namespace

bool rollback_guide(const std::string &text, std::vector<StatementUndo> &guide, ParseError &error) {
    const PreparedScript script = prepare_psql_script(text, true);
    ParserMemory memory;
    PgQueryInternalParsetreeAndError parsed = mg_raw_parse(script.text.c_str());
    if (parsed.stderr_buffer) std::free(parsed.stderr_buffer);
    if (parsed.error) {
        error.message = parsed.error->message ? parsed.error->message : "syntax error";
        error.location = parsed.error->cursorpos > 0 ? byte_offset_of_char(script.text, parsed.error->cursorpos) : -1;
        pg_query_free_error(parsed.error);
        return false;
    }
    const TextOnlyCatalog catalog;
    const PriorSchema nothing_known;
    const LineIndex lines(text);
    int number = 0;
    const ListCell *lc;
    foreach (lc, parsed.tree) {
        const RawStmt *raw = static_cast<const RawStmt *>(lfirst(lc));
        StatementUndo u;
        u.number = ++number;
        const int begin = skip_blanks(script.text, raw->stmt_location);
        const int end = raw->stmt_len > 0 ? raw->stmt_location + raw->stmt_len : static_cast<int>(script.text.size());
        u.line = lines.at(begin).line;
        u.text = script.text.substr(begin, std::max(0, end - begin));
        u.steps = undo_steps(raw->stmt, catalog, nothing_known);
        guide.push_back(std::move(u));
    }
    std::reverse(guide.begin(), guide.end());
    return true;
}

}  // namespace mg
