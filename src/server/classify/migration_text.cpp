#include "server/classify/migration_text.hpp"

#include "engine/text_position.hpp"
#include "server/boundary.hpp"

namespace mg::server {

std::string migration_text_arg(FunctionCallInfo fcinfo) {
    // Only PostgreSQL calls inside pg_call: the copy into C++ memory happens after it.
    const char *data = nullptr;
    size_t length = 0;
    pg_call([&] {
        if (get_fn_expr_argtype(fcinfo->flinfo, 0) == UNKNOWNOID) {
            data = PG_GETARG_CSTRING(0);
            length = strlen(data);
        } else {
            text *arg = PG_GETARG_TEXT_PP(0);
            data = VARDATA_ANY(arg);
            length = VARSIZE_ANY_EXHDR(arg);
        }
    });
    return std::string(data, length);
}

List *parse_migration(const std::string &sql) {
    List *stmts = NIL;
    // Without the callers' error context callbacks: a SQL-function wrapper would otherwise move
    // the cursor position into its own body before we see it.
    ErrorContextCallback *saved_context = error_context_stack;
    ErrorData *error = try_pg([&] {
        error_context_stack = nullptr;
        stmts = raw_parser(sql.c_str(), RAW_PARSE_DEFAULT);
        error_context_stack = saved_context;
    });
    error_context_stack = saved_context;
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
