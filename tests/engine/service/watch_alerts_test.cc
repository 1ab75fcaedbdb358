// Watchlists end to end, through the `ariadne` binary: watches added, listed and removed by the
// client commands under the server's tokens; a chain extended by `ariadne index` runs while the
// server runs, and while it is down; alerts raised once per (watch, block) for a moves and a
// reaches rule, the same as a reference evaluation over the final chain; nothing lost or repeated
// across a restart; each alert audited once and delivered once to a webhook receiver that fails
// its first requests; bad input refused with a clear error.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "engine/service/engine.h"
#include "engine/store/store.h"
#include "tests/engine/service/hardening_util.h"
#include "tests/indexer/pipeline/fork_builder.h"
#include "tests/testutil.h"

namespace ariadne::testing {
namespace {

// A tiny HTTP receiver: answers 500 to its first `fail_first` requests, 200 after; keeps the
// bodies it accepted.
class Receiver {
 public:
  explicit Receiver(int fail_first) : fail_first_(fail_first) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a));
    socklen_t len = sizeof(a);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    ::listen(fd_, 16);
    thread_ = std::thread([this] { Run(); });
  }
  ~Receiver() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  int port() const { return port_; }
  std::vector<std::string> accepted() {
    absl::MutexLock lock(&mu_);
    return accepted_;
  }
  int requests() {
    absl::MutexLock lock(&mu_);
    return requests_;
  }

 private:
  void Run() {
    while (!stop_) {
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      std::string in;
      char buf[4096];
      size_t need = std::string::npos;
      while (need == std::string::npos || in.size() < need) {
        const ssize_t n = ::recv(c, buf, sizeof(buf), 0);
        if (n <= 0) break;
        in.append(buf, static_cast<size_t>(n));
        const size_t end = in.find("\r\n\r\n");
        if (end != std::string::npos && need == std::string::npos) {
          std::smatch m;
          const std::string head = in.substr(0, end);
          if (std::regex_search(head, m, std::regex("Content-Length: (\\d+)"))) {
            need = end + 4 + std::stoul(m[1]);
          } else {
            need = end + 4;
          }
        }
      }
      bool fail;
      {
        absl::MutexLock lock(&mu_);
        fail = requests_++ < fail_first_;
        if (!fail) accepted_.push_back(in.substr(in.find("\r\n\r\n") + 4));
      }
      const std::string answer = fail ? "HTTP/1.1 500 Internal Server Error\r\nContent-Length: "
                                        "4\r\nConnection: close\r\n\r\nbusy"
                                      : "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: "
                                        "close\r\n\r\n";
      ::send(c, answer.data(), answer.size(), MSG_NOSIGNAL);
      ::close(c);
    }
  }
  int fd_ = -1;
  int port_ = 0;
  const int fail_first_;
  std::atomic<bool> stop_{false};
  absl::Mutex mu_;
  int requests_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<std::string> accepted_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

// What `alerts --json` printed, one alert per line, the fields the test looks at.
struct SeenAlert {
  uint64_t id = 0;
  uint64_t watch = 0;
  int height = 0;
  std::string state;
  int attempts = 0;
  std::string line;
};

std::vector<SeenAlert> ParseAlerts(const std::string& out) {
  std::vector<SeenAlert> v;
  std::istringstream in(out);
  std::string line;
  std::smatch m;
  while (std::getline(in, line)) {
    if (line.rfind("{\"id\":", 0) != 0) continue;
    SeenAlert a;
    a.line = line;
    if (std::regex_search(line, m, std::regex("^\\{\"id\":\"(\\d+)\""))) a.id = std::stoull(m[1]);
    if (std::regex_search(line, m, std::regex("\"watch_id\":\"(\\d+)\""))) {
      a.watch = std::stoull(m[1]);
    }
    if (std::regex_search(line, m, std::regex("\"block_height\":(\\d+),\"block_hash\""))) {
      a.height = std::stoi(m[1]);
    }
    if (std::regex_search(line, m, std::regex("\"state\":\"(\\w+)\""))) a.state = m[1];
    if (std::regex_search(line, m, std::regex("\"attempts\":(\\d+)"))) a.attempts = std::stoi(m[1]);
    v.push_back(a);
  }
  return v;
}

class HistoryHeights : public query::HistorySink {
 public:
  bool Entry(const query::HistoryEntry& e) override {
    heights.insert(e.block_height);
    return true;
  }
  std::set<int> heights;
};

class WatchAlertsTest : public ::testing::Test {
 protected:
  std::vector<std::string> Client(std::vector<std::string> args, const std::string& token) {
    args.push_back("--server");
    args.push_back(serve_->address());
    if (!token.empty()) {
      args.push_back("--token");
      args.push_back(token);
    }
    return args;
  }
  int Cli(std::vector<std::string> args, std::string* out, const std::string& token = kAliceToken) {
    return RunAriadne(Client(std::move(args), token), out);
  }
  void StartServe() {
    auto s = ServeProcess::Start(
        {"--db", db_.string(), "--watch-db", (dir_ / "watch").string(), "--token-file",
         tokens_.string(), "--audit-log", (dir_ / "audit.log").string(), "--catch-up-interval",
         "0.2", "--alert-webhook", absl::StrCat("http://127.0.0.1:", receiver_->port(), "/hook"),
         "--alert-webhook-backoff-ms", "50", "--http", "127.0.0.1:0"});
    ASSERT_THAT(s, IsOk());
    serve_ = *std::move(s);
    ASSERT_TRUE(serve_->WaitForOutput("serving ", 120)) << serve_->Output();
  }
  // Waits until `watches` watches are evaluated up to `height`.
  void WaitEvaluated(int height, size_t watches = 2) {
    const std::string want = absl::StrCat("\"evaluated_height\":", height, ",");
    std::string out;
    for (int i = 0; i < 600; ++i) {
      out.clear();
      ASSERT_EQ(Cli({"watch", "list", "--json", "--case", "CASE-17"}, &out), 0) << out;
      size_t n = 0;
      for (size_t p = out.find(want); p != std::string::npos; p = out.find(want, p + 1)) ++n;
      if (n == watches) return;
      absl::SleepFor(absl::Milliseconds(100));
    }
    FAIL() << "the watches were not evaluated to " << height << ": " << out << "\n"
           << serve_->Output();
  }
  std::vector<SeenAlert> Alerts(const std::string& from = "0") {
    std::string out;
    EXPECT_EQ(Cli({"alerts", "--json", "--from", from}, &out), 0) << out;
    return ParseAlerts(out);
  }

  std::filesystem::path dir_, db_, tokens_;
  std::unique_ptr<Receiver> receiver_;
  std::unique_ptr<ServeProcess> serve_;
};

TEST_F(WatchAlertsTest, RaisesEachAlertOnceAcrossIndexRunsAndRestartsAndDeliversIt) {
  dir_ = MakeTempDir("watch_alerts");
  auto chain = MakeTestChain(dir_, 120, 20, /*index=*/false);
  ASSERT_THAT(chain, IsOk());
  db_ = chain->db;
  std::string out;
  // The reference: the final chain, indexed on its own.
  const std::filesystem::path full = dir_ / "full";
  ASSERT_EQ(RunAriadne({"index", "btc", "--blocks", chain->blk.string(), "--db", full.string(),
                        "--network", "regtest"},
                       &out),
            0)
      << out;
  std::string a_addr, b_addr, unknown, txid;
  int tx_height = -1;
  std::set<int> expected_moves;
  {
    store::StoreOptions so;
    so.mode = store::StoreOptions::Mode::kReadOnly;
    auto st = store::Store::Open(full, so);
    ASSERT_THAT(st, IsOk());
    auto engine = service::Engine::Load(*std::move(st));
    ASSERT_THAT(engine, IsOk());
    const query::ChainBackend& b = (*engine)->backend();
    auto seen_before = [&](const std::string& addr, int height) {
      auto s = b.Address(addr);
      return s.ok() && s->first_seen_height < height;
    };
    // A transaction in blocks 61..89 moving value from A (known by block 59) to B (too).
    for (int h = 61; h < 90 && tx_height < 0; ++h) {
      auto block = (*engine)->store().ReadBlock(h);
      ASSERT_THAT(block, IsOk());
      for (uint64_t n = block->first_txnum + 1; n < block->first_txnum + block->tx_count; ++n) {
        auto id = (*engine)->store().ReadTxid(TxNum(n));
        ASSERT_THAT(id, IsOk());
        auto tx = b.Tx(id->ToHex());
        ASSERT_THAT(tx, IsOk());
        if (tx->inputs.empty() || !seen_before(tx->inputs[0].address, 60)) continue;
        std::set<std::string> ins;
        for (const auto& in : tx->inputs) ins.insert(in.address);
        for (const auto& o : tx->outputs) {
          if (o.address.empty() || ins.contains(o.address) || !seen_before(o.address, 60)) {
            continue;
          }
          a_addr = tx->inputs[0].address;
          b_addr = o.address;
          txid = tx->txid;
          tx_height = h;
          break;
        }
        if (tx_height >= 0) break;
      }
    }
    ASSERT_GE(tx_height, 0) << "no transaction of the right shape in blocks 61..89";
    HistoryHeights hist;
    query::HistoryRequest req;
    req.address = a_addr;
    req.limit = 10000;
    ASSERT_THAT(b.History(
                    req, query::RequestLimits(), [] { return false; }, &hist),
                IsOk());
    for (int h : hist.heights) {
      if (h >= 60) expected_moves.insert(h);
    }
    for (const std::string& addr : chain->addresses) {
      auto s = b.Address(addr);
      if (s.ok() && s->first_seen_height >= 60) {
        unknown = addr;
        break;
      }
    }
    ASSERT_FALSE(unknown.empty());
  }
  ASSERT_TRUE(expected_moves.contains(tx_height));

  // Blocks 0..59 indexed, B labelled "seized", the server started.
  const std::filesystem::path part60 = dir_ / "part60.blk", part90 = dir_ / "part90.blk";
  ASSERT_THAT(CopyBlkPrefix(chain->blk, part60, 60), IsOk());
  ASSERT_THAT(CopyBlkPrefix(chain->blk, part90, 90), IsOk());
  ASSERT_EQ(RunAriadne({"index", "btc", "--blocks", part60.string(), "--db", db_.string(),
                        "--network", "regtest"},
                       &out),
            0)
      << out;
  {
    std::ofstream tags(dir_ / "tags.csv");
    tags << "address,label,category,source\n" << b_addr << ",Seized Wallet,seized,test\n";
  }
  ASSERT_EQ(
      RunAriadne({"tags", "import", (dir_ / "tags.csv").string(), "--db", db_.string()}, &out), 0)
      << out;
  tokens_ = WriteTokenFile(dir_);
  receiver_ = std::make_unique<Receiver>(/*fail_first=*/2);
  StartServe();

  // CRUD and roles.
  out.clear();
  EXPECT_EQ(Cli({"watch", "add", a_addr, "--case", "CASE-17"}, &out, ""), 1) << out;
  EXPECT_THAT(out, ::testing::HasSubstr("UNAUTHENTICATED"));
  out.clear();
  ASSERT_EQ(Cli({"watch", "add", a_addr, "--case", "CASE-17"}, &out), 0) << out;
  EXPECT_THAT(out, ::testing::HasSubstr("added watch 1 "));
  out.clear();
  ASSERT_EQ(Cli({"watch", "add", a_addr, "--case", "CASE-17", "--rule", "reaches:seized:2"}, &out,
                kBobToken),
            0)
      << out;
  EXPECT_THAT(out, ::testing::HasSubstr("added watch 2 "));
  EXPECT_THAT(out, ::testing::HasSubstr("reaches:seized:2"));
  out.clear();
  ASSERT_EQ(Cli({"watch", "add", "cluster:0", "--case", "CASE-OTHER"}, &out, kRootToken), 0) << out;
  out.clear();
  ASSERT_EQ(Cli({"watch", "remove", "3"}, &out), 0) << out;
  EXPECT_THAT(out, ::testing::HasSubstr("removed watch 3 "));
  out.clear();
  ASSERT_EQ(Cli({"watch", "list"}, &out, kRootToken), 0) << out;
  EXPECT_THAT(out, ::testing::HasSubstr("watch 1 "));
  EXPECT_THAT(out, ::testing::HasSubstr("watch 2 "));
  EXPECT_THAT(out, ::testing::Not(::testing::HasSubstr("watch 3 ")));
  out.clear();
  ASSERT_EQ(Cli({"watch", "list", "--case", "CASE-NONE"}, &out), 0) << out;
  EXPECT_THAT(out, ::testing::HasSubstr("no watches"));
  // Bad input: each a clear error.
  out.clear();
  EXPECT_EQ(Cli({"watch", "add", unknown, "--case", "CASE-17"}, &out), 1);
  EXPECT_THAT(out,
              ::testing::AllOf(::testing::HasSubstr("NOT_FOUND"), ::testing::HasSubstr(unknown)));
  out.clear();
  EXPECT_EQ(Cli({"watch", "add", a_addr, "--case", "CASE-17", "--rule", "reaches:seized:99"}, &out),
            1);
  EXPECT_THAT(out, ::testing::AllOf(::testing::HasSubstr("INVALID_ARGUMENT"),
                                    ::testing::HasSubstr("reaches:seized:99")));
  out.clear();
  EXPECT_EQ(Cli({"watch", "add", "not/an address", "--case", "CASE-17"}, &out), 1);
  EXPECT_THAT(out, ::testing::HasSubstr("INVALID_ARGUMENT"));
  out.clear();
  EXPECT_EQ(Cli({"watch", "add", a_addr}, &out), 1);
  EXPECT_THAT(out, ::testing::HasSubstr("--case"));
  out.clear();
  EXPECT_EQ(Cli({"watch", "remove", "99"}, &out), 1);
  EXPECT_THAT(out, ::testing::AllOf(::testing::HasSubstr("NOT_FOUND"), ::testing::HasSubstr("99")));
  out.clear();
  EXPECT_EQ(Cli({"watch", "remove", "x"}, &out), 1);
  EXPECT_THAT(out, ::testing::HasSubstr("expected a watch id"));

  // A follower of the stream, then blocks 60..89 indexed while the server runs.
  auto follower =
      ServeProcess::Spawn(Client({"alerts", "--follow", "--json"}, kAliceToken), SpawnOptions());
  ASSERT_THAT(follower, IsOk());
  ASSERT_EQ(RunAriadne({"index", "btc", "--blocks", part90.string(), "--db", db_.string(),
                        "--network", "regtest"},
                       &out),
            0)
      << out;
  WaitEvaluated(89);
  std::vector<SeenAlert> alerts = Alerts();
  std::set<int> moves, reaches;
  bool reached_b = false;
  for (const SeenAlert& a : alerts) {
    if (a.watch == 1) EXPECT_TRUE(moves.insert(a.height).second) << "twice: " << a.line;
    if (a.watch == 2) {
      EXPECT_TRUE(reaches.insert(a.height).second) << "twice: " << a.line;
      if (a.height == tx_height &&
          a.line.find("\"endpoint\":\"" + b_addr + "\"") != std::string::npos &&
          a.line.find("\"from\":\"" + a_addr + "\"") != std::string::npos &&
          a.line.find(txid) != std::string::npos) {
        reached_b = true;
      }
    }
  }
  std::set<int> expected89;
  for (int h : expected_moves) {
    if (h < 90) expected89.insert(h);
  }
  EXPECT_EQ(moves, expected89);
  EXPECT_TRUE(reached_b) << "no reaches alert at " << tx_height << " ending at " << b_addr;
  const std::string first_line = absl::StrCat("\"watch_id\":\"1\",\"case_id\":\"CASE-17\"");
  ASSERT_TRUE((*follower)->WaitForOutput(first_line, 30)) << (*follower)->Output();
  (*follower)->Stop();

  // The server stops; blocks 90..119 are indexed meanwhile; the restarted server evaluates them.
  const uint64_t before_restart = alerts.empty() ? 0 : alerts.back().id;
  serve_->Stop();
  ASSERT_EQ(RunAriadne({"index", "btc", "--blocks", chain->blk.string(), "--db", db_.string(),
                        "--network", "regtest"},
                       &out),
            0)
      << out;
  StartServe();
  WaitEvaluated(119);
  alerts = Alerts();
  moves.clear();
  std::set<std::pair<uint64_t, int>> keys;
  std::set<uint64_t> ids;
  for (const SeenAlert& a : alerts) {
    EXPECT_TRUE(keys.insert({a.watch, a.height}).second) << "twice: " << a.line;
    EXPECT_TRUE(ids.insert(a.id).second);
    if (a.watch == 1) moves.insert(a.height);
  }
  EXPECT_EQ(moves, expected_moves);
  ASSERT_GE(alerts.size(), 2u);
  std::printf("subject %s moved at %zu heights after 59; %zu alerts; reaches at %d to %s\n",
              a_addr.c_str(), expected_moves.size(), alerts.size(), tx_height, b_addr.c_str());
  // The same alerts over the JSON API.
  {
    std::smatch m;
    const std::string log = serve_->Output();
    ASSERT_TRUE(std::regex_search(log, m, std::regex("http on http://127.0.0.1:(\\d+)/"))) << log;
    const std::string cmd =
        absl::StrCat("curl -s -H 'Authorization: Bearer ", kAliceToken,
                     "' 'http://127.0.0.1:", m[1].str(), "/api/v1/alerts?case=CASE-17&limit=1000'");
    FILE* p = ::popen(cmd.c_str(), "r");
    ASSERT_NE(p, nullptr);
    std::string body;
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof(buf), p)) > 0;) body.append(buf, n);
    ::pclose(p);
    ASSERT_EQ(body.rfind("[{\"id\":\"1\"", 0), 0u) << body;
    size_t n = 0;
    for (size_t at = body.find("{\"id\":"); at != std::string::npos;
         at = body.find("{\"id\":", at + 1)) {
      ++n;
    }
    EXPECT_EQ(n, alerts.size()) << body;
  }
  // --from: only the later ones.
  for (const SeenAlert& a : Alerts(absl::StrCat(before_restart))) EXPECT_GT(a.id, before_restart);

  // Every alert delivered once (after the receiver's two failures), and audited once.
  for (int i = 0; i < 300; ++i) {
    alerts = Alerts();
    bool all = true;
    for (const SeenAlert& a : alerts) all = all && a.state == "delivered";
    if (all) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  int retried = 0;
  for (const SeenAlert& a : alerts) {
    EXPECT_EQ(a.state, "delivered") << a.line;
    if (a.attempts > 1) ++retried;
  }
  EXPECT_GE(retried, 1);
  std::map<uint64_t, int> delivered;
  for (const std::string& body : receiver_->accepted()) {
    std::smatch m;
    ASSERT_TRUE(std::regex_search(body, m, std::regex("^\\{\"id\":\"(\\d+)\""))) << body;
    ++delivered[std::stoull(m[1])];
  }
  EXPECT_EQ(delivered.size(), alerts.size());
  for (const auto& [id, n] : delivered) EXPECT_EQ(n, 1) << "alert " << id;
  EXPECT_EQ(receiver_->requests(), static_cast<int>(alerts.size()) + 2);
  serve_->Stop();
  std::ifstream audit(dir_ / "audit.log");
  std::string record;
  size_t audited = 0;
  bool case_recorded = false;
  while (std::getline(audit, record)) {
    if (record.find("\"/ariadne.v1.Watchlist/Alert\"") != std::string::npos) ++audited;
    if (record.find("/ariadne.v1.Watchlist/AddWatch") != std::string::npos &&
        record.find("\"case\":\"CASE-17\"") != std::string::npos) {
      case_recorded = true;
    }
  }
  EXPECT_EQ(audited, alerts.size());
  EXPECT_TRUE(case_recorded);
  EXPECT_EQ(RunAriadne({"audit", "verify", (dir_ / "audit.log").string()}, &out), 0) << out;
}

// A reorg: the watch goes back to the fork and evaluates the new branch, whose blocks (other
// hashes) raise their own alerts; the old branch's alerts stay, and nothing is raised twice.
TEST_F(WatchAlertsTest, ReevaluatesTheNewBranchOfAReorgWithoutRepeatingAlerts) {
  dir_ = MakeTempDir("watch_reorg");
  auto chain = MakeTestChain(dir_, 40, 20, /*index=*/false);
  ASSERT_THAT(chain, IsOk());
  db_ = chain->db;
  auto blocks = ReadChain({chain->blk}, Network::kRegtest);
  ASSERT_THAT(blocks, IsOk());
  ForkOptions fo;
  fo.depth = 3;
  fo.drop_every = 1000;  // the branch keeps the replaced blocks' transactions
  auto fork = CraftFork(*blocks, fo);
  ASSERT_THAT(fork, IsOk());
  const std::filesystem::path fork_blk = dir_ / "fork.blk", part37 = dir_ / "part37.blk";
  ASSERT_THAT(WriteBlkFile(fork_blk, *fork, Network::kRegtest), IsOk());
  ASSERT_THAT(CopyBlkPrefix(chain->blk, part37, 37), IsOk());
  std::string out;
  const std::filesystem::path full = dir_ / "full";
  ASSERT_EQ(RunAriadne({"index", "btc", "--blocks", chain->blk.string(), "--db", full.string(),
                        "--network", "regtest"},
                       &out),
            0)
      << out;
  // A subject known by block 36 that moves in blocks 37..39.
  std::string subject, moved_txid;
  {
    store::StoreOptions so;
    so.mode = store::StoreOptions::Mode::kReadOnly;
    auto st = store::Store::Open(full, so);
    ASSERT_THAT(st, IsOk());
    auto engine = service::Engine::Load(*std::move(st));
    ASSERT_THAT(engine, IsOk());
    const query::ChainBackend& b = (*engine)->backend();
    for (int h = 37; h < 40 && subject.empty(); ++h) {
      auto block = (*engine)->store().ReadBlock(h);
      ASSERT_THAT(block, IsOk());
      for (uint64_t n = block->first_txnum + 1; n < block->first_txnum + block->tx_count; ++n) {
        auto tx = b.Tx((*engine)->store().ReadTxid(TxNum(n))->ToHex());
        ASSERT_THAT(tx, IsOk());
        if (tx->inputs.empty() || tx->inputs[0].address.empty()) continue;
        auto a = b.Address(tx->inputs[0].address);
        if (a.ok() && a->first_seen_height < 37) {
          subject = tx->inputs[0].address;
          moved_txid = tx->txid;
          break;
        }
      }
    }
  }
  ASSERT_FALSE(subject.empty());
  ASSERT_EQ(RunAriadne({"index", "btc", "--blocks", part37.string(), "--db", db_.string(),
                        "--network", "regtest"},
                       &out),
            0)
      << out;
  tokens_ = WriteTokenFile(dir_);
  receiver_ = std::make_unique<Receiver>(0);
  StartServe();
  out.clear();
  ASSERT_EQ(Cli({"watch", "add", subject, "--case", "CASE-17"}, &out), 0) << out;
  ASSERT_EQ(RunAriadne({"index", "btc", "--blocks", chain->blk.string(), "--db", db_.string(),
                        "--network", "regtest"},
                       &out),
            0)
      << out;
  WaitEvaluated(39, 1);
  const std::vector<SeenAlert> before = Alerts();
  ASSERT_FALSE(before.empty());
  // The heavier branch: blocks 37..40 replace 37..39.
  ASSERT_EQ(RunAriadne({"index", "btc", "--blocks", fork_blk.string(), "--db", db_.string(),
                        "--network", "regtest"},
                       &out),
            0)
      << out;
  WaitEvaluated(40, 1);
  const std::vector<SeenAlert> after = Alerts();
  std::set<std::string> keys;
  std::map<uint64_t, std::string> lines;
  for (const SeenAlert& a : after) {
    std::smatch m;
    ASSERT_TRUE(std::regex_search(a.line, m, std::regex("\"block_hash\":\"(\\w+)\"")));
    EXPECT_TRUE(keys.insert(absl::StrCat(a.height, "/", m[1].str())).second) << "twice: " << a.line;
    lines[a.id] = a.line;
  }
  // The old branch's alerts are kept as they were.
  for (const SeenAlert& a : before) EXPECT_EQ(lines[a.id], a.line);
  // The moved transaction, re-mined on the new branch, raised a new alert naming the block that
  // holds it now.
  out.clear();
  ASSERT_EQ(Cli({"tx", moved_txid, "--json"}, &out), 0) << out;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(out, m, std::regex("\"block_hash\": ?\"(\\w+)\""))) << out;
  const std::string new_hash = m[1];
  bool found = false;
  for (const SeenAlert& a : after) {
    if (a.id > before.back().id && a.line.find(new_hash) != std::string::npos &&
        a.line.find(moved_txid) != std::string::npos) {
      found = true;
    }
  }
  EXPECT_TRUE(found) << "no alert for " << moved_txid << " in block " << new_hash;
  for (const SeenAlert& a : before) {
    EXPECT_EQ(a.line.find(new_hash), std::string::npos) << "the old branch had that block?";
  }
}

TEST(WatchAlertsNoStoreTest, WithoutWatchDbTheMethodsSaySo) {
  const std::filesystem::path dir = MakeTempDir("watch_nostore");
  auto chain = MakeTestChain(dir, 20, 5);
  ASSERT_THAT(chain, IsOk());
  auto serve = ServeProcess::Start({"--db", chain->db.string()});
  ASSERT_THAT(serve, IsOk());
  std::string out;
  EXPECT_EQ(RunAriadne({"watch", "list", "--server", (*serve)->address()}, &out), 1);
  EXPECT_THAT(out, ::testing::HasSubstr("--watch-db"));
  out.clear();
  EXPECT_EQ(RunAriadne({"serve", "--db", chain->db.string(), "--alert-webhook", "http://x/"}, &out),
            1);
  EXPECT_THAT(out, ::testing::HasSubstr("need --watch-db"));
  out.clear();
  EXPECT_EQ(
      RunAriadne({"serve", "--db", chain->db.string(), "--watch-db", chain->db.string()}, &out), 1);
  EXPECT_THAT(out, ::testing::HasSubstr("not the indexer's store"));
}

}  // namespace
}  // namespace ariadne::testing
