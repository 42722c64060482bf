// What a statement reaches, not what it names: TRUNCATE's inheritance children, partitions and
// CASCADE, ALTER TABLE's recursion, judged per relation; and the depth bound of the walkers.
#include <gtest/gtest.h>

#include "engine/depth_guard.hpp"
#include "engine_helpers.hpp"

namespace mg::test {

namespace {

// The server's view of a small shop: orders is an existing table with rows.
class ShopCatalog : public ScriptedCatalog {
public:
    std::map<std::string, std::vector<QualifiedName>> kids;  // parent -> direct children
    std::map<std::string, std::vector<QualifiedName>> refs;  // referenced -> referencing tables

    ShopCatalog() {
        for (const char *t : {"public.orders", "public.customers", "public.invoices", "public.archive"})
            tables[t] = TableFacts{5000, 800000, false, false, false};
        columns["public.orders.sku"] = ColumnFacts{"text", -1, false, true, 0};
        columns["public.archive.sku"] = ColumnFacts{"text", -1, false, false, 1};
        refs["public.customers"] = {{"public", "orders"}};
        refs["public.orders"] = {{"public", "invoices"}};
    }
    std::vector<QualifiedName> children(const QualifiedName &t) const override {
        auto it = kids.find(qualify(t).display());
        return it == kids.end() ? std::vector<QualifiedName>{} : it->second;
    }
    std::vector<QualifiedName> referencing_tables(const std::vector<QualifiedName> &in) const override {
        std::vector<QualifiedName> out;
        for (const auto &t : in) {
            auto it = refs.find(qualify(t).display());
            if (it == refs.end()) continue;
            for (const auto &r : it->second) {
                bool listed = false;
                for (const auto &x : in) listed = listed || qualify(x).display() == r.display();
                if (!listed) out.push_back(r);
            }
        }
        return out;
    }
};

std::vector<std::string> objects_of(const std::vector<Finding> &all, const std::string &rule) {
    std::vector<std::string> out;
    for (const auto &f : all)
        if (f.rule == rule) out.push_back(f.object);
    return out;
}

using Objects = std::vector<std::string>;

}  // namespace

TEST(Reach, TruncateOfANewParentInTheTextReachesTheExistingChild) {
    const auto all = findings("CREATE TABLE proxy (LIKE orders); ALTER TABLE orders INHERIT proxy; TRUNCATE proxy;");
    EXPECT_EQ(objects_of(all, "truncate"), Objects{"public.orders"});
    const Finding *f = find(all, "truncate");
    ASSERT_NE(f, nullptr);
    EXPECT_NE(f->message.find("inheritance child or partition of public.proxy"), std::string::npos) << f->message;
}

TEST(Reach, TruncateOnlyAndNoInheritStopTheRecursion) {
    EXPECT_TRUE(objects_of(findings("CREATE TABLE proxy (LIKE orders); ALTER TABLE orders INHERIT proxy; TRUNCATE ONLY proxy;"),
                           "truncate").empty());
    EXPECT_TRUE(objects_of(findings("CREATE TABLE proxy (LIKE orders); ALTER TABLE orders INHERIT proxy;"
                                    "ALTER TABLE orders NO INHERIT proxy; TRUNCATE proxy;"),
                           "truncate").empty());
}

TEST(Reach, AttachPartitionToANewParentIsReached) {
    const auto all = findings("CREATE TABLE p (id int) PARTITION BY RANGE (id);"
                              "ALTER TABLE p ATTACH PARTITION orders FOR VALUES FROM (0) TO (10);"
                              "TRUNCATE p; ALTER TABLE p ALTER COLUMN id TYPE text USING NULL;");
    EXPECT_EQ(objects_of(all, "truncate"), Objects{"public.orders"});
    EXPECT_EQ(objects_of(all, "change-column-type"), Objects{"public.orders.id"});
}

TEST(Reach, TruncateCascadeFollowsANotValidForeignKeyToANewTable) {
    const auto all = findings("CREATE TABLE bait (id bigint PRIMARY KEY);"
                              "ALTER TABLE customers ADD CONSTRAINT f FOREIGN KEY (id) REFERENCES bait NOT VALID;"
                              "TRUNCATE bait CASCADE;");
    EXPECT_EQ(objects_of(all, "truncate"), Objects{"public.customers"});
    // Without CASCADE PostgreSQL refuses instead: nothing else is reached.
    EXPECT_TRUE(objects_of(findings("CREATE TABLE bait (id bigint PRIMARY KEY);"
                                    "ALTER TABLE customers ADD CONSTRAINT f FOREIGN KEY (id) REFERENCES bait NOT VALID;"
                                    "TRUNCATE bait;"),
                           "truncate")
                    .empty());
}

TEST(Reach, TruncateCascadeReachesEveryLevelOfForeignKeysInTheCatalog) {
    ShopCatalog catalog;
    const auto all = findings("TRUNCATE customers CASCADE;", catalog);
    EXPECT_EQ(objects_of(all, "truncate"), (Objects{"public.customers", "public.orders", "public.invoices"}));
    // Without CASCADE only the table named.
    EXPECT_EQ(objects_of(findings("TRUNCATE customers;", catalog), "truncate"), Objects{"public.customers"});
}

TEST(Reach, InheritanceInTheCatalogIsFollowedEveryLevel) {
    ShopCatalog catalog;
    catalog.tables["public.proxy_top"] = TableFacts{0, 0, false, true, false};  // created by this transaction
    catalog.tables["public.proxy"] = TableFacts{0, 0, false, true, false};
    catalog.kids["public.proxy_top"] = {{"public", "proxy"}};
    catalog.kids["public.proxy"] = {{"public", "orders"}};
    EXPECT_EQ(objects_of(findings("TRUNCATE proxy_top;", catalog), "truncate"), Objects{"public.orders"});
    EXPECT_EQ(objects_of(findings("ALTER TABLE proxy_top ALTER COLUMN sku TYPE text USING NULL;", catalog),
                         "change-column-type"),
              Objects{"public.orders.sku"});
    EXPECT_TRUE(objects_of(findings("ALTER TABLE ONLY proxy_top ALTER COLUMN sku TYPE text;", catalog),
                           "change-column-type")
                    .empty());
}

TEST(Reach, DropColumnReachesOnlyChildrenThatInheritTheColumnAlone) {
    ShopCatalog catalog;
    catalog.tables["public.proxy"] = TableFacts{0, 0, false, true, false};
    catalog.kids["public.proxy"] = {{"public", "orders"}, {"public", "archive"}};
    // orders defines sku itself (it keeps it); archive has it from proxy alone (it loses it).
    EXPECT_EQ(objects_of(findings("ALTER TABLE proxy DROP COLUMN sku;", catalog), "drop-column"),
              Objects{"public.archive.sku"});
}

TEST(Reach, AdviceIsNotRepeatedForEveryChild) {
    ShopCatalog catalog;
    catalog.tables["public.proxy"] = TableFacts{0, 0, false, true, false};
    catalog.kids["public.proxy"] = {{"public", "orders"}};
    EXPECT_TRUE(objects_of(findings("ALTER TABLE proxy ADD COLUMN n integer;", catalog), "prefer-bigint").size() <= 1);
}

TEST(Reach, NewChildrenHoldNothingToLose) {
    EXPECT_TRUE(objects_of(findings("CREATE TABLE p (id int); CREATE TABLE c () INHERITS (p); TRUNCATE p;"), "truncate")
                    .empty());
}

TEST(Depth, A250000TermExpressionIsRefusedNotACrash) {
    std::string sql = "ALTER TABLE t ADD COLUMN c int DEFAULT 1";
    for (int i = 0; i < 250000; ++i) sql += "+1";
    sql += ";";
    std::vector<StatementReport> reports;
    ParseError error;
    ScriptedCatalog catalog;
    catalog.tables["public.t"] = TableFacts{10, 8192, false, false, false};
    EXPECT_FALSE(analyze_text(sql, catalog, Options{}, reports, error));
    EXPECT_NE(error.message.find("nested more than"), std::string::npos) << error.message;
    EXPECT_EQ(error.location, 0);
}

TEST(Depth, NulBytesAndInvalidUtf8AreRefusedWithTheirPosition) {
    std::vector<StatementReport> reports;
    ParseError error;
    const std::string with_nul = std::string("SELECT 1;\n", 10) + '\0' + "DROP TABLE users;";
    EXPECT_FALSE(analyze_text(with_nul, StaticCatalog{}, Options{}, reports, error));
    EXPECT_EQ(error.location, 10);
    EXPECT_FALSE(analyze_text("SELECT 'caf\xc3';", StaticCatalog{}, Options{}, reports, error));
    EXPECT_EQ(error.location, 11);
    EXPECT_TRUE(analyze_text("SELECT 'caf\xc3\xa9';", StaticCatalog{}, Options{}, reports, error));
}

TEST(Depth, ExtremeTypmodsAreDefined) {
    // PostgreSQL refuses both lengths; the engine must not overflow computing them.
    EXPECT_NO_THROW(findings("ALTER TABLE t ALTER COLUMN a TYPE varchar(2147483647);"));
    EXPECT_NO_THROW(findings("ALTER TABLE t ALTER COLUMN a TYPE numeric(100000,2);"));
}

}  // namespace mg::test
