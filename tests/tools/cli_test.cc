// The `ariadne` client commands against a real server: the JSON shapes the issues specify, the
// readable output, exit codes and error messages, and batch case files.
#include <grpcpp/grpcpp.h>
#include <simdjson.h>

#include <cstdio>
#include <fstream>

#include "absl/strings/str_split.h"
#include "engine/store/store.h"
#include "heuristics/clustering.h"
#include "indexer/tags/tag_import.h"
#include "tests/engine/service/service_harness.h"
#include "tests/indexer/pipeline/index_test_util.h"
#include "tests/testutil.h"

namespace ariadne::testing {
namespace {

using Output = CliRun;

class Cli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!HaveTestData()) return;
    dir_ = new std::filesystem::path(MakeTempDir("cli"));
    auto s =
        IndexInto(*dir_ / "db", {TestData("_derived/btc-mainnet-0-4521.blk")}, Network::kMainnet);
    ASSERT_TRUE(s.ok()) << s.status();
    ASSERT_TRUE(heuristics::Recluster(s->get(), heuristics::DefaultPolicy()).ok());
    {
      std::ofstream tags(*dir_ / "tags.csv");
      tags << "address,label,category,source\n"
           << "1Q2TWHE3GMdB6BZKafqwxXtWAWgFt5Jvm3,Hal Finney,individual,test\n"
           << "12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S,Satoshi's test coins,exchange,test\n";
    }
    ASSERT_TRUE(tags::ImportTags(s->get(), {*dir_ / "tags.csv"}).ok());
    auto harness = ServiceHarness::Start(*std::move(s), *dir_, service::ServiceOptions());
    ASSERT_TRUE(harness.ok()) << harness.status();
    harness_ = harness->release();
  }
  static void TearDownTestSuite() {
    delete harness_;
    delete dir_;
  }
  void SetUp() override { REQUIRE_TESTDATA(); }

  // Runs the ariadne binary, against the harness's server when `with_server`.
  static Output Ariadne(std::vector<std::string> args, bool with_server = true) {
    return with_server ? harness_->Cli(std::move(args)) : RunCli(args, *dir_);
  }
  static simdjson::dom::element Json(simdjson::dom::parser& parser, const std::string& text) {
    simdjson::dom::element e;
    EXPECT_EQ(parser.parse(text).get(e), simdjson::SUCCESS) << text;
    return e;
  }
  // `ariadne gen` of `blocks` blocks of 40 transactions into DIR/name. Returns: its folder.
  static std::filesystem::path Gen(const std::string& name, int blocks, int seed) {
    const auto chain = *dir_ / name;
    const Output g = Ariadne({"gen", "--out", chain.string(), "--blocks", std::to_string(blocks),
                              "--txs-per-block", "40", "--seed", std::to_string(seed)},
                             false);
    EXPECT_EQ(g.exit_code, 0) << g.err;
    return chain;
  }
  // `ariadne index btc` of a generated chain into `db`, with `extra` options.
  static Output IndexChain(const std::filesystem::path& chain, const std::filesystem::path& db,
                           std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"index", "btc",       "--blocks",  (chain / "blocks").string(),
                                     "--db",  db.string(), "--network", "regtest"};
    args.insert(args.end(), extra.begin(), extra.end());
    return Ariadne(args, false);
  }
  static std::vector<std::string> Keys(simdjson::dom::element obj) {
    std::vector<std::string> keys;
    for (auto field : obj.get_object()) keys.emplace_back(field.key);
    return keys;
  }

  static inline std::filesystem::path* dir_ = nullptr;
  static inline ServiceHarness* harness_ = nullptr;
};

using ::testing::IsSupersetOf;

TEST_F(Cli, AddressJsonHasTheSpecifiedFields) {
  Output r = Ariadne({"address", "1Q2TWHE3GMdB6BZKafqwxXtWAWgFt5Jvm3", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  simdjson::dom::parser parser;
  auto j = Json(parser, r.out);
  EXPECT_THAT(Keys(j),
              IsSupersetOf({"address", "type", "tx_count", "received", "sent", "balance",
                            "first_seen_height", "last_seen_height", "cluster_id", "labels"}));
  EXPECT_EQ(int64_t(j["received"]), 1'000'000'000);
  EXPECT_EQ(std::string_view(j["type"]), "p2pk");
  EXPECT_EQ(int64_t(j["first_seen_height"]), 170);
  EXPECT_EQ(std::string_view(j["labels"].at(0)["label"]), "Hal Finney");
  // Readable form.
  r = Ariadne({"address", "1Q2TWHE3GMdB6BZKafqwxXtWAWgFt5Jvm3"});
  EXPECT_NE(r.out.find("10.00000000 BTC"), std::string::npos) << r.out;
}

// decode --json: one block per line, each transaction with the fields a loader into another
// database needs (bench/peers/postgres loads PostgreSQL from it).
TEST_F(Cli, DecodeJsonHasOneBlockPerLineAndTheTransactionFields) {
  Output r =
      Ariadne({"decode", "--json", TestData("_derived/btc-mainnet-0-4521.blk").string()}, false);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines = absl::StrSplit(r.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 4522u);
  simdjson::dom::parser parser;
  auto block = Json(parser, lines[170]);
  ASSERT_EQ(std::string_view(block["hash"]),  // block 170
            "00000000d1145790a8694403d4063f323d499e655c83426834d4ce2f8dd4a2ee");
  auto tx = block["txs"].at(1);
  EXPECT_EQ(std::string_view(tx["txid"]),
            "f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16");
  EXPECT_EQ(int64_t(tx["version"]), 1);
  EXPECT_EQ(int64_t(tx["locktime"]), 0);
  EXPECT_EQ(int64_t(tx["size"]), 275);
  EXPECT_EQ(int64_t(tx["vsize"]), 275);
  EXPECT_EQ(tx["inputs"].get_array().size(), 1u);
  EXPECT_EQ(tx["outputs"].get_array().size(), 2u);
}

TEST_F(Cli, TxJsonHasTheSpecifiedFields) {
  Output r =
      Ariadne({"tx", "f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  simdjson::dom::parser parser;
  auto j = Json(parser, r.out);
  EXPECT_THAT(Keys(j),
              IsSupersetOf({"txid", "block_height", "block_hash", "fee", "inputs", "outputs"}));
  EXPECT_THAT(Keys(j["inputs"].at(0)),
              IsSupersetOf({"prev_txid", "prev_vout", "address", "value"}));
  EXPECT_THAT(Keys(j["outputs"].at(0)),
              IsSupersetOf({"vout", "type", "address", "value", "spent_by"}));
  EXPECT_TRUE(j["outputs"].at(0)["spent_by"].is_null());
  EXPECT_EQ(std::string_view(j["outputs"].at(1)["spent_by"]),
            "a16f3ce4dd5deb92d98ef5cf8afeaf0775ebca408f708b2146c4fb42b41e14be");
}

TEST_F(Cli, HistoryAndStatusJson) {
  Output r = Ariadne({"history", "12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  int lines = 0;
  simdjson::dom::parser parser;
  for (size_t pos = 0, nl; (nl = r.out.find('\n', pos)) != std::string::npos; pos = nl + 1) {
    auto j = Json(parser, r.out.substr(pos, nl - pos));
    EXPECT_THAT(Keys(j), IsSupersetOf({"txid", "block_height", "received", "sent"}));
    ++lines;
  }
  EXPECT_GT(lines, 3);
  r = Ariadne({"status", "--json"});
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_EQ(int64_t(Json(parser, r.out)["tip_height"]), 4521);
}

TEST_F(Cli, ClusterMembersAndWhy) {
  // 15NUwy... is one of three addresses one wallet spent together (common input, height 496).
  const std::string addr = "15NUwyBYrZcnUgTagsm1A7M2yL2GntpuaZ";
  Output r = Ariadne({"cluster", addr, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  simdjson::dom::parser parser;
  auto j = Json(parser, r.out);
  EXPECT_THAT(Keys(j), IsSupersetOf({"cluster_id", "size", "received", "sent", "balance",
                                     "first_seen_height", "last_seen_height", "labels"}));
  ASSERT_EQ(int64_t(j["size"]), 3);
  r = Ariadne({"cluster", addr, "--members"});
  ASSERT_EQ(r.exit_code, 0);
  std::vector<std::string> members;
  for (size_t pos = 0, nl; (nl = r.out.find('\n', pos)) != std::string::npos; pos = nl + 1) {
    members.push_back(r.out.substr(pos, nl - pos));
  }
  ASSERT_EQ(members.size(), 3u);
  EXPECT_NE(std::find(members.begin(), members.end(), addr), members.end());
  const std::string other = members[0] == addr ? members[1] : members[0];
  r = Ariadne({"why", addr, other, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto links = Json(parser, r.out);
  ASSERT_GT(links.get_array().size(), 0u);
  EXPECT_THAT(Keys(links.at(0)), IsSupersetOf({"heuristic", "txid", "from", "to"}));
  EXPECT_EQ(std::string_view(links.at(0)["heuristic"]), "common_input");
  EXPECT_EQ(std::string_view(links.at(0)["from"]), addr);
  // Different clusters: NOT_FOUND, exit code 1.
  r = Ariadne({"why", addr, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("NOT_FOUND"), std::string::npos) << r.err;
}

TEST_F(Cli, TraceRendersJsonDotAndSvg) {
  Output r = Ariadne({"trace", "12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S", "--hops", "4", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  simdjson::dom::parser parser;
  auto j = Json(parser, r.out);
  EXPECT_THAT(Keys(j),
              IsSupersetOf({"nodes", "edges", "endpoints", "tainted_by_reason", "truncated"}));
  EXPECT_THAT(Keys(j["edges"].at(0)),
              IsSupersetOf({"from", "to", "txid", "value", "tainted_value", "hop"}));
  r = Ariadne({"trace", "f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16:1",
               "--direction", "backward", "--dot"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("digraph trace {", 0), 0u) << r.out;
  r = Ariadne({"trace", "12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S", "--svg"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("<svg"), std::string::npos);
  // Stop at the labelled "exchange" (the test tag on 12cb...): tracing backward from Hal's
  // coins ends there at hop 1.
  r = Ariadne({"trace", "1Q2TWHE3GMdB6BZKafqwxXtWAWgFt5Jvm3", "--direction", "backward",
               "--stop-at", "exchange", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto back = Json(parser, r.out);
  EXPECT_EQ(int64_t(back["tainted_by_reason"]["labelled"]), 1'000'000'000);
  // Bad input.
  r = Ariadne({"trace", "12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S", "--taint", "sticky"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("INVALID_ARGUMENT"), std::string::npos);
  r = Ariadne({"trace", "f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16:7"});
  EXPECT_NE(r.err.find("NOT_FOUND"), std::string::npos);
}

TEST_F(Cli, PathsAndExposure) {
  Output r = Ariadne({"paths", "12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S",
                      "1Q2TWHE3GMdB6BZKafqwxXtWAWgFt5Jvm3", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  simdjson::dom::parser parser;
  auto j = Json(parser, r.out);
  EXPECT_EQ(int64_t(j["hops"]), 1);
  EXPECT_EQ(std::string_view(j["paths"].at(0)["steps"].at(0)["txid"]),
            "f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16");
  EXPECT_EQ(int64_t(j["paths"].at(0)["steps"].at(0)["value"]), 1'000'000'000);
  r = Ariadne({"exposure", "1Q2TWHE3GMdB6BZKafqwxXtWAWgFt5Jvm3", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto e = Json(parser, r.out);
  // Hal received his 10 BTC directly from the address tagged "exchange" in this test.
  EXPECT_EQ(std::string_view(e["categories"].at(0)["category"]), "exchange");
  EXPECT_EQ(int64_t(e["categories"].at(0)["received_direct"]), 1'000'000'000);
}

TEST_F(Cli, ErrorsAreNamedAndExitNonZero) {
  Output r = Ariadne({"address", "1BitcoinEaterAddressDontSendf59kuE"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("NOT_FOUND"), std::string::npos);
  EXPECT_NE(r.err.find("1BitcoinEaterAddressDontSendf59kuE"), std::string::npos);
  r = Ariadne({"tx", "xyz"});
  EXPECT_NE(r.err.find("INVALID_ARGUMENT"), std::string::npos);
  r = Ariadne({"status", "--server", "127.0.0.1:1"}, /*with_server=*/false);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cannot reach"), std::string::npos) << r.err;
  r = Ariadne({"address"});
  EXPECT_EQ(r.exit_code, 2);  // usage
  r = Ariadne({"trace", "x", "--hopz", "3"});
  EXPECT_NE(r.err.find("unknown flag --hopz"), std::string::npos);
}

TEST_F(Cli, BatchWritesReportsAndNamesBadRows) {
  const auto case_file = *dir_ / "case.csv";
  {
    std::ofstream f(case_file);
    f << "address,note\n"
      << "12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S,reported\n"
      << "not-an-address,typo\n"
      << "\n"
      << ",no address\n"
      << "1Q2TWHE3GMdB6BZKafqwxXtWAWgFt5Jvm3,\"paid, twice\"\n"
      << "12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S,again\n";
  }
  const auto out = *dir_ / "case-report";
  Output r = Ariadne({"batch", case_file.string(), "--out", out.string(), "--hops", "3"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("line 5: no address"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("line 7: duplicate"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("line 3: not-an-address"), std::string::npos) << r.out;
  simdjson::dom::parser parser;
  auto j = Json(parser, ReadFileText(out / "report.json"));
  EXPECT_EQ(j["invalid_rows"].get_array().size(), 2u);
  auto rows = j["addresses"].get_array();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(std::string_view(rows.at(0)["status"]), "ok");
  EXPECT_EQ(std::string_view(rows.at(1)["status"]), "error");
  EXPECT_EQ(std::string_view(rows.at(2)["note"]), "paid, twice");
  EXPECT_THAT(Keys(rows.at(0)),
              IsSupersetOf({"summary", "cluster", "labels", "exposure", "trace"}));
  const std::string csv = ReadFileText(out / "report.csv");
  EXPECT_NE(csv.find("\"paid, twice\""), std::string::npos);
  EXPECT_NE(ReadFileText(out / "graph.svg").find("<svg"), std::string::npos);
}

}  // namespace
TEST_F(Cli, DbCompactPacksTheStoreAndKeepsItsContent) {
  const auto db = *dir_ / "compact-db";
  {
    auto s = IndexInto(db, {TestData("_derived/btc-mainnet-0-4521.blk")}, Network::kMainnet);
    ASSERT_TRUE(s.ok()) << s.status();
  }
  auto sst_files = [&db] {
    int n = 0;
    for (const auto& e : std::filesystem::directory_iterator(db))
      n += e.path().extension() == ".sst";
    return n;
  };
  const int files_before = sst_files();
  Output before = Ariadne({"db", "digest", "--db", db.string()}, false);
  ASSERT_EQ(before.exit_code, 0) << before.err;
  Output compact = Ariadne({"db", "compact", "--db", db.string()}, false);
  ASSERT_EQ(compact.exit_code, 0) << compact.err;
  EXPECT_THAT(compact.out, ::testing::HasSubstr("compacted in"));
  Output after = Ariadne({"db", "digest", "--db", db.string()}, false);
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(before.out, after.out);
  // One file per non-empty family at most, since each is rewritten into its last level.
  EXPECT_LE(sst_files(), files_before);
  EXPECT_EQ(Ariadne({"db", "check", "--db", db.string()}, false).exit_code, 0);
  {
    // At rest every family is ZSTD at the last level (the size figures in docs/ depend on it).
    store::StoreOptions ro;
    ro.mode = store::StoreOptions::Mode::kReadOnly;
    auto s = store::Store::Open(db, ro);
    ASSERT_TRUE(s.ok()) << s.status();
    for (int i = 0; i < store::kNumCfs; ++i) {
      const rocksdb::Options o = (*s)->db()->GetOptions((*s)->handle(static_cast<store::Cf>(i)));
      EXPECT_EQ(o.bottommost_compression, rocksdb::kZSTD) << i;
      EXPECT_EQ(o.bottommost_compression_opts.level, store::kRestingZstdLevel) << i;
    }
  }
  Output missing = Ariadne({"db", "compact", "--db", (*dir_ / "no-such-db").string()}, false);
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_THAT(missing.err, ::testing::HasSubstr("no-such-db"));
}

// `index btc` writes the cluster files servers map (`db check` verifies them); without them,
// `db cluster-files` writes them on demand.
TEST_F(Cli, IndexWritesTheClusterFilesServersMapAndDbClusterFilesWritesThemOnDemand) {
  const auto chain = Gen("files-chain", 120, 5);
  const auto db = *dir_ / "files-db";
  Output indexed = IndexChain(chain, db);
  ASSERT_EQ(indexed.exit_code, 0) << indexed.err;
  EXPECT_THAT(indexed.out, ::testing::HasSubstr("cluster files written for "));
  EXPECT_THAT(indexed.out, ::testing::HasSubstr("no cluster files"));
  Output check = Ariadne({"db", "check", "--db", db.string()}, false);
  ASSERT_EQ(check.exit_code, 0) << check.err;
  EXPECT_THAT(check.out, ::testing::HasSubstr("cluster files: "));
  // Without them: none written, and the check says there are none; then on demand.
  const auto bare = *dir_ / "files-db-bare";
  indexed = Ariadne({"index", "btc", "--blocks", (chain / "blocks").string(), "--db", bare.string(),
                     "--network", "regtest", "--no-cluster-files"},
                    false);
  ASSERT_EQ(indexed.exit_code, 0) << indexed.err;
  EXPECT_THAT(indexed.out, ::testing::Not(::testing::HasSubstr("cluster files written")));
  EXPECT_FALSE(std::filesystem::exists(bare / "clusters"));
  Output written = Ariadne({"db", "cluster-files", "--db", bare.string()}, false);
  ASSERT_EQ(written.exit_code, 0) << written.err;
  EXPECT_THAT(written.out, ::testing::HasSubstr("cluster files written for "));
  check = Ariadne({"db", "check", "--db", bare.string()}, false);
  ASSERT_EQ(check.exit_code, 0) << check.err;
  EXPECT_THAT(check.out, ::testing::HasSubstr("cluster files: "));
  // A store without a clustering has nothing to write: said, not crashed.
  const auto none = *dir_ / "files-db-none";
  ASSERT_EQ(Ariadne({"index", "btc", "--blocks", (chain / "blocks").string(), "--db", none.string(),
                     "--network", "regtest", "--no-cluster"},
                    false)
                .exit_code,
            0);
  Output refused = Ariadne({"db", "cluster-files", "--db", none.string()}, false);
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_THAT(refused.err, ::testing::HasSubstr("NOT_FOUND: the store has no clustering"));
}

// `eval clusters` on a small generated chain: common input alone is exact, the default adds
// pairs, and the ceiling (a perfect change detector) bounds both. Bad truth is named.
TEST_F(Cli, EvalClustersScoresPoliciesAndTheCeiling) {
  const auto chain = Gen("eval-chain", 300, 3);
  const auto db = *dir_ / "eval-db";
  Output indexed = IndexChain(chain, db);
  ASSERT_EQ(indexed.exit_code, 0) << indexed.err;
  simdjson::dom::parser parser;
  auto eval = [&](const std::string& policy) {
    Output r =
        Ariadne({"eval", "clusters", "--db", db.string(), "--truth", (chain / "truth").string(),
                 "--policy", policy, "--by-kind", "--ceiling", "--json"},
                false);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  };
  const std::string ci_text = eval("ci");
  auto ci = Json(parser, ci_text);
  const double ci_recall = double(ci["pair_recall"]);
  EXPECT_EQ(double(ci["pair_precision"]), 1.0);
  EXPECT_GT(ci_recall, 0.0);
  const double ceiling = double(ci["ceiling"]["pair_recall"]);
  EXPECT_EQ(double(ci["ceiling"]["pair_precision"]), 1.0);
  EXPECT_GT(ceiling, ci_recall);
  EXPECT_LE(ceiling, 1.0);
  simdjson::dom::parser parser2;
  auto d = Json(parser2, eval("default"));
  EXPECT_GE(double(d["pair_recall"]), ci_recall);
  EXPECT_LE(double(d["pair_recall"]), ceiling);
  EXPECT_GT(double(d["by_kind"]["individual"]["pair_recall"]),
            double(ci["by_kind"]["individual"]["pair_recall"]));
  EXPECT_GE(double(d["pair_precision"]), 0.95);
  // The stored clustering (the index built the default incrementally) scores as the in-memory one.
  Output stored = Ariadne(
      {"eval", "clusters", "--db", db.string(), "--truth", (chain / "truth").string(), "--json"},
      false);
  ASSERT_EQ(stored.exit_code, 0) << stored.err;
  simdjson::dom::parser parser3;
  EXPECT_EQ(double(Json(parser3, stored.out)["pair_recall"]), double(d["pair_recall"]));
  // Per wallet profile (profiles.csv): every profile with addresses is scored, with each rule's
  // link precision per profile of the payer; a truth without profiles is refused by name.
  Output profiled =
      Ariadne({"eval", "clusters", "--db", db.string(), "--truth", (chain / "truth").string(),
               "--policy", "default", "--by-profile", "--links", "--json"},
              false);
  ASSERT_EQ(profiled.exit_code, 0) << profiled.err;
  simdjson::dom::parser parser4;
  auto p = Json(parser4, profiled.out);
  EXPECT_GT(uint64_t(p["by_profile"]["legacy"]["addresses"]), 0u);
  EXPECT_GT(uint64_t(p["by_profile"]["service"]["addresses"]), 0u);
  EXPECT_GE(double(p["by_profile"]["legacy"]["pair_precision"]), 0.95);
  EXPECT_GT(p["links_by_profile"].get_object().size(), 0u);
  const auto old_truth = *dir_ / "eval-old-truth";
  std::filesystem::copy(chain / "truth", old_truth);
  std::filesystem::remove(old_truth / "profiles.csv");
  Output unprofiled = Ariadne(
      {"eval", "clusters", "--db", db.string(), "--truth", old_truth.string(), "--by-profile"},
      false);
  EXPECT_NE(unprofiled.exit_code, 0);
  EXPECT_THAT(unprofiled.err, ::testing::HasSubstr("profiles.csv"));
  // A truth folder that is not one is named.
  Output bad = Ariadne(
      {"eval", "clusters", "--db", db.string(), "--truth", (*dir_ / "no-truth").string()}, false);
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_THAT(bad.err, ::testing::HasSubstr("no-truth"));
}

TEST_F(Cli, ServeRefusesABadBlockCacheSize) {
  Output r = Ariadne({"serve", "--db", (*dir_ / "db").string(), "--listen", "127.0.0.1:0",
                      "--block-cache-mb", "1"},
                     false);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, ::testing::HasSubstr("block-cache-mb"));
}

}  // namespace ariadne::testing
