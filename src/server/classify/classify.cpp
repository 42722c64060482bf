// SQL surface of the rule engine: migration_guard.analyze_text(sql), wrapped by classify(),
// classify_verbose() and risk() in the extension script.
#include <string>
#include <vector>

#include "engine/analyzer.hpp"
#include "engine/text_position.hpp"
#include "server/boundary.hpp"
#include "server/classify/migration_text.hpp"
#include "server/live_catalog/server_catalog.hpp"
#include "server/settings.hpp"

namespace {

constexpr int kColumns = 16;

struct Row {
    Datum values[kColumns];
    bool nulls[kColumns];
};

// Parses the text with the server's parser and judges it against the live catalog.
std::vector<mg::StatementReport> analyze_migration(const std::string &sql, List *&stmts) {
    stmts = mg::server::parse_migration(sql);
    mg::server::ServerCatalog catalog;
    return mg::analyze(stmts, sql, catalog, mg::server::engine_options());
}

}  // namespace

MG_SQL_FUNCTION(migration_guard_analyze_text) {
    using namespace mg;
    using namespace mg::server;

    const std::string sql = migration_text_arg(fcinfo);
    List *stmts = NIL;
    const std::vector<StatementReport> reports = analyze_migration(sql, stmts);

    // The server's own command tags, so classify() names commands exactly as PostgreSQL does.
    std::vector<const char *> tags(static_cast<size_t>(list_length(stmts)));
    pg_call([&] {
        ListCell *lc;
        foreach (lc, stmts)
            tags[foreach_current_index(lc)] = GetCommandTagName(CreateCommandTag(lfirst_node(RawStmt, lc)->stmt));
    });

    const LineIndex lines(sql);
    pg_call([&] { InitMaterializedSRF(fcinfo, 0); });
    ReturnSetInfo *rsinfo = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);

    auto emit = [&](const StatementReport &r, const char *tag, const Finding *f) {
        const int location = f ? f->location : r.location;
        const LineCol at = lines.at(location);
        pg_call([&] {
            Row row{};
            row.values[0] = Int32GetDatum(r.number);
            row.values[1] = CStringGetTextDatum(tag);
            if (f) {
                row.values[2] = CStringGetTextDatum(f->rule.c_str());
                row.values[3] = CStringGetTextDatum(risk_name(f->risk));
                row.values[4] = CStringGetTextDatum(f->category.c_str());
                row.values[5] = CStringGetTextDatum(lock_mode_name(f->lock));
                row.nulls[5] = f->lock == LockMode::None;
                row.values[6] = BoolGetDatum(f->rewrites_table);
                row.values[7] = CStringGetTextDatum(f->message.c_str());
                row.values[8] = CStringGetTextDatum(f->hint.c_str());
                row.values[12] = CStringGetTextDatum(f->object.c_str());
                row.values[13] = BoolGetDatum(f->scans_table);
            } else {
                for (int i : {2, 4, 5, 7, 8, 12}) row.nulls[i] = true;
                row.values[3] = CStringGetTextDatum("low");
                row.values[6] = BoolGetDatum(false);
                row.values[13] = BoolGetDatum(false);
            }
            row.values[9] = Int32GetDatum(location);
            row.values[10] = Int32GetDatum(at.line);
            row.values[11] = Int32GetDatum(at.column);
            row.values[14] = Int32GetDatum(r.location);
            row.values[15] = Int32GetDatum(r.length);
            tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, row.values, row.nulls);
        });
    };

    for (size_t i = 0; i < reports.size(); ++i) {
        const char *tag = i < tags.size() ? tags[i] : reports[i].command.c_str();
        if (reports[i].findings.empty()) emit(reports[i], tag, nullptr);
        for (const Finding &f : reports[i].findings) emit(reports[i], tag, &f);
    }
    return static_cast<Datum>(0);
}

// risk(sql): the highest risk of the text, as the extension's enum. Declared for text and for
// unknown: with only risk(text), PostgreSQL reads risk('...') as a cast to the type `risk`.
MG_SQL_FUNCTION(migration_guard_risk) {
    using namespace mg;
    using namespace mg::server;

    const std::string sql = migration_text_arg(fcinfo);
    List *stmts = NIL;
    Risk highest = Risk::Low;
    for (const StatementReport &r : analyze_migration(sql, stmts)) highest = max_risk(highest, r.risk());

    Datum result = 0;
    pg_call([&] {
        result = DirectFunctionCall2(enum_in, CStringGetDatum(risk_name(highest)),
                                     ObjectIdGetDatum(get_fn_expr_rettype(fcinfo->flinfo)));
    });
    return result;
}
