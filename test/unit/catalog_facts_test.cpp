// What the server's live catalog changes, shown with a scripted catalog (no server needed).
#include <gtest/gtest.h>

#include "engine/node_names.hpp"
#include "engine/rules/rules.hpp"
#include "engine_helpers.hpp"

namespace mg::test {

namespace {
TableFacts rows(double n, int64_t bytes = 0) {
    TableFacts t;
    t.rows = n;
    t.bytes = bytes ? bytes : static_cast<int64_t>(n * 100);
    return t;
}
}  // namespace

TEST(CatalogFacts, BlockingIndexRiskScalesWithTableSize) {
    ScriptedCatalog catalog;
    catalog.tables["public.empty"] = rows(0, 8192);
    catalog.tables["public.mid"] = rows(500000);
    catalog.tables["public.big"] = rows(20000000);
    auto risk_of = [&](const std::string &table) {
        auto all = findings("CREATE INDEX ON " + table + " (a);", catalog);
        const Finding *f = find(all, "create-index-blocking");
        return f ? f->risk : Risk::Low;
    };
    EXPECT_EQ(risk_of("empty"), Risk::Low);
    EXPECT_EQ(risk_of("mid"), Risk::Medium);
    EXPECT_EQ(risk_of("big"), Risk::High);
    EXPECT_EQ(risk_of("unknown_table"), Risk::Low);

    Options lowered;
    lowered.medium_table_rows = 10;
    lowered.high_table_rows = 100;
    catalog.tables["public.small"] = rows(1000);
    auto all = findings("CREATE INDEX ON small (a);", catalog, lowered);
    ASSERT_NE(find(all, "create-index-blocking"), nullptr);
    EXPECT_EQ(find(all, "create-index-blocking")->risk, Risk::High);
}

TEST(CatalogFacts, MessagesSayWhatIsAtStake) {
    ScriptedCatalog catalog;
    catalog.tables["public.users"] = rows(1204, 98304);
    catalog.tables["public.empty"] = rows(0, 16384);
    auto all = findings("DROP TABLE users;", catalog);
    ASSERT_NE(find(all, "drop-table"), nullptr);
    EXPECT_NE(find(all, "drop-table")->message.find("~1,204 rows, 96 kB"), std::string::npos);
    all = findings("DROP TABLE empty;", catalog);
    EXPECT_NE(find(all, "drop-table")->message.find("the table is empty"), std::string::npos);
}

TEST(CatalogFacts, SafeWideningOfAKnownColumnIsLow) {
    ScriptedCatalog catalog;
    catalog.columns["public.users.name"] = {"varchar", 20 + 4, false};
    catalog.columns["public.users.age"] = {"int4", -1, false};
    auto widen = findings("ALTER TABLE users ALTER COLUMN name TYPE varchar(50);", catalog);
    ASSERT_NE(find(widen, "change-column-type"), nullptr);
    EXPECT_EQ(find(widen, "change-column-type")->risk, Risk::Low);
    EXPECT_FALSE(find(widen, "change-column-type")->rewrites_table);

    auto narrow = findings("ALTER TABLE users ALTER COLUMN name TYPE varchar(10);", catalog);
    EXPECT_EQ(find(narrow, "change-column-type")->risk, Risk::Critical);
    // int -> bigint rewrites, but every value converts as it is: high, an availability matter.
    auto rewrite = findings("ALTER TABLE users ALTER COLUMN age TYPE bigint;", catalog);
    EXPECT_EQ(find(rewrite, "change-column-type")->risk, Risk::High);
    EXPECT_EQ(find(rewrite, "change-column-type")->category, "availability");
    EXPECT_TRUE(find(rewrite, "change-column-type")->rewrites_table);
    auto lossy = findings("ALTER TABLE users ALTER COLUMN age TYPE smallint;", catalog);
    EXPECT_EQ(find(lossy, "change-column-type")->risk, Risk::Critical);
    auto using_expr = findings("ALTER TABLE users ALTER COLUMN name TYPE varchar(50) USING trim(name);", catalog);
    EXPECT_EQ(find(using_expr, "change-column-type")->risk, Risk::Critical);
}

TEST(CatalogFacts, TypeChangeSafetyTable) {
    auto to = [](const std::string &name, int32_t typmod) {
        DeclaredType t;
        t.name = name;
        t.typmod = typmod;
        return t;
    };
    const int32_t numeric_10_2 = ((10 << 16) | 2) + 4, numeric_12_2 = ((12 << 16) | 2) + 4,
                  numeric_12_3 = ((12 << 16) | 3) + 4;
    EXPECT_TRUE(is_safe_type_change({"varchar", 24, false}, to("varchar", 54)));
    EXPECT_TRUE(is_safe_type_change({"varchar", 24, false}, to("varchar", -1)));
    EXPECT_TRUE(is_safe_type_change({"varchar", 24, false}, to("text", -1)));
    EXPECT_TRUE(is_safe_type_change({"text", -1, false}, to("varchar", -1)));
    EXPECT_TRUE(is_safe_type_change({"numeric", numeric_10_2, false}, to("numeric", numeric_12_2)));
    EXPECT_TRUE(is_safe_type_change({"numeric", numeric_10_2, false}, to("numeric", -1)));
    EXPECT_TRUE(is_safe_type_change({"timestamptz", 3, false}, to("timestamptz", 6)));
    EXPECT_TRUE(is_safe_type_change({"cidr", -1, false}, to("inet", -1)));
    EXPECT_FALSE(is_safe_type_change({"varchar", -1, false}, to("varchar", 24)));
    EXPECT_FALSE(is_safe_type_change({"text", -1, false}, to("varchar", 24)));
    EXPECT_FALSE(is_safe_type_change({"numeric", numeric_10_2, false}, to("numeric", numeric_12_3)));
    EXPECT_FALSE(is_safe_type_change({"int4", -1, false}, to("int8", -1)));
    EXPECT_FALSE(is_safe_type_change({"timestamp", -1, false}, to("timestamptz", -1)));
    EXPECT_FALSE(is_safe_type_change({"timestamptz", -1, false}, to("timestamptz", 3)));
}

TEST(CatalogFacts, SetNotNullOnAColumnThatIsAlreadyNotNullIsANoOp) {
    ScriptedCatalog catalog;
    catalog.columns["public.users.email"] = {"text", -1, true};
    auto ids = rule_ids("SET lock_timeout = '1s'; ALTER TABLE users ALTER COLUMN email SET NOT NULL;", catalog);
    EXPECT_TRUE(ids.empty());
}

TEST(CatalogFacts, DroppingAnExistingCascadeForeignKeyIsACascadeDeleteChange) {
    ScriptedCatalog catalog;
    catalog.constraints["public.orders.orders_user_fk"] = {'f', true, true, ""};
    catalog.constraints["public.orders.orders_other_fk"] = {'f', false, true, ""};
    auto ids = rule_ids("SET lock_timeout = '1s'; ALTER TABLE orders DROP CONSTRAINT orders_user_fk;", catalog);
    EXPECT_EQ(ids, (std::vector<std::string>{"cascade-delete-change", "drop-constraint"}));
    ids = rule_ids("SET lock_timeout = '1s'; ALTER TABLE orders DROP CONSTRAINT orders_other_fk;", catalog);
    EXPECT_EQ(ids, (std::vector<std::string>{"drop-constraint"}));
}

TEST(CatalogFacts, ForeignKeyIndexOnExistingTablesComesFromTheCatalog) {
    ScriptedCatalog catalog;
    catalog.indexed["public.orders(user_id)"] = false;
    catalog.indexed["public.invoices(user_id)"] = true;
    const std::string fk = "SET lock_timeout = '1s'; ALTER TABLE %s ADD FOREIGN KEY (user_id) REFERENCES users (id);";
    auto sql = [&](const char *t) {
        std::string s = fk;
        s.replace(s.find("%s"), 2, t);
        return s;
    };
    auto orders = findings(sql("orders"), catalog);
    ASSERT_NE(find(orders, "fk-without-index"), nullptr);
    EXPECT_EQ(find(orders, "fk-without-index")->risk, Risk::Medium);
    EXPECT_EQ(find(findings(sql("invoices"), catalog), "fk-without-index"), nullptr);
    EXPECT_EQ(find(findings(sql("unknown"), catalog), "fk-without-index"), nullptr);  // CLI: cannot know
}

TEST(CatalogFacts, TableWithoutRlsIsMediumWhenTheSchemaUsesRls) {
    ScriptedCatalog catalog;
    auto plain = findings("CREATE TABLE notes (id bigint);", catalog);
    ASSERT_NE(find(plain, "table-without-rls"), nullptr);
    EXPECT_EQ(find(plain, "table-without-rls")->risk, Risk::Low);

    catalog.rls_schemas = {"public"};
    auto exposed = findings("CREATE TABLE notes (id bigint);", catalog);
    EXPECT_EQ(find(exposed, "table-without-rls")->risk, Risk::Medium);

    auto in_text = findings(
        "CREATE TABLE a (id bigint); ALTER TABLE a ENABLE ROW LEVEL SECURITY; CREATE TABLE b (id bigint);");
    ASSERT_NE(find(in_text, "table-without-rls"), nullptr);
    EXPECT_EQ(find(in_text, "table-without-rls")->object, "public.b");
    EXPECT_EQ(find(in_text, "table-without-rls")->risk, Risk::Medium);

    Options other;
    other.rls_schemas = {"api"};
    EXPECT_EQ(find(findings("CREATE TABLE notes (id bigint);", catalog, other), "table-without-rls"), nullptr);
    EXPECT_NE(find(findings("CREATE TABLE api.notes (id bigint);", catalog, other), "table-without-rls"), nullptr);
}

TEST(CatalogFacts, SessionLockTimeoutSatisfiesRequireLockTimeout) {
    ScriptedCatalog catalog;
    catalog.lock_timeout = true;
    EXPECT_EQ(rule_ids("ALTER TABLE users DROP COLUMN email;", catalog), (std::vector<std::string>{"drop-column"}));
}

TEST(CatalogFacts, CreateTableIfNotExistsOfAnExistingTableIsANoOp) {
    ScriptedCatalog catalog;
    catalog.tables["public.users"] = rows(10);
    // The existing table stays "existing": an index on it is still a blocking build.
    auto ids = rule_ids("CREATE TABLE IF NOT EXISTS users (id bigint); CREATE INDEX ON users (id);", catalog);
    EXPECT_EQ(ids, (std::vector<std::string>{"create-index-blocking"}));
}

// Names in audit rows and findings made by the server glue are qualified the way the server
// would find them: by the catalog's search, else in the default schema.
TEST(CatalogFacts, QualifyUsesTheCatalogsSchemaThenTheDefault) {
    class OneSchema : public StaticCatalog {
        std::optional<std::string> schema_of(const QualifiedName &t) const override {
            return t.name == "orders" ? std::optional<std::string>("shop") : std::nullopt;
        }
    } catalog;
    EXPECT_EQ(catalog.qualify({"", "orders"}).display(), "shop.orders");
    EXPECT_EQ(catalog.qualify({"", "users"}).display(), "public.users");
    EXPECT_EQ(catalog.qualify({"audit", "orders"}).display(), "audit.orders");
}

}  // namespace mg::test
