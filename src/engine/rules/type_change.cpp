// Which ALTER COLUMN ... TYPE changes PostgreSQL 15 performs without a rewrite and without loss:
// binary-coercible casts whose length/precision limit only grows.
#include "engine/rules/rules.hpp"

namespace mg {

namespace {
constexpr int32_t kVarHdrSz = 4;

bool grows(int32_t from, int32_t to) { return to < 0 || (from >= 0 && to >= from); }

bool numeric_grows(int32_t from, int32_t to) {
    if (to < 0) return true;
    if (from < 0) return false;
    const int32_t f = from - kVarHdrSz, t = to - kVarHdrSz;
    const int fp = (f >> 16) & 0xffff, fs = f & 0xffff, tp = (t >> 16) & 0xffff, ts = t & 0xffff;
    return fs == ts && tp >= fp;
}
}  // namespace

bool is_safe_type_change(const ColumnFacts &from, const DeclaredType &to) {
    // Names say what a type is only for pg_catalog's types.
    if (to.array || !from.builtin || !to.builtin) return false;
    const std::string &f = from.type_name;
    const std::string &t = to.name;
    if (f == t && from.typmod == to.typmod) return true;
    if (f == "varchar" && t == "varchar") return grows(from.typmod, to.typmod);
    if ((f == "varchar" || f == "text") && t == "text") return true;
    if (f == "text" && t == "varchar") return to.typmod < 0;
    if (f == "numeric" && t == "numeric") return numeric_grows(from.typmod, to.typmod);
    if (f == t && (t == "timestamp" || t == "timestamptz" || t == "time" || t == "timetz" ||
                   t == "interval" || t == "varbit"))
        return grows(from.typmod, to.typmod);
    if (f == "cidr" && t == "inet") return true;
    if (f == "xml" && (t == "text" || (t == "varchar" && to.typmod < 0))) return true;  // binary-coercible
    return false;
}

bool is_lossless_conversion(const ColumnFacts &from, const DeclaredType &to) {
    if (to.array || !from.builtin || !to.builtin) return false;
    if (is_safe_type_change(from, to)) return true;
    const std::string &f = from.type_name;
    const std::string &t = to.name;
    if (t == "text") return true;  // every value has a text form
    if (f == "int2") return t == "int4" || t == "int8" || (t == "numeric" && to.typmod < 0) || t == "float8";
    if (f == "int4") return t == "int8" || (t == "numeric" && to.typmod < 0) || t == "float8";
    if (f == "int8") return t == "numeric" && to.typmod < 0;
    if (f == "float4") return t == "float8";
    if (f == "bpchar" || f == "varchar") return t == "varchar" && to.typmod < 0;
    if (f == "date") return t == "timestamp" || t == "timestamptz";
    if (f == "timestamp") return t == "timestamptz" && (to.typmod < 0 || to.typmod >= from.typmod);
    return false;
}

}  // namespace mg
