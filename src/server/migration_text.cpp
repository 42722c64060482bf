#include "server/migration_text.hpp"

#include "engine/text_position.hpp"
#include "server/boundary.hpp"

namespace mg::server {

int byte_offset_of_char(const std::string &text, int char_pos) {
    int chars = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
            if (++chars == char_pos) return static_cast<int>(i);
        }
    }
    return static_cast<int>(text.size());
}

List *parse_migration(const std::string &sql) {
    List *stmts = NIL;
    ErrorData *error = try_pg([&] { stmts = raw_parser(sql.c_str(), RAW_PARSE_DEFAULT); });
    if (!error) return stmts;
    if (error->cursorpos > 0) {
        const LineIndex lines(sql);
        const LineCol at = lines.at(byte_offset_of_char(sql, error->cursorpos));
        const std::string message = std::string(error->message ? error->message : "syntax error") + " (line " +
                                    std::to_string(at.line) + ", column " + std::to_string(at.column) +
                                    " of the migration text)";
        pg_call([&] {
            error->message = pstrdup(message.c_str());
            error->internalpos = error->cursorpos;
            error->internalquery = pstrdup(sql.c_str());
            error->cursorpos = 0;
            if (!error->hint)
                error->hint = pstrdup("Fix the statement at that position; nothing in the text was classified.");
        });
    }
    throw PgError(error);
}

}  // namespace mg::server
