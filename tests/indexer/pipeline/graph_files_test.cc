// The graph files beside the store: what a server maps equals what it would read from the rows,
// and a run stopped after the files were written but before its commit resumes to the files of a
// clean run. (Killed processes: crash_test.cc, whose digest includes these files.)
#include "engine/graph/graph_files.h"

#include <fstream>

#include "engine/graph/address_names.h"
#include "engine/graph/graph_files_check.h"
#include "engine/graph/tx_graph.h"
#include "tests/indexer/pipeline/index_test_util.h"
#include "tests/testutil.h"

namespace ariadne::testing {
namespace {

const std::vector<std::filesystem::path> Chain() {
  return {TestData("_derived/btc-mainnet-0-4521.blk")};
}

// Fails its `n`-th commit: the graph files' observer (before it) has synced the batch's records
// by then, the rows are not committed. What a kill between the two leaves.
class FailingCommit : public store::IndexObserver {
 public:
  explicit FailingCommit(int n) : n_(n) {}
  void OnTx(const store::ResolvedTx&) override {}
  absl::Status OnCommit(store::CommitBatch*) override {
    return --n_ == 0 ? absl::UnavailableError("stopped between the files and the commit")
                     : absl::OkStatus();
  }
  absl::Status OnRewind(const store::Store&, uint32_t, const store::BlockRow&,
                        rocksdb::WriteBatch*) override {
    return absl::OkStatus();
  }

 private:
  int n_;
};

std::string FileBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(GraphFiles, MappedGraphAndNamesEqualThoseReadFromTheRows) {
  REQUIRE_TESTDATA();
  const auto dir = MakeTempDir("graph-files");
  // Small commits: the files are appended to by many of them.
  auto s = IndexInto(dir / "db", Chain(), Network::kMainnet, nullptr, 700);
  ASSERT_THAT(s, IsOk());
  auto files = graph::OpenGraphFiles(**s);
  ASSERT_THAT(files, IsOk());
  ASSERT_NE(*files, nullptr);
  const auto mapped = graph::TxGraph::Map(*files);
  auto loaded = graph::TxGraph::Load(**s);
  ASSERT_THAT(loaded, IsOk());
  const graph::TxGraph& m = *mapped;
  const graph::TxGraph& l = **loaded;
  EXPECT_TRUE(m.mapped());
  EXPECT_FALSE(l.mapped());
  ASSERT_EQ(m.tx_count(), l.tx_count());
  ASSERT_EQ(m.output_count(), l.output_count());
  uint64_t inputs = 0, spent = 0;
  for (uint64_t t = 0; t <= l.tx_count(); ++t) {
    ASSERT_EQ(m.FirstOut(TxNum(t)), l.FirstOut(TxNum(t))) << t;
    ASSERT_EQ(m.FirstIn(TxNum(t)), l.FirstIn(TxNum(t))) << t;
    if (t == l.tx_count()) break;
    ASSERT_EQ(m.TxidOf(TxNum(t)), l.TxidOf(TxNum(t))) << t;
    for (uint64_t i = l.FirstIn(TxNum(t)); i < l.FirstIn(TxNum(t + 1)); ++i, ++inputs) {
      ASSERT_EQ(m.Input(i), l.Input(i)) << i;
    }
  }
  for (uint64_t o = 0; o < l.output_count(); ++o) {
    const OutNum n(o);
    ASSERT_EQ(m.Value(n), l.Value(n)) << o;
    ASSERT_EQ(m.Addr(n), l.Addr(n)) << o;
    ASSERT_EQ(m.Type(n), l.Type(n)) << o;
    ASSERT_EQ(m.SpentBy(n), l.SpentBy(n)) << o;
    ASSERT_EQ(m.TxOf(n), l.TxOf(n)) << o;
    spent += l.SpentBy(n).valid();
  }
  EXPECT_GT(inputs, 200u) << "a chain without spends proves little";
  EXPECT_EQ(spent, inputs);
  // A copy of a mapped graph shares the mapping.
  const graph::TxGraph copy(m);
  EXPECT_TRUE(copy.mapped());
  EXPECT_EQ(copy.TxidOf(TxNum(7)), l.TxidOf(TxNum(7)));

  auto mapped_names = graph::AddressNames::Map(*files);
  ASSERT_THAT(mapped_names, IsOk());
  auto loaded_names = graph::AddressNames::Load(**s);
  ASSERT_THAT(loaded_names, IsOk());
  ASSERT_EQ((*mapped_names)->size(), (*loaded_names)->size());
  for (uint32_t a = 0; a < (*loaded_names)->size(); ++a) {
    AddressKey x, y;
    ASSERT_TRUE((*mapped_names)->Get(AddrId(a), &x));
    ASSERT_TRUE((*loaded_names)->Get(AddrId(a), &y));
    ASSERT_EQ(x, y) << a;
  }
  AddressKey none;
  EXPECT_FALSE((*mapped_names)->Get(AddrId((*loaded_names)->size()), &none));

  auto report = graph::CheckGraphFiles(**s);
  ASSERT_THAT(report, IsOk());
  EXPECT_TRUE(report->present);
  EXPECT_EQ(report->txs, l.tx_count());
  EXPECT_EQ(report->inputs, inputs);
  EXPECT_EQ(report->addresses, (*loaded_names)->size());
}

TEST(GraphFiles, ARunStoppedBetweenTheFilesAndTheCommitResumesToTheFilesOfACleanRun) {
  REQUIRE_TESTDATA();
  const auto dir = MakeTempDir("graph-files-stop");
  {
    auto clean = IndexInto(dir / "clean", Chain(), Network::kMainnet, nullptr, 700);
    ASSERT_THAT(clean, IsOk());
  }
  store::StoreOptions so;
  so.create_if_missing = true;
  so.network = Network::kMainnet;
  {
    auto s = store::Store::Open(dir / "stopped", so);
    ASSERT_THAT(s, IsOk());
    FailingCommit fail(4);
    pipeline::BtcIndexOptions o;
    o.inputs = Chain();
    o.commit_txs = 700;
    o.observers = {&fail};
    pipeline::IndexResult r;
    ASSERT_THAT(pipeline::IndexBitcoin(s->get(), o, &r),
                StatusIsWithMessage(absl::StatusCode::kUnavailable, "between the files"));
    // The files hold the stopped batch past the committed lengths, and its transactions marked
    // committed outputs spent: there is something to undo.
    auto state = (*s)->ReadState();
    ASSERT_THAT(state, IsOk());
    ASSERT_GT(state->tx_count, 0u);
    const auto graph = graph::GraphFilesDir(dir / "stopped");
    const std::string tx = FileBytes(graph::GraphArrayPath(graph, graph::GraphArray::kTx));
    EXPECT_GT(tx.size(), files::kFlatHeaderBytes + state->tx_count * sizeof(graph::TxRecord));
    const std::string spent = FileBytes(graph::GraphArrayPath(graph, graph::GraphArray::kSpentBy));
    uint64_t uncommitted_spends = 0;
    for (uint64_t o = 0; o < state->output_count; ++o) {
      uint64_t by;
      std::memcpy(&by, spent.data() + files::kFlatHeaderBytes + o * 8, 8);
      uncommitted_spends += by != graph::kUnspentRecord && by >= state->tx_count;
    }
    EXPECT_GT(uncommitted_spends, 0u) << "no spend to undo: a weak test";
  }
  {
    auto s = store::Store::Open(dir / "stopped", so);
    ASSERT_THAT(s, IsOk());
    pipeline::BtcIndexOptions o;
    o.inputs = Chain();
    o.commit_txs = 700;
    pipeline::IndexResult r;
    ASSERT_THAT(pipeline::IndexBitcoin(s->get(), o, &r), IsOk());
  }
  for (size_t i = 0; i < graph::kGraphArrays; ++i) {
    const auto a = static_cast<graph::GraphArray>(i);
    const auto stopped = FileBytes(graph::GraphArrayPath(graph::GraphFilesDir(dir / "stopped"), a));
    const auto clean = FileBytes(graph::GraphArrayPath(graph::GraphFilesDir(dir / "clean"), a));
    EXPECT_EQ(stopped.size(), clean.size()) << graph::GraphArraySpec(a).name;
    EXPECT_TRUE(stopped == clean) << graph::GraphArraySpec(a).name;
  }
  store::StoreOptions ro;
  ro.mode = store::StoreOptions::Mode::kReadOnly;
  auto s = store::Store::Open(dir / "stopped", ro);
  ASSERT_THAT(s, IsOk());
  EXPECT_THAT(graph::CheckGraphFiles(**s), IsOk());
}

// A store indexed before the graph files (no meta/graph_files, no DIR/graph) gets them from its
// rows at its next indexing run, equal to those of a store that always had them.
TEST(GraphFiles, AStoreIndexedBeforeTheFilesGetsThemFromItsRows) {
  REQUIRE_TESTDATA();
  const auto dir = MakeTempDir("graph-files-backfill");
  std::string with_files;
  {
    auto s = IndexInto(dir / "db", Chain(), Network::kMainnet, nullptr, 700);
    ASSERT_THAT(s, IsOk());
    with_files = GraphFilesDigest(**s);
    ASSERT_THAT(
        store::FromRocks((*s)->db()->Delete(rocksdb::WriteOptions(), (*s)->handle(store::Cf::kMeta),
                                            std::string(store::kMetaGraphFiles)),
                         "deleting meta/graph_files"),
        IsOk());
    EXPECT_EQ(GraphFilesDigest(**s), "no graph files");
  }
  std::filesystem::remove_all(graph::GraphFilesDir(dir / "db"));
  // Nothing new to index: the run only builds the files.
  pipeline::IndexResult r;
  auto s = IndexInto(dir / "db", Chain(), Network::kMainnet, &r, 700);
  ASSERT_THAT(s, IsOk());
  EXPECT_EQ(r.blocks_applied, 0u);
  EXPECT_EQ(GraphFilesDigest(**s), with_files);
  EXPECT_THAT(graph::CheckGraphFiles(**s), IsOk());
}

}  // namespace
}  // namespace ariadne::testing
