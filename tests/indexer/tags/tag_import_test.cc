// Importing attributions: GraphSense TagPacks (header defaults, tag overrides, other chains),
// CSV, and the errors that name file and line.
#include "indexer/tags/tag_import.h"

#include <fstream>

#include "engine/core/address.h"
#include "tests/testutil.h"

namespace ariadne::tags {
namespace {

using ::ariadne::testing::MakeTempDir;
using ::ariadne::testing::TestData;

std::unique_ptr<store::Store> NewStore(const std::filesystem::path& dir, Network n) {
  store::StoreOptions so;
  so.create_if_missing = true;
  so.network = n;
  auto s = store::Store::Open(dir, so);
  EXPECT_TRUE(s.ok());
  return *std::move(s);
}

std::vector<store::LabelRow> LabelsOf(const store::Store& s, const std::string& address) {
  auto key = DecodeAddress(address, s.network());
  EXPECT_TRUE(key.ok()) << address;
  const std::string prefix = store::LabelIdentity(*key);
  std::vector<store::LabelRow> out;
  std::unique_ptr<rocksdb::Iterator> it(
      s.db()->NewIterator(rocksdb::ReadOptions(), s.handle(store::Cf::kLabels)));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    auto row = store::DecodeLabel(std::string_view(it->value().data(), it->value().size()));
    EXPECT_TRUE(row.ok());
    out.push_back(*row);
  }
  return out;
}

TEST(TagImport, TagPackHeaderFieldsAreDefaultsAndTagFieldsOverride) {
  auto dir = MakeTempDir("tagpack");
  {
    std::ofstream f(dir / "pack.yaml");
    f << "title: Test pack\ncreator: test\nlabel: Example Exchange\ncategory: exchange\n"
         "source: https://example.org\ncurrency: BTC\ntags:\n"
         "- address: 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa\n"
         "- address: 12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S\n  label: Other\n  abuse: ransomware\n"
         "  category: ''\n"
         "- address: 0x52908400098527886E0F7030069857D2E4169EE7\n  currency: ETH\n"
         "- address: LXyZ3bd9oSqkXsGW4nxGaHZYqz6ar9SCzp\n  currency: LTC\n"
         "- address: 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb\n";
  }
  auto s = NewStore(dir / "db", Network::kMainnet);
  auto r = ImportTags(s.get(), {dir / "pack.yaml"});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->tags, 5u);
  EXPECT_EQ(r->imported, 3u);
  EXPECT_EQ(r->skipped["other currencies"], 1u);
  EXPECT_EQ(r->skipped["not a mainnet Bitcoin address"], 1u);
  auto genesis = LabelsOf(*s, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa");
  ASSERT_EQ(genesis.size(), 1u);
  EXPECT_EQ(genesis[0].label, "Example Exchange");
  EXPECT_EQ(genesis[0].category, "exchange");
  EXPECT_EQ(genesis[0].source, "https://example.org");
  auto other = LabelsOf(*s, "12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S");
  ASSERT_EQ(other.size(), 1u);
  EXPECT_EQ(other[0].label, "Other");
  EXPECT_EQ(other[0].category, "ransomware");
  // Importing again writes nothing new.
  ASSERT_THAT(ImportTags(s.get(), {dir / "pack.yaml"}), IsOk());
  EXPECT_EQ(LabelsOf(*s, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa").size(), 1u);
}

TEST(TagImport, CsvRowsAndBadRowsWithLineNumbers) {
  auto dir = MakeTempDir("tagcsv");
  {
    std::ofstream f(dir / "case.csv");
    f << "address,label,category,source\n"
      << "1Q2TWHE3GMdB6BZKafqwxXtWAWgFt5Jvm3,Hal,individual,case 17\n"
      << "# a comment\n"
      << "1Q2TWHE3GMdB6BZKafqwxXtWAWgFt5Jvm3\n"
      << "0x52908400098527886e0F7030069857D2E4169EE7,bad checksum,scam\n"
      << "bc1qgarbage,x,y\n";
  }
  auto s = NewStore(dir / "db", Network::kMainnet);
  auto r = ImportTags(s.get(), {dir / "case.csv"});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->imported, 1u);
  EXPECT_EQ(r->tags, 4u);
  ASSERT_GE(r->examples.size(), 3u);
  EXPECT_NE(r->examples[0].find("case.csv:4"), std::string::npos) << r->examples[0];
  auto hal = LabelsOf(*s, "1Q2TWHE3GMdB6BZKafqwxXtWAWgFt5Jvm3");
  ASSERT_EQ(hal.size(), 1u);
  EXPECT_EQ(hal[0].source, "case 17");
}

TEST(TagImport, BrokenYamlNamesFileAndLine) {
  auto dir = MakeTempDir("tagbad");
  {
    std::ofstream f(dir / "broken.yaml");
    f << "title: x\ntags:\n- address: [unclosed\n";
  }
  auto s = NewStore(dir / "db", Network::kMainnet);
  auto r = ImportTags(s.get(), {dir / "broken.yaml"});
  EXPECT_THAT(r, StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "broken.yaml"));
  EXPECT_THAT(ImportTags(s.get(), {dir / "missing.yaml"}), StatusIs(absl::StatusCode::kNotFound));
}

TEST(TagImport, AllGraphSenseTagPacks) {
  REQUIRE_TESTDATA();
  auto dir = MakeTempDir("graphsense");
  auto s = NewStore(dir / "db", Network::kMainnet);
  auto r = ImportTags(s.get(), {TestData("graphsense-tagpacks/packs")});
  ASSERT_THAT(r, IsOk());
  // 524,170 tags (PROVENANCE.txt): BTC and ETH ones are imported, other chains counted.
  EXPECT_EQ(r->tags, 524'170u);
  EXPECT_GT(r->imported, 520'000u);
  EXPECT_GT(r->by_category["exchange"], 300'000u);
  EXPECT_GT(r->skipped["other currencies"], 100u);
  auto bitmex = LabelsOf(*s, "3BMEXx45Wm85boNzF52gJPqvN82bgqeFyv");
  ASSERT_FALSE(bitmex.empty());
  EXPECT_EQ(bitmex[0].category, "exchange");
}

}  // namespace
}  // namespace ariadne::tags
