#include "cli/pg_values.hpp"

#include <cerrno>
#include <cstdint>
#include <cstdlib>

namespace mg::cli {

std::optional<long long> parse_int(std::string_view s) {
    const std::string str(s);
    if (str.empty()) return std::nullopt;
    char *end = nullptr;
    errno = 0;
    const long long v = std::strtoll(str.c_str(), &end, 10);
    if (errno != 0 || *end != '\0') return std::nullopt;
    return v;
}

std::optional<bool> parse_bool(std::string_view s) {
    if (s == "t") return true;
    if (s == "f") return false;
    return std::nullopt;
}

std::optional<double> parse_number(std::string_view s) {
    const std::string str(s);
    if (str.empty()) return std::nullopt;
    char *end = nullptr;
    const double v = std::strtod(str.c_str(), &end);
    if (*end != '\0') return std::nullopt;
    return v;
}

namespace {

void append_utf8(std::string &out, uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

class Reader {
public:
    explicit Reader(std::string_view s) : s_(s) {}

    void blanks() {
        while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\t' ||
                                  s_[i_] == '\r'))
            ++i_;
    }
    bool eat(char c) {
        blanks();
        if (i_ < s_.size() && s_[i_] == c) {
            ++i_;
            return true;
        }
        return false;
    }
    bool eat_word(std::string_view w) {
        blanks();
        if (s_.substr(i_, w.size()) != w) return false;
        i_ += w.size();
        return true;
    }
    bool done() {
        blanks();
        return i_ == s_.size();
    }

    // After the opening quote.
    bool string(std::string &out) {
        while (i_ < s_.size()) {
            const char c = s_[i_++];
            if (c == '"') return true;
            if (c != '\\') {
                out += c;
                continue;
            }
            if (i_ >= s_.size()) return false;
            switch (s_[i_++]) {
                case '"': out += '"'; break;
                case '\\': out += '\\'; break;
                case '/': out += '/'; break;
                case 'b': out += '\b'; break;
                case 'f': out += '\f'; break;
                case 'n': out += '\n'; break;
                case 'r': out += '\r'; break;
                case 't': out += '\t'; break;
                case 'u': {
                    uint32_t cp = 0;
                    if (!hex4(cp)) return false;
                    // A surrogate pair spells one code point above U+FFFF.
                    if (cp >= 0xD800 && cp < 0xDC00 && s_.substr(i_, 2) == "\\u") {
                        i_ += 2;
                        uint32_t low = 0;
                        if (!hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                    }
                    append_utf8(out, cp);
                    break;
                }
                default: return false;
            }
        }
        return false;
    }

private:
    bool hex4(uint32_t &v) {
        if (i_ + 4 > s_.size()) return false;
        for (int k = 0; k < 4; ++k) {
            const char c = s_[i_++];
            v <<= 4;
            if (c >= '0' && c <= '9') v |= c - '0';
            else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
            else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10;
            else return false;
        }
        return true;
    }

    std::string_view s_;
    size_t i_ = 0;
};

}  // namespace

std::optional<std::vector<std::string>> parse_json_strings(std::string_view s) {
    Reader r(s);
    std::vector<std::string> items;
    if (!r.eat('[')) return std::nullopt;
    if (!r.eat(']')) {
        do {
            if (r.eat_word("null")) continue;
            std::string item;
            if (!r.eat('"') || !r.string(item)) return std::nullopt;
            items.push_back(std::move(item));
        } while (r.eat(','));
        if (!r.eat(']')) return std::nullopt;
    }
    if (!r.done()) return std::nullopt;
    return items;
}

}  // namespace mg::cli
