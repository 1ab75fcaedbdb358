// The Bitcoin JSON-RPC source. Without a node: URLs, cookie files and a node that does not answer
// give clear errors naming the method and the URL. Against a real node (bcoin from npm, regtest,
// started here): the store indexed over RPC equals an index of the node's blocks read from a blk
// file, heights and hashes match the node's, a reorg made on the node (invalidateblock, then a
// longer branch) is rewound, and `ariadne index btc --rpc --rpc-cookie` catches up.
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "absl/strings/str_split.h"
#include "engine/store/digest.h"
#include "indexer/btc/rpc_client.h"
#include "indexer/pipeline/follow.h"
#include "indexer/pipeline/rpc_block_source.h"
#include "tests/indexer/pipeline/fork_builder.h"
#include "tests/indexer/pipeline/index_test_util.h"
#include "tests/testutil.h"

extern char** environ;

namespace ariadne::testing {
namespace {

// Returns: a TCP port nothing listens on now.
int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  socklen_t len = sizeof(a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

btc::RpcOptions Quick(std::string url) {
  btc::RpcOptions o;
  o.url = std::move(url);
  o.attempts = 2;
  o.first_backoff = std::chrono::milliseconds(1);
  o.timeout = std::chrono::seconds(30);
  return o;
}

TEST(BitcoinRpc, BadUrlsAreInvalidArgumentNamingTheUrl) {
  for (const char* url : {"127.0.0.1:8332", "https://node:8332/", "http://node/", "http://:8332",
                          "http://node:0/", "http://node:99999/", "http://u:p@node:8332/"}) {
    EXPECT_THAT(btc::BitcoinRpc::Create(Quick(url)),
                StatusIsWithMessage(absl::StatusCode::kInvalidArgument, url));
  }
  EXPECT_THAT(btc::BitcoinRpc::Create(Quick("http://127.0.0.1:8332")), IsOk());
  EXPECT_THAT(btc::BitcoinRpc::Create(Quick("http://[::1]:8332/wallet/x")), IsOk());
}

TEST(BitcoinRpc, ANodeThatDoesNotAnswerIsUnavailableNamingMethodUrlAndAttempts) {
  const std::string url = absl::StrCat("http://127.0.0.1:", FreePort(), "/");
  auto rpc = btc::BitcoinRpc::Create(Quick(url));
  ASSERT_THAT(rpc, IsOk());
  auto best = (*rpc)->GetBestBlockHash();
  EXPECT_THAT(best, StatusIsWithMessage(absl::StatusCode::kUnavailable,
                                        absl::StrCat("bitcoin RPC getbestblockhash at ", url)));
  EXPECT_THAT(best, StatusIsWithMessage(absl::StatusCode::kUnavailable, "after 2 attempts"));
  EXPECT_EQ((*rpc)->retries(), 1u);
}

TEST(BitcoinRpc, CookieFiles) {
  const auto dir = MakeTempDir("rpc-cookie");
  std::ofstream(dir / ".cookie") << "__cookie__:abc123\n";
  std::ofstream(dir / "bad") << "no colon here\n";
  auto c = btc::ReadRpcCookie(dir / ".cookie");
  ASSERT_THAT(c, IsOk());
  EXPECT_EQ(c->first, "__cookie__");
  EXPECT_EQ(c->second, "abc123");
  EXPECT_THAT(btc::ReadRpcCookie(dir / "missing"),
              StatusIsWithMessage(absl::StatusCode::kNotFound, "missing"));
  EXPECT_THAT(btc::ReadRpcCookie(dir / "bad"), StatusIs(absl::StatusCode::kInvalidArgument));
}

// bcoin in regtest, as a child process; it exits when the test closes its stdin.
class RegtestNode {
 public:
  RegtestNode() {
    port_ = FreePort();
    int in[2], out[2];
    if (::pipe(in) != 0 || ::pipe(out) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_addclose(&actions, in[1]);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    const std::string node = ARIADNE_NODE_BIN, launcher = ARIADNE_BCOIN_LAUNCHER,
                      modules = ARIADNE_BCOIN_MODULES, port = std::to_string(port_);
    std::vector<char*> argv = {
        const_cast<char*>(node.c_str()),    const_cast<char*>(launcher.c_str()),
        const_cast<char*>(modules.c_str()), const_cast<char*>(port.c_str()),
        const_cast<char*>("secret"),        nullptr};
    if (posix_spawn(&pid_, node.c_str(), &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
    ::close(in[0]);
    ::close(out[1]);
    stdin_ = in[1];
    FILE* f = ::fdopen(out[0], "r");
    char buf[512];
    if (pid_ > 0 && f != nullptr && std::fgets(buf, sizeof(buf), f) != nullptr) {
      std::vector<std::string> words = absl::StrSplit(absl::StripAsciiWhitespace(buf), ' ');
      if (words.size() == 4 && words[0] == "ready") {
        address_a_ = words[2];
        address_b_ = words[3];
      }
    }
    if (f != nullptr) std::fclose(f);
  }
  ~RegtestNode() {
    if (stdin_ >= 0) ::close(stdin_);
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  bool ready() const { return !address_a_.empty(); }
  std::string url() const { return absl::StrCat("http://127.0.0.1:", port_, "/"); }
  btc::RpcOptions options() const {
    btc::RpcOptions o = Quick(url());
    o.user = "ariadne";
    o.password = "secret";
    return o;
  }
  const std::string& a() const { return address_a_; }
  const std::string& b() const { return address_b_; }

 private:
  int port_ = 0;
  pid_t pid_ = -1;
  int stdin_ = -1;
  std::string address_a_, address_b_;
};

#define REQUIRE_NODE()                                                                   \
  if (std::string(ARIADNE_NODE_BIN).empty() ||                                           \
      !std::filesystem::exists(ARIADNE_BCOIN_MODULES "/bcoin")) {                        \
    GTEST_SKIP() << "node and npm were not found when building: bcoin is not installed"; \
  }

// Index whatever the node's best chain holds now into `s`.
absl::StatusOr<pipeline::FollowResult> CatchUp(store::Store* s, pipeline::RpcBlockSource* source) {
  pipeline::FollowOptions fo;
  fo.until_caught_up = true;
  fo.index = [s](const std::vector<std::filesystem::path>& inputs, pipeline::IndexResult* r) {
    pipeline::BtcIndexOptions o;
    o.inputs = inputs;
    return pipeline::IndexBitcoin(s, o, r);
  };
  pipeline::FollowResult fr;
  absl::Status status = pipeline::Follow(source, fo, &fr);
  if (!status.ok()) return status;
  return fr;
}

// The node's best chain, fetched by the test itself, as one blk file indexed fresh.
absl::StatusOr<std::unique_ptr<store::Store>> IndexNodeChainFresh(btc::BitcoinRpc* rpc,
                                                                  const std::filesystem::path& dir,
                                                                  int32_t tip) {
  std::vector<RawBlock> blocks;
  for (int32_t h = 0; h <= tip; ++h) {
    auto hash = rpc->GetBlockHash(h);
    if (!hash.ok()) return hash.status();
    auto block = rpc->GetBlock(*hash);
    if (!block.ok()) return block.status();
    blocks.push_back(*std::move(block));
  }
  std::filesystem::create_directories(dir);
  absl::Status w = WriteBlkFile(dir / "chain.dat", blocks, Network::kRegtest);
  if (!w.ok()) return w;
  return IndexInto(dir / "db", {dir / "chain.dat"}, Network::kRegtest);
}

void ExpectSameChainAsNode(const store::Store& s, btc::BitcoinRpc* rpc, int32_t tip) {
  auto state = s.ReadState();
  ASSERT_THAT(state, IsOk());
  ASSERT_EQ(state->tip_height, tip);
  EXPECT_EQ(state->tx_count, static_cast<uint64_t>(tip) + 1);  // a coinbase per block
  for (int32_t h = 0; h <= tip; ++h) {
    auto row = s.ReadBlock(static_cast<uint32_t>(h));
    auto hash = rpc->GetBlockHash(h);
    ASSERT_THAT(row, IsOk());
    ASSERT_THAT(hash, IsOk());
    EXPECT_EQ(row->hash(), *hash) << "height " << h;
  }
}

void ExpectSameRows(const store::Store& a, const store::Store& b) {
  auto da = store::ComputeDigest(a), db = store::ComputeDigest(b);
  ASSERT_THAT(da, IsOk());
  ASSERT_THAT(db, IsOk());
  for (int i = 0; i < store::kNumCfs; ++i) {
    const store::Cf cf = static_cast<store::Cf>(i);
    if (cf == store::Cf::kBlockIndex) continue;  // where blocks sit in the files, stale blocks
    EXPECT_EQ(da->families[i].digest, db->families[i].digest) << store::CfName(cf);
  }
}

TEST(BitcoinRpcNode, IndexesTheNodesChainAndRewindsItsReorg) {
  REQUIRE_NODE();
  RegtestNode node;
  ASSERT_TRUE(node.ready()) << "bcoin did not start";
  auto rpc = btc::BitcoinRpc::Create(node.options());
  ASSERT_THAT(rpc, IsOk());
  ASSERT_THAT((*rpc)->Call("generatetoaddress", absl::StrCat("[30,\"", node.a(), "\"]")), IsOk());

  const auto dir = MakeTempDir("rpc-node");
  store::StoreOptions so;
  so.create_if_missing = true;
  so.network = Network::kRegtest;
  auto s = store::Store::Open(dir / "db", so);
  ASSERT_THAT(s, IsOk());
  pipeline::RpcSourceOptions ro;
  ro.rpc = node.options();
  ro.folder = dir / "db" / "rpc-blocks";
  ro.max_bytes_per_poll = 2000;  // a few blocks per round: several rounds and commits
  auto source = pipeline::RpcBlockSource::Create(s->get(), ro);
  ASSERT_THAT(source, IsOk());
  auto caught = CatchUp(s->get(), source->get());
  ASSERT_THAT(caught, IsOk());
  EXPECT_GT(caught->rounds, 2u);
  EXPECT_EQ(caught->tip_height, 30);
  ExpectSameChainAsNode(**s, rpc->get(), 30);
  {
    auto fresh = IndexNodeChainFresh(rpc->get(), dir / "fresh-1", 30);
    ASSERT_THAT(fresh, IsOk());
    ExpectSameRows(**s, **fresh);
  }

  // A reorg on the node: blocks 28..30 invalidated, a longer branch mined to the other address.
  auto h28 = (*rpc)->GetBlockHash(28);
  ASSERT_THAT(h28, IsOk());
  ASSERT_THAT((*rpc)->Call("invalidateblock", absl::StrCat("[\"", h28->ToHex(), "\"]")), IsOk());
  ASSERT_THAT((*rpc)->Call("generatetoaddress", absl::StrCat("[5,\"", node.b(), "\"]")), IsOk());
  caught = CatchUp(s->get(), source->get());
  ASSERT_THAT(caught, IsOk());
  EXPECT_EQ(caught->blocks_rewound, 3u);
  EXPECT_EQ(caught->tip_height, 32);
  ExpectSameChainAsNode(**s, rpc->get(), 32);
  auto fresh = IndexNodeChainFresh(rpc->get(), dir / "fresh-2", 32);
  ASSERT_THAT(fresh, IsOk());
  ExpectSameRows(**s, **fresh);
  // Nothing new: a poll fetches nothing.
  const uint64_t fetched = (*source)->counters().blocks_fetched;
  caught = CatchUp(s->get(), source->get());
  ASSERT_THAT(caught, IsOk());
  EXPECT_EQ(caught->rounds, 0u);
  EXPECT_EQ((*source)->counters().blocks_fetched, fetched);
}

TEST(BitcoinRpcNode, TheCommandCatchesUpWithACookieAndNodeErrorsAreClear) {
  REQUIRE_NODE();
  RegtestNode node;
  ASSERT_TRUE(node.ready()) << "bcoin did not start";
  auto rpc = btc::BitcoinRpc::Create(node.options());
  ASSERT_THAT(rpc, IsOk());
  ASSERT_THAT((*rpc)->Call("generatetoaddress", absl::StrCat("[7,\"", node.a(), "\"]")), IsOk());

  // Errors of the node name the method and the URL.
  EXPECT_THAT((*rpc)->Call("nosuchmethod", "[]"),
              StatusIsWithMessage(absl::StatusCode::kUnimplemented, "nosuchmethod"));
  EXPECT_THAT((*rpc)->GetBlockHash(1000),
              StatusIsWithMessage(absl::StatusCode::kOutOfRange, node.url()));
  BlockHash unknown;
  unknown.data()[0] = 1;
  EXPECT_THAT((*rpc)->GetBlock(unknown),
              StatusIsWithMessage(absl::StatusCode::kNotFound, "getblock"));
  btc::RpcOptions wrong = node.options();
  wrong.password = "wrong";
  auto denied = btc::BitcoinRpc::Create(wrong);
  ASSERT_THAT(denied, IsOk());
  EXPECT_THAT((*denied)->GetBestBlockHash(),
              StatusIsWithMessage(absl::StatusCode::kUnauthenticated, "--rpc-cookie"));

  // A store of another network is refused before anything is fetched.
  const auto dir = MakeTempDir("rpc-cli");
  {
    store::StoreOptions so;
    so.create_if_missing = true;
    so.network = Network::kMainnet;
    auto s = store::Store::Open(dir / "mainnet-db", so);
    ASSERT_THAT(s, IsOk());
    pipeline::RpcSourceOptions ro;
    ro.rpc = node.options();
    ro.folder = dir / "mainnet-db" / "rpc-blocks";
    auto source = pipeline::RpcBlockSource::Create(s->get(), ro);
    ASSERT_THAT(source, IsOk());
    EXPECT_THAT(CatchUp(s->get(), source->get()),
                StatusIsWithMessage(absl::StatusCode::kFailedPrecondition, "genesis block"));
  }

  // The command, with the credentials in a cookie file.
  std::ofstream(dir / ".cookie") << "ariadne:secret\n";
  const std::string bin = AriadneBinary().string();
  const std::string out = (dir / "out.txt").string();
  const std::string cmd = absl::StrCat(bin, " index btc --rpc ", node.url(), " --rpc-cookie ",
                                       (dir / ".cookie").string(), " --db ", (dir / "db").string(),
                                       " --network regtest --memory-mb 256 > ", out, " 2>&1");
  EXPECT_EQ(std::system(cmd.c_str()), 0) << ReadFileText(out);
  EXPECT_NE(ReadFileText(out).find("caught up with the node at height 7"), std::string::npos)
      << ReadFileText(out);
}

}  // namespace
}  // namespace ariadne::testing
