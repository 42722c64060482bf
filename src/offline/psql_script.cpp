#include "offline/psql_script.hpp"

#include <algorithm>
#include <cstring>
#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>
#include <strings.h>

#include "engine/text_position.hpp"

namespace mg {

namespace {

struct Token {
    int start;
    int end;
    int token;
};

// Tokens of `text` from `from` on, with offsets into `text`. On a scanner error the tokens
// before it are returned and `error_at` is set (byte offset into `text`).
std::vector<Token> scan_from(const std::string &text, int from, int &error_at, std::string &error) {
    std::vector<Token> tokens;
    error_at = -1;
    std::string rest = text.substr(from);
    for (int attempt = 0; attempt < 2; ++attempt) {
        PgQueryScanResult scanned = pg_query_scan(rest.c_str());
        if (scanned.error) {
            if (attempt == 0) {
                const int at = scanned.error->cursorpos > 0 ? byte_offset_of_char(rest, scanned.error->cursorpos) : 0;
                error = scanned.error->message ? scanned.error->message : "unterminated literal";
                error_at = from + at;
                pg_query_free_scan_result(scanned);
                rest.resize(at);  // what comes before the error scans on its own
                continue;
            }
            pg_query_free_scan_result(scanned);
            return tokens;
        }
        PgQuery__ScanResult *result = pg_query__scan_result__unpack(
            nullptr, scanned.pbuf.len, reinterpret_cast<const uint8_t *>(scanned.pbuf.data));
        if (result) {
            tokens.reserve(result->n_tokens);
            for (size_t i = 0; i < result->n_tokens; ++i)
                tokens.push_back({from + result->tokens[i]->start, from + result->tokens[i]->end,
                                  static_cast<int>(result->tokens[i]->token)});
            pg_query__scan_result__free_unpacked(result, nullptr);
        }
        pg_query_free_scan_result(scanned);
        return tokens;
    }
    return tokens;
}

int line_end(const std::string &text, int from) {
    const size_t nl = text.find('\n', from);
    return nl == std::string::npos ? static_cast<int>(text.size()) : static_cast<int>(nl);
}

bool is_comment(int token) {
    return token == PG_QUERY__TOKEN__SQL_COMMENT || token == PG_QUERY__TOKEN__C_COMMENT;
}

bool mentions_stdin(const std::string &text) {
    for (size_t i = 0; i + 5 <= text.size(); ++i)
        if ((text[i] | 0x20) == 's' && strncasecmp(text.data() + i, "stdin", 5) == 0) return true;
    return false;
}

}  // namespace

std::vector<CommentSpan> line_comments(const std::string &text) {
    std::vector<CommentSpan> out;
    int error_at = -1;
    std::string error;
    for (const Token &tok : scan_from(text, 0, error_at, error))
        if (tok.token == PG_QUERY__TOKEN__SQL_COMMENT) out.push_back({tok.start, tok.end});
    return out;
}

std::vector<int> semicolons(const std::string &text, int &error_at) {
    std::vector<int> out;
    std::string error;
    for (const Token &tok : scan_from(text, 0, error_at, error))
        if (tok.token == ';') out.push_back(tok.start);
    return out;
}

void skip_meta_command(std::string &text, int at, std::vector<SkippedRegion> &skipped) {
    // psql reads a meta-command to the end of the line.
    const int end = line_end(text, at);
    int name_end = at + 1;
    while (name_end < end && !std::isspace(static_cast<unsigned char>(text[name_end]))) ++name_end;
    const std::string name = text.substr(at, name_end - at);
    skipped.push_back({at, end, "psql meta-command " + name});
    blank_out(text, at, end);
    if (name.size() >= 2 && name[1] == 'g') text[at] = ';';  // \g, \gx, \gset, \gexec, \gdesc
}

void blank_out(std::string &text, int begin, int end) {
    end = std::min(end, static_cast<int>(text.size()));
    for (int i = std::max(0, begin); i < end; ++i)
        if (text[i] != '\n' && text[i] != '\r') text[i] = ' ';
}

PreparedScript prepare_psql_script(const std::string &text, bool always) {
    PreparedScript out;
    out.text = text;
    if (!always && !mentions_stdin(text)) return out;
    out.scanned = true;

    std::string &t = out.text;
    const int n = static_cast<int>(t.size());
    // Where the scanner is in the current statement; kept across rescans.
    bool statement_start = true;
    bool copy = false;        // the statement is a COPY
    bool after_from = false;  // ... and its previous token was FROM
    bool from_stdin = false;  // ... FROM STDIN: data lines follow its semicolon
    int from = 0;
    while (from < n) {
        int error_at = -1;
        std::string error;
        const std::vector<Token> tokens = scan_from(t, from, error_at, error);
        int restart = -1;
        int blanked_to = -1;  // end of the last meta-command blanked in this round
        for (size_t i = 0; i < tokens.size(); ++i) {
            const Token &tok = tokens[i];
            if (tok.token == PG_QUERY__TOKEN__ASCII_92) {
                const int end = line_end(t, tok.start);
                skip_meta_command(t, tok.start, out.skipped);
                blanked_to = end;
                // The tokens after the line are right unless one began inside it and runs past
                // it (a quote in the meta-command's arguments): then scan again from its end.
                size_t next = i + 1;
                bool crosses = false;
                for (; next < tokens.size() && tokens[next].start < end; ++next) crosses = crosses || tokens[next].end > end;
                if (crosses) {
                    restart = end;
                    break;
                }
                i = next - 1;
                continue;
            }
            if (is_comment(tok.token)) continue;
            if (statement_start) {
                copy = tok.token == PG_QUERY__TOKEN__COPY;
                statement_start = false;
            } else if (copy && after_from && tok.token == PG_QUERY__TOKEN__STDIN) {
                from_stdin = true;
            }
            after_from = copy && tok.token == PG_QUERY__TOKEN__FROM;
            if (tok.token == ';') {
                statement_start = true;
                const bool data = from_stdin;
                copy = after_from = from_stdin = false;
                if (data) {
                    // The data starts on the next line and ends at a line "\." (or the text's end).
                    const int begin = std::min(n, line_end(t, tok.end) + 1);
                    int end = n;
                    int lines = 0;
                    for (int line = begin; line < n; line = line_end(t, line) + 1) {
                        const int e = line_end(t, line);
                        if (t.compare(line, e - line, "\\.") == 0 ||
                            (e - line == 3 && t.compare(line, 3, "\\.\r") == 0)) {
                            end = e;
                            break;
                        }
                        ++lines;
                    }
                    out.skipped.push_back({begin, end, "COPY data (" + std::to_string(lines) + (lines == 1 ? " line)" : " lines)")});
                    blank_out(t, begin, end);
                    restart = end;
                    break;
                }
            }
        }
        // A scanner error after a blanked meta-command may have been its quote: scan again.
        if (restart < 0 && error_at >= 0 && blanked_to >= 0) restart = blanked_to;
        if (restart >= 0) {
            from = restart;
            continue;
        }
        break;  // a scanner error is the parser's to report, at its statement
    }
    return out;
}

}  // namespace mg
