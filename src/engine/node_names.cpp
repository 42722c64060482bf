#include "engine/node_names.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace mg {

namespace {
constexpr int32_t kVarHdrSz = 4;  // VARHDRSZ: varlena typmods carry the header length

int int_const(const Node *n) {
    if (n && IsA(n, A_Const)) {
        const A_Const *c = reinterpret_cast<const A_Const *>(n);
        if (!c->isnull && IsA(&c->val, Integer)) return intVal(&c->val);
    }
    return -1;
}
}  // namespace

std::string str_value(const Node *n) {
    if (n && IsA(n, String)) return strVal(n);
    return {};
}

std::vector<std::string> name_list(const List *names) {
    std::vector<std::string> out;
    const ListCell *lc;
    foreach (lc, names) out.push_back(str_value(static_cast<const Node *>(lfirst(lc))));
    return out;
}

QualifiedName qualified(const RangeVar *rv) {
    if (!rv) return {};
    return {rv->schemaname ? rv->schemaname : "", rv->relname ? rv->relname : ""};
}

QualifiedName qualified(const List *names) {
    auto parts = name_list(names);
    QualifiedName q;
    if (parts.empty()) return q;
    q.name = parts.back();
    if (parts.size() >= 2) q.schema = parts[parts.size() - 2];
    return q;
}

std::string role_spec_name(const RoleSpec *r) {
    if (!r) return "";
    switch (r->roletype) {
        case ROLESPEC_CSTRING: return r->rolename ? r->rolename : "";
        case ROLESPEC_PUBLIC: return "PUBLIC";
        case ROLESPEC_CURRENT_ROLE: return "CURRENT_ROLE";
        case ROLESPEC_SESSION_USER: return "SESSION_USER";
        default: return "CURRENT_USER";
    }
}

std::string role_list(const List *rolespecs) {
    std::string out;
    const ListCell *lc;
    foreach (lc, rolespecs) out += (out.empty() ? "" : ", ") + role_spec_name(static_cast<const RoleSpec *>(lfirst(lc)));
    return out;
}

std::string dotted(const std::vector<std::string> &parts) {
    std::string out;
    for (const auto &p : parts) {
        if (!out.empty()) out += '.';
        out += p;
    }
    return out;
}

QualifiedName split_object(const std::string &object, std::string &column) {
    const auto first = object.find('.');
    const auto second = first == std::string::npos ? first : object.find('.', first + 1);
    column = second == std::string::npos ? "" : object.substr(second + 1);
    if (first == std::string::npos) return {"", object};
    return {object.substr(0, first),
            object.substr(first + 1, second == std::string::npos ? std::string::npos : second - first - 1)};
}

DeclaredType declared_type(const TypeName *tn) {
    DeclaredType t;
    if (!tn) return t;
    auto parts = name_list(tn->names);
    t.name = parts.empty() ? "" : parts.back();
    t.builtin = parts.size() < 2 || parts[parts.size() - 2] == "pg_catalog";
    t.array = tn->arrayBounds != NIL;
    if (t.name == "serial" || t.name == "serial4") {
        t.name = "int4";
        t.serial = true;
    } else if (t.name == "bigserial" || t.name == "serial8") {
        t.name = "int8";
        t.serial = true;
    } else if (t.name == "smallserial" || t.name == "serial2") {
        t.name = "int2";
        t.serial = true;
    } else if (t.name == "integer" || t.name == "int") {
        t.name = "int4";
    } else if (t.name == "bigint") {
        t.name = "int8";
    } else if (t.name == "smallint") {
        t.name = "int2";
    } else if (t.name == "character varying") {
        t.name = "varchar";
    } else if (t.name == "decimal") {
        t.name = "numeric";
    }
    const int nmods = list_length(tn->typmods);
    const int a = nmods >= 1 ? int_const(static_cast<const Node *>(linitial(tn->typmods))) : -1;
    const int b = nmods >= 2 ? int_const(static_cast<const Node *>(lsecond(tn->typmods))) : 0;
    // Lengths and precisions PostgreSQL refuses (the statement fails there) stay unknown here;
    // computing their typmod would overflow.
    constexpr int kMaxCharLength = 10 * 1024 * 1024;  // MaxAttrSize in varchar.c
    constexpr int kMaxNumericPrecision = 1000;        // NUMERIC_MAX_PRECISION
    if (a >= 0) {
        if (t.name == "varchar" || t.name == "bpchar") {
            if (a <= kMaxCharLength) t.typmod = a + kVarHdrSz;
        } else if (t.name == "numeric") {
            if (a <= kMaxNumericPrecision && b >= -kMaxNumericPrecision && b <= kMaxNumericPrecision)
                t.typmod = static_cast<int32_t>((static_cast<uint32_t>(a) << 16) | (static_cast<uint32_t>(b) & 0xffff)) +
                           kVarHdrSz;
        } else {
            t.typmod = a;  // timestamp(p), time(p), interval(p), bit(n), varbit(n)
        }
    } else if (t.name == "bpchar" && nmods == 0) {
        t.typmod = 1 + kVarHdrSz;  // char without a length means char(1)
    }
    return t;
}

std::string type_display(const DeclaredType &t) {
    if (!t.builtin && !t.sql.empty()) return t.sql;
    std::string base = t.name;
    if (t.name == "int4") base = "integer";
    else if (t.name == "int8") base = "bigint";
    else if (t.name == "int2") base = "smallint";
    else if (t.name == "bpchar") base = "char";
    if (t.serial) base = t.name == "int8" ? "bigserial" : t.name == "int2" ? "smallserial" : "serial";
    if (t.typmod >= 0) {
        char buf[64];
        if (t.name == "varchar" || t.name == "bpchar")
            std::snprintf(buf, sizeof buf, "(%d)", t.typmod - kVarHdrSz);
        else if (t.name == "numeric")
            std::snprintf(buf, sizeof buf, "(%d,%d)", ((t.typmod - kVarHdrSz) >> 16) & 0xffff,
                          (t.typmod - kVarHdrSz) & 0xffff);
        else
            std::snprintf(buf, sizeof buf, "(%d)", t.typmod);
        base += buf;
    }
    if (t.array) base += "[]";
    return base;
}

std::string column_ref_name(const Node *n) {
    if (!n || !IsA(n, ColumnRef)) return {};
    const List *fields = reinterpret_cast<const ColumnRef *>(n)->fields;
    return list_length(fields) == 1 ? str_value(static_cast<const Node *>(linitial(fields))) : std::string();
}

const char *object_type_name(ObjectType t) {
    switch (t) {
        case OBJECT_TABLE: return "TABLE";
        case OBJECT_VIEW: return "VIEW";
        case OBJECT_MATVIEW: return "MATERIALIZED VIEW";
        case OBJECT_INDEX: return "INDEX";
        case OBJECT_SEQUENCE: return "SEQUENCE";
        case OBJECT_FOREIGN_TABLE: return "FOREIGN TABLE";
        case OBJECT_SCHEMA: return "SCHEMA";
        case OBJECT_TYPE: return "TYPE";
        case OBJECT_DOMAIN: return "DOMAIN";
        case OBJECT_FUNCTION: return "FUNCTION";
        case OBJECT_PROCEDURE: return "PROCEDURE";
        case OBJECT_ROUTINE: return "ROUTINE";
        case OBJECT_AGGREGATE: return "AGGREGATE";
        case OBJECT_TRIGGER: return "TRIGGER";
        case OBJECT_EXTENSION: return "EXTENSION";
        case OBJECT_COLUMN: return "COLUMN";
        case OBJECT_TABCONSTRAINT: return "CONSTRAINT";
        case OBJECT_DATABASE: return "DATABASE";
        case OBJECT_ROLE: return "ROLE";
        case OBJECT_POLICY: return "POLICY";
        case OBJECT_RULE: return "RULE";
        case OBJECT_OPERATOR: return "OPERATOR";
        case OBJECT_COLLATION: return "COLLATION";
        case OBJECT_CONVERSION: return "CONVERSION";
        case OBJECT_EVENT_TRIGGER: return "EVENT TRIGGER";
        case OBJECT_FDW: return "FOREIGN DATA WRAPPER";
        case OBJECT_FOREIGN_SERVER: return "SERVER";
        case OBJECT_PUBLICATION: return "PUBLICATION";
        case OBJECT_SUBSCRIPTION: return "SUBSCRIPTION";
        case OBJECT_STATISTIC_EXT: return "STATISTICS";
        case OBJECT_TABLESPACE: return "TABLESPACE";
        case OBJECT_PARAMETER_ACL: return "PARAMETER";
        case OBJECT_LANGUAGE: return "LANGUAGE";
        case OBJECT_CAST: return "CAST";
        case OBJECT_TRANSFORM: return "TRANSFORM";
        case OBJECT_ACCESS_METHOD: return "ACCESS METHOD";
        case OBJECT_OPCLASS: return "OPERATOR CLASS";
        case OBJECT_OPFAMILY: return "OPERATOR FAMILY";
        case OBJECT_TSCONFIGURATION: return "TEXT SEARCH CONFIGURATION";
        case OBJECT_TSDICTIONARY: return "TEXT SEARCH DICTIONARY";
        case OBJECT_TSPARSER: return "TEXT SEARCH PARSER";
        case OBJECT_TSTEMPLATE: return "TEXT SEARCH TEMPLATE";
        default: return "OBJECT";
    }
}

std::string format_count(double n) {
    char digits[32];
    std::snprintf(digits, sizeof digits, "%.0f", std::max(0.0, std::round(n)));
    std::string s = digits, out;
    const int len = static_cast<int>(s.size());
    for (int i = 0; i < len; ++i) {
        if (i > 0 && (len - i) % 3 == 0) out += ',';
        out += s[i];
    }
    return out;
}

std::string format_bytes(int64_t bytes) {
    const char *units[] = {"bytes", "kB", "MB", "GB", "TB"};
    double v = static_cast<double>(bytes);
    int u = 0;
    while (v >= 10 * 1024 && u < 4) {
        v /= 1024;
        ++u;
    }
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.0f %s", v, units[u]);
    return buf;
}

}  // namespace mg
