// A minimal streaming JSON writer for the CLI's reports. Strings are escaped per RFC 8259
// (quote, backslash, every control character); valid UTF-8 passes through unchanged and invalid
// bytes become U+FFFD, so the output stays valid JSON even for files in other encodings.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace mg::cli {

// Appends `s` to `out` as a quoted JSON string.
inline void append_json_string(std::string &out, std::string_view s) {
    static const char hex[] = "0123456789abcdef";
    out += '"';
    const size_t n = s.size();
    size_t i = 0;
    while (i < n) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            switch (c) {
                case '"': out += "\\\""; break;
                case '\\': out += "\\\\"; break;
                case '\b': out += "\\b"; break;
                case '\f': out += "\\f"; break;
                case '\n': out += "\\n"; break;
                case '\r': out += "\\r"; break;
                case '\t': out += "\\t"; break;
                default:
                    if (c < 0x20) {
                        out += "\\u00";
                        out += hex[c >> 4];
                        out += hex[c & 0xF];
                    } else {
                        out += static_cast<char>(c);
                    }
            }
            ++i;
            continue;
        }
        // Multi-byte sequence: copy it only if it is well-formed (no overlongs, no surrogates,
        // nothing above U+10FFFF).
        size_t len = 0;
        uint32_t min = 0;
        uint32_t cp = 0;
        if ((c & 0xE0) == 0xC0) { len = 2; min = 0x80; cp = c & 0x1F; }
        else if ((c & 0xF0) == 0xE0) { len = 3; min = 0x800; cp = c & 0x0F; }
        else if ((c & 0xF8) == 0xF0) { len = 4; min = 0x10000; cp = c & 0x07; }
        bool ok = len != 0 && i + len <= n;
        for (size_t k = 1; ok && k < len; ++k) {
            const unsigned char cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80) ok = false;
            else cp = (cp << 6) | (cc & 0x3F);
        }
        if (ok && (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))) ok = false;
        if (ok) {
            out.append(s.data() + i, len);
            i += len;
        } else {
            out += "\xEF\xBF\xBD";  // U+FFFD
            ++i;
        }
    }
    out += '"';
}

// Writes objects and arrays into a string, inserting commas itself. The string may be flushed
// and cleared between calls: the writer's state does not depend on its content.
class JsonWriter {
public:
    explicit JsonWriter(std::string &out) : out_(out) {}

    void begin_object() { open('{'); }
    void end_object() { close('}'); }
    void begin_array() { open('['); }
    void end_array() { close(']'); }

    void key(std::string_view k) {
        separate();
        append_json_string(out_, k);
        out_ += ':';
        after_key_ = true;
    }

    void value(std::string_view s) { separate(); append_json_string(out_, s); }
    void value(const char *s) { value(std::string_view(s)); }
    void value(long long v) { separate(); out_ += std::to_string(v); }
    void value(int v) { value(static_cast<long long>(v)); }
    void value(bool b) { separate(); out_ += b ? "true" : "false"; }
    void value(double v) {
        if (!std::isfinite(v)) return null();  // JSON has no NaN or infinity
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.15g", v);
        separate();
        out_ += buf;
    }
    void null() { separate(); out_ += "null"; }

    // Shorthands for the common "key": value member.
    template <typename T>
    void member(std::string_view k, const T &v) { key(k); value(v); }
    void null_member(std::string_view k) { key(k); null(); }

private:
    void separate() {
        if (after_key_) {
            after_key_ = false;
            return;
        }
        if (!first_.empty()) {
            if (!first_.back()) out_ += ',';
            first_.back() = false;
        }
    }
    void open(char c) {
        separate();
        out_ += c;
        first_.push_back(true);
    }
    void close(char c) {
        first_.pop_back();
        out_ += c;
    }

    std::string &out_;
    std::vector<bool> first_;  // per open container: nothing written in it yet
    bool after_key_ = false;
};

}  // namespace mg::cli
