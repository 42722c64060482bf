// `migration-guard verify --db CONNINFO`: the database's migration_guard.verify() checks of the
// live schema, reported in the usual formats and with the usual exit codes. The findings are
// about the database, not a place in a file: they have no line (0).
#include <cstdio>

#include "cli/check.hpp"
#include "cli/commands.hpp"
#include "cli/pg_values.hpp"

namespace mg::cli {

namespace {

constexpr const char *kVerifySql =
    "SELECT rule, risk::text, category, object, message, hint "
    "FROM migration_guard.verify(pg_catalog.string_to_array($1, ','), $2)";

std::string joined(const std::vector<std::string> &items) {
    std::string out;
    for (const auto &s : items) out += (out.empty() ? "" : ",") + s;
    return out;
}

}  // namespace

int run_verify(const VerifyArgs &args) {
    Summary summary;
    summary.fail_on = args.fail_on;
    std::string error;
    auto db = open_database(args.conninfo, error);
    if (!db) {
        std::fprintf(stderr, "migration-guard: %s\n", error.c_str());
        return kExitError;
    }
    const std::string schemas = joined(args.schemas);
    PgResult rows;
    const std::vector<const char *> params = {args.schemas.empty() ? nullptr : schemas.c_str(),
                                              args.migration_id.empty() ? nullptr : args.migration_id.c_str()};
    if (!db->query(kVerifySql, params, rows, error)) {
        std::fprintf(stderr, "migration-guard: verify() failed: %s\n", error.c_str());
        return kExitError;
    }
    FileReport report;
    report.path = "database " + db->database();
    for (int r = 0; r < rows.rows(); ++r) {
        Finding f;
        f.rule = std::string(rows.text(r, 0));
        const auto risk = parse_risk(rows.text(r, 1));
        if (!risk) {
            std::fprintf(stderr, "migration-guard: unexpected risk '%s' from verify()\n",
                         std::string(rows.text(r, 1)).c_str());
            return kExitError;
        }
        f.risk = *risk;
        f.category = std::string(rows.text(r, 2));
        f.object = std::string(rows.text(r, 3));
        f.message = std::string(rows.text(r, 4));
        f.hint = std::string(rows.text(r, 5));
        report.findings.push_back({std::move(f), 0, LineCol{0, 0}, Direction::Up, std::nullopt});
    }
    const auto reporter = make_reporter(args.format);
    summary.add(report);
    reporter->file(report);
    reporter->finish(summary);
    std::fflush(stdout);
    return exit_code(false, summary);
}

}  // namespace mg::cli
