// Small SQL functions that describe the guard: the rule catalog, whether the library is preloaded.
#include "engine/rule_catalog.hpp"
#include "server/boundary.hpp"
#include "server/settings.hpp"

MG_SQL_FUNCTION(migration_guard_preloaded) { PG_RETURN_BOOL(mg::server::preloaded()); }

MG_SQL_FUNCTION(migration_guard_rules) {
    using namespace mg;
    using namespace mg::server;
    pg_call([&] { InitMaterializedSRF(fcinfo, 0); });
    ReturnSetInfo *rsinfo = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
    for (const RuleInfo &rule : all_rules()) {
        if (rule.linter_only) continue;
        pg_call([&] {
            Datum values[6];
            bool nulls[6] = {false, false, false, false, false, false};
            values[0] = CStringGetTextDatum(rule.id);
            values[1] = CStringGetTextDatum(risk_name(rule.default_risk));
            values[2] = CStringGetTextDatum(rule.category);
            values[3] = CStringGetTextDatum(rule.summary);
            values[4] = BoolGetDatum(!rule.changes_existing);
            values[5] = BoolGetDatum(rule.server_only);
            tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
        });
    }
    return static_cast<Datum>(0);
}
