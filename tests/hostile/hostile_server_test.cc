// Attacks on `ariadne serve`'s setup, kept as tests (issue 20): ports it cannot set up (it used to
// crash with SIGSEGV and leave its temporary folder), the loopback rule (a string prefix let
// "127.x.nip.io" pass; port 99999 listened on 34463), a second server stealing a port in use
// (gRPC's SO_REUSEPORT), signals (SIGHUP killed it without its shutdown, SIGTERM waited for the
// engine's load), and stores it could not serve (a corrupt table left it "still loading" forever;
// a store of more tables than the descriptor limit could not be opened).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "engine/service/audit.h"
#include "engine/service/listen_address.h"
#include "engine/service/server.h"
#include "engine/store/store.h"
#include "rocksdb/sst_file_writer.h"
#include "tests/engine/service/hardening_util.h"
#include "tests/hostile/hostile_server_util.h"
#include "tests/testutil.h"

namespace ariadne::testing {
namespace {

using ::testing::HasSubstr;

// Copies a store. Returns: the copy.
std::filesystem::path CopyStore(const std::filesystem::path& from,
                                const std::filesystem::path& to) {
  std::filesystem::remove_all(to);
  std::filesystem::create_directories(to.parent_path());
  std::filesystem::copy(from, to, std::filesystem::copy_options::recursive);
  return to;
}

// Returns: the table files of column family `cf` of the store at `db`.
std::vector<std::filesystem::path> TablesOf(const std::filesystem::path& db, const char* cf) {
  store::StoreOptions so;
  so.mode = store::StoreOptions::Mode::kReadOnly;
  auto s = store::Store::Open(db, so);
  EXPECT_THAT(s, IsOk());
  std::vector<std::filesystem::path> out;
  if (!s.ok()) return out;
  std::vector<rocksdb::LiveFileMetaData> files;
  (*s)->db()->GetLiveFilesMetaData(&files);
  for (const auto& f : files) {
    if (f.column_family_name == cf) out.push_back(db / f.name.substr(1));
  }
  return out;
}

class HostileServerTest : public HostileChainTest {};

// Each bad setup ends `ariadne serve` with exit code 1 (not SIGSEGV's 139), an error naming the
// problem, and no temporary folder left behind.
TEST_F(HostileServerTest, PortsThatCannotBeSetUpAreNamedErrorsNotCrashes) {
  const std::filesystem::path pki = *dir_ / "pki";
  std::filesystem::create_directories(pki);
  ASSERT_THAT(MakeTestCertificates(pki), IsOk());
  std::ofstream(pki / "garbage.pem") << "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n"
                                     << "-----END CERTIFICATE-----\n";
  std::ofstream(pki / "garbage.key") << "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n"
                                     << "-----END PRIVATE KEY-----\n";
  const std::string db = chain_->db.string();
  const std::string missing = (*dir_ / "missing" / "serve.sock").string();
  struct Case {
    std::vector<std::string> args;
    std::string expect;
  };
  const std::vector<Case> cases = {
      {{"--listen", "unix:" + missing},
       "FAILED_PRECONDITION: cannot listen on unix:" + missing + ": the folder " +
           (*dir_ / "missing").string() + " does not exist"},
      {{"--tls-cert", (pki / "server.pem").string(), "--tls-key", (pki / "client.key").string()},
       "INVALID_ARGUMENT: TLS key " + (pki / "client.key").string() +
           " does not match the certificate " + (pki / "server.pem").string()},
      {{"--tls-cert", (pki / "garbage.pem").string(), "--tls-key", (pki / "server.key").string()},
       "INVALID_ARGUMENT: TLS certificate " + (pki / "garbage.pem").string() +
           " holds a malformed certificate"},
      {{"--tls-cert", (pki / "server.pem").string(), "--tls-key", (pki / "garbage.key").string()},
       "INVALID_ARGUMENT: TLS key " + (pki / "garbage.key").string() +
           " is not an unencrypted PEM private key"},
      {{"--tls-cert", (pki / "server.pem").string(), "--tls-key", (pki / "server.key").string(),
        "--tls-client-ca", (pki / "garbage.pem").string()},
       "INVALID_ARGUMENT: TLS client CA " + (pki / "garbage.pem").string()},
      {{"--listen", "no-such-host.invalid:0", "--insecure"},
       "INVALID_ARGUMENT: --listen no-such-host.invalid:0: cannot resolve host "
       "'no-such-host.invalid'"},
      {{"--listen", "127.0.0.1:99999"},
       "INVALID_ARGUMENT: --listen 127.0.0.1:99999: the port 99999 is out of range"},
      {{"--listen", "127.0.0.1:http"}, "the port 'http' is not a number from 0 to 65535"},
      {{"--listen", "::1:50051"}, "an IPv6 address needs brackets"},
  };
  for (const Case& c : cases) {
    const std::filesystem::path tmp = EmptyDir(*dir_ / "tmp");
    std::vector<std::string> args = {"serve", "--db", db};
    args.insert(args.end(), c.args.begin(), c.args.end());
    std::string out;
    EXPECT_EQ(RunWithTmpdir(args, tmp, &out), 1) << out;
    EXPECT_THAT(out, HasSubstr(c.expect));
    EXPECT_TRUE(std::filesystem::is_empty(tmp)) << "left behind in " << tmp << " by: " << out;
  }
}

TEST(ListenAddressTest, TheLoopbackRuleParsesAddresses) {
  for (const char* loopback :
       {"127.0.0.1:0", "127.255.255.254:1", "[::1]:0", "localhost:50051", "LOCALHOST:1",
        "[::ffff:127.0.0.1]:2", "unix:/tmp/a.sock", "unix-abstract:ariadne"}) {
    auto a = service::ParseListenAddress(loopback);
    ASSERT_THAT(a, IsOk()) << loopback;
    EXPECT_TRUE(service::IsLoopback(*a)) << loopback;
    EXPECT_THAT(service::CheckListenPolicy(loopback, false, false, false), IsOk()) << loopback;
  }
  // Names are not loopback, whatever they resolve to; neither are the wildcards.
  for (const char* beyond :
       {"127.0.0.1.nip.io:0", "127.x.nip.io:0", "localhost.example.org:1", "127:1", "0.0.0.0:0",
        "[::]:0", ":50051", "128.0.0.1:1", "[::ffff:10.0.0.1]:1"}) {
    auto a = service::ParseListenAddress(beyond);
    ASSERT_THAT(a, IsOk()) << beyond;
    EXPECT_FALSE(service::IsLoopback(*a)) << beyond;
    EXPECT_THAT(service::CheckListenPolicy(beyond, false, false, false),
                StatusIsWithMessage(absl::StatusCode::kFailedPrecondition, "beyond loopback"))
        << beyond;
  }
  const std::pair<const char*, const char*> bad[] = {
      {"127.0.0.1:99999", "the port 99999 is out of range (0 to 65535)"},
      {"127.0.0.1:65536", "the port 65536 is out of range"},
      {"127.0.0.1:-1", "the port '-1' is not a number"},
      {"127.0.0.1:", "the port '' is not a number"},
      {"127.0.0.1:123456", "the port '123456' is not a number"},
      {"127.0.0.1", "no port"},
      {"::1:80", "needs brackets"},
      {"[::1]80", "expected [IPV6]:PORT"},
      {"[::1:80", "']' is missing"},
      {"[nope]:80", "'nope' is not an IPv6 address"},
      {"unix:", "the socket path is empty"},
      {"unix://relative", "unix:// needs an absolute path"},
  };
  for (const auto& [listen, expect] : bad) {
    EXPECT_THAT(service::ParseListenAddress(listen),
                StatusIsWithMessage(absl::StatusCode::kInvalidArgument, expect))
        << listen;
    EXPECT_THAT(service::CheckListenPolicy(listen, true, true, true),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << listen;
  }
  auto v6 = service::ParseListenAddress("[::1]:50051");
  ASSERT_THAT(v6, IsOk());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 50051);
  auto sock = service::ParseListenAddress("unix:///run/ariadne.sock");
  ASSERT_THAT(sock, IsOk());
  EXPECT_EQ(sock->path, "/run/ariadne.sock");
}

// gRPC sets SO_REUSEPORT: a second server on the same port used to start and take part of the
// traffic (unaudited). Now it is refused with the address in the error, the first server keeps
// answering, and not even a SO_REUSEPORT socket of another program can join the port.
TEST_F(HostileServerTest, ASecondServerCannotTakeAPortInUse) {
  auto first = ServeProcess::Start({"--db", chain_->db.string()});
  ASSERT_THAT(first, IsOk());
  ASSERT_TRUE((*first)->WaitForOutput("serving ", 30)) << (*first)->Output();
  const std::string address = (*first)->address();
  std::string out;
  EXPECT_EQ(RunWithTmpdir({"serve", "--db", chain_->db.string(), "--listen", address},
                          EmptyDir(*dir_ / "tmp"), &out),
            1);
  EXPECT_THAT(out, HasSubstr("FAILED_PRECONDITION: cannot listen on " + address + ": " + address +
                             " is already in use (another server listens there)"));
  EXPECT_TRUE(StatusCall(address).ok());

  const int port = std::stoi(address.substr(address.rfind(':') + 1));
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  const int one = 1;
  ASSERT_EQ(::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)), 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(port));
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_NE(::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)), 0)
      << "the server's port accepts SO_REUSEPORT sharers";
  EXPECT_EQ(errno, EADDRINUSE);
  ::close(fd);

  // A unix socket: gRPC removes an existing socket file before binding, which took the path from
  // the server listening on it.
  const std::string sock = "unix:" + (*dir_ / "serve.sock").string();
  SpawnOptions so;
  auto unix_first =
      ServeProcess::Spawn({"serve", "--db", chain_->db.string(), "--listen", sock}, so);
  ASSERT_THAT(unix_first, IsOk());
  ASSERT_TRUE((*unix_first)->WaitListening(30)) << (*unix_first)->Output();
  ASSERT_TRUE((*unix_first)->WaitForOutput("serving ", 30)) << (*unix_first)->Output();
  EXPECT_EQ(RunWithTmpdir({"serve", "--db", chain_->db.string(), "--listen", sock},
                          EmptyDir(*dir_ / "tmp"), &out),
            1);
  EXPECT_THAT(out, HasSubstr("cannot listen on " + sock + ": already in use"));
  EXPECT_TRUE(StatusCall(sock).ok());
}

// SIGHUP (the terminal went away) used to kill the server outright: no final signed head in the
// audit trail, the temporary folder left. It is a clean shutdown now, like SIGTERM and SIGINT.
TEST_F(HostileServerTest, HangUpShutsDownCleanly) {
  const std::filesystem::path tmp = EmptyDir(*dir_ / "tmp");
  const std::filesystem::path audit = *dir_ / "hup-audit.log";
  SpawnOptions so;
  so.env = {{"TMPDIR", tmp.string()}};
  auto serve = ServeProcess::Spawn({"serve", "--db", chain_->db.string(), "--listen", "127.0.0.1:0",
                                    "--audit-log", audit.string()},
                                   so);
  ASSERT_THAT(serve, IsOk());
  ASSERT_TRUE((*serve)->WaitListening(30)) << (*serve)->Output();
  ASSERT_TRUE((*serve)->WaitForOutput("serving ", 30)) << (*serve)->Output();
  EXPECT_TRUE(StatusCall((*serve)->address()).ok());
  EXPECT_FALSE(std::filesystem::is_empty(tmp));
  (*serve)->Signal(SIGHUP);
  EXPECT_EQ((*serve)->WaitExit(30), 0) << (*serve)->Output();
  EXPECT_THAT((*serve)->Output(), HasSubstr("shutting down (signal 1)"));
  EXPECT_TRUE(std::filesystem::is_empty(tmp));
  const std::string heads = ReadFileText(service::HeadsPath(audit));
  EXPECT_THAT(heads, HasSubstr("\"seq\":1,"));
  EXPECT_THAT(heads.substr(heads.rfind("{\"seq\"")), HasSubstr("\"event\":\"stop\""));
  std::string out;
  EXPECT_EQ(RunAriadne({"audit", "verify", audit.string()}, &out), 0) << out;
}

// A flipped byte in a table the load reads used to leave the server retrying the load every 5 s,
// answering "the store is still loading" forever. It ends with DATA_LOSS instead. (The headers
// table: the transaction table is no longer read at start-up, the graph files are mapped.)
TEST_F(HostileServerTest, ACorruptTableEndsServeWithDataLoss) {
  const std::filesystem::path db = CopyStore(chain_->db, *dir_ / "corrupt-db");
  const auto tables = TablesOf(db, "headers");
  ASSERT_FALSE(tables.empty());
  {
    std::fstream f(tables[0], std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(100);  // inside the first data block
    const char junk[8] = {'\x55', '\x55', '\x55', '\x55', '\x55', '\x55', '\x55', '\x55'};
    f.write(junk, sizeof(junk));
  }
  const std::filesystem::path tmp = EmptyDir(*dir_ / "tmp");
  std::string out;
  EXPECT_EQ(RunWithTmpdir({"serve", "--db", db.string(), "--listen", "127.0.0.1:0"}, tmp, &out), 1)
      << out;
  EXPECT_THAT(out, HasSubstr("error: DATA_LOSS: cannot load the store: "));
  EXPECT_THAT(out, HasSubstr("Corruption"));
  EXPECT_TRUE(std::filesystem::is_empty(tmp));
}

// The graph files beside the store (DIR/graph) are what serve maps: a file shorter than
// meta/graph_files says, or with a flipped byte in its header, is DATA_LOSS naming the file, from
// serve (which then does not start) and from db check; a flipped byte in a record passes serve's
// O(1) checks but not db check's comparison with the rows.
TEST_F(HostileServerTest, ShortOrCorruptGraphFilesEndServeAndFailDbCheckNamingTheFile) {
  std::string out;
  ASSERT_EQ(RunAriadne({"db", "check", "--db", chain_->db.string()}, &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("graph files: "));
  EXPECT_THAT(out, HasSubstr("agree with the rows"));
  const std::filesystem::path tmp = EmptyDir(*dir_ / "tmp-graph");
  const auto serve_fails = [&](const std::filesystem::path& db, const std::string& why) {
    std::string log;
    EXPECT_EQ(RunWithTmpdir({"serve", "--db", db.string(), "--listen", "127.0.0.1:0"}, tmp, &log),
              1)
        << log;
    EXPECT_THAT(log, HasSubstr("error: DATA_LOSS: cannot load the store: "));
    EXPECT_THAT(log, HasSubstr(why)) << log;
    std::string check;
    EXPECT_EQ(RunAriadne({"db", "check", "--db", db.string()}, &check), 1) << check;
    EXPECT_THAT(check, HasSubstr("DATA_LOSS"));
    EXPECT_THAT(check, HasSubstr(why)) << check;
  };
  {
    const std::filesystem::path db = CopyStore(chain_->db, *dir_ / "short-graph");
    const auto file = db / "graph" / "outputs.bin";
    std::filesystem::resize_file(file, std::filesystem::file_size(file) - 16);
    serve_fails(db, "outputs.bin: holds ");
  }
  {
    const std::filesystem::path db = CopyStore(chain_->db, *dir_ / "header-graph");
    std::fstream f(db / "graph" / "tx.bin", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(13);  // the record size
    f.put('\x7f');
    f.close();
    serve_fails(db, "tx.bin: bad header checksum");
  }
  {
    const std::filesystem::path db = CopyStore(chain_->db, *dir_ / "missing-graph");
    std::filesystem::remove(db / "graph" / "names.bin");
    serve_fails(db, "names.bin: missing");
  }
  {
    const std::filesystem::path db = CopyStore(chain_->db, *dir_ / "record-graph");
    std::fstream f(db / "graph" / "outputs.bin", std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(64 + 16 * 5);  // the value of output 5
    const char was = static_cast<char>(f.get());
    f.seekp(64 + 16 * 5);
    f.put(static_cast<char>(was ^ 0x01));
    f.close();
    std::string check;
    EXPECT_EQ(RunAriadne({"db", "check", "--db", db.string()}, &check), 1) << check;
    EXPECT_THAT(check, HasSubstr("outputs.bin: record 5: value, address or type differs"));
  }
}

// Removes a folder when it goes out of scope.
class RemoveAtEnd {
 public:
  explicit RemoveAtEnd(std::filesystem::path dir) : dir_(std::move(dir)) {}
  ~RemoveAtEnd() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

 private:
  const std::filesystem::path dir_;
};

// Returns: a copy of `db` with 470 more tables (small ones in the meta family, of keys no query
// reads), in a folder on tmpfs when there is one (writing a table syncs it: 470 syncs on a disk
// take seconds).
std::filesystem::path StoreWithManyTables(const std::filesystem::path& db,
                                          const std::string& name) {
  std::error_code ec;
  std::filesystem::path base = "/dev/shm";
  if (!std::filesystem::is_directory(base, ec) || ::access(base.c_str(), W_OK) != 0) {
    base = MakeTempDir("hostile-tables");
  }
  const std::filesystem::path dir = base / (name + "-" + std::to_string(::getpid()));
  const std::filesystem::path copy = CopyStore(db, dir / "db");
  store::StoreOptions so;
  auto s = store::Store::Open(copy, so);
  EXPECT_THAT(s, IsOk());
  if (!s.ok()) return copy;
  std::vector<std::string> files;
  for (int i = 0; i < 470; ++i) {
    rocksdb::SstFileWriter w{rocksdb::EnvOptions(), rocksdb::Options()};
    const std::string path = (dir / ("extra-" + std::to_string(i) + ".sst")).string();
    char key[32];
    std::snprintf(key, sizeof(key), "~test/%05d", i);
    EXPECT_TRUE(w.Open(path).ok() && w.Put(key, "x").ok() && w.Finish().ok()) << path;
    files.push_back(path);
  }
  rocksdb::IngestExternalFileOptions io;
  io.move_files = true;
  EXPECT_TRUE((*s)->db()->IngestExternalFile((*s)->handle(store::Cf::kMeta), files, io).ok());
  return copy;
}

// Read-only and secondary views used to keep every table open: a store of 466 tables could not be
// served under `ulimit -n 256`. Views now keep a share of the limit open.
TEST_F(HostileServerTest, MoreTablesThanDescriptorsAreServed) {
  const std::filesystem::path db = StoreWithManyTables(chain_->db, "many-tables");
  const RemoveAtEnd remove(db.parent_path());
  size_t tables = 0;
  for (const auto& e : std::filesystem::directory_iterator(db)) {
    tables += e.path().extension() == ".sst" ? 1 : 0;
  }
  ASSERT_GT(tables, 466u);
  for (const char* interval : {"0", "5"}) {  // read-only, and following the indexer
    SpawnOptions so;
    so.nofile = 256;
    auto serve = ServeProcess::Spawn(
        {"serve", "--db", db.string(), "--listen", "127.0.0.1:0", "--catch-up-interval", interval},
        so);
    ASSERT_THAT(serve, IsOk());
    ASSERT_TRUE((*serve)->WaitListening(30)) << (*serve)->Output();
    ASSERT_TRUE((*serve)->WaitForOutput("serving ", 30)) << (*serve)->Output();
    EXPECT_TRUE(StatusCall((*serve)->address()).ok()) << (*serve)->Output();
    EXPECT_THAT((*serve)->Output(), ::testing::Not(HasSubstr("Too many open files")));
    EXPECT_THAT((*serve)->Output(), HasSubstr("397 txs, 720 clusters"));
  }
}

// Returns: whether a thread of process `pid` waits in open(2) for the other end of a FIFO.
bool WaitsOnAFifo(pid_t pid) {
  std::error_code ec;
  for (const auto& task :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
    std::ifstream in(task.path() / "wchan");
    std::string wchan;
    if (std::getline(in, wchan) && wchan == "wait_for_partner") return true;
  }
  return false;
}

// SIGTERM while an engine loads used to wait for the load (minutes on a large store). Here the
// load of the next engine cannot finish: after the first one, the store's CURRENT file becomes a
// FIFO nobody writes, and the view the replica opens to catch up blocks reading it.
TEST_F(HostileServerTest, TermDuringALoadExitsAtOnce) {
  const std::filesystem::path db = CopyStore(chain_->db, *dir_ / "stuck-db");
  const std::filesystem::path tmp = EmptyDir(*dir_ / "tmp");
  SpawnOptions so;
  so.env = {{"TMPDIR", tmp.string()}};
  auto serve = ServeProcess::Spawn(
      {"serve", "--db", db.string(), "--listen", "127.0.0.1:0", "--catch-up-interval", "0.1"}, so);
  ASSERT_THAT(serve, IsOk());
  ASSERT_TRUE((*serve)->WaitListening(30)) << (*serve)->Output();
  ASSERT_TRUE((*serve)->WaitForOutput("serving ", 30)) << (*serve)->Output();
  std::filesystem::rename(db / "CURRENT", db / "CURRENT.real");
  ASSERT_EQ(::mkfifo((db / "CURRENT").c_str(), 0600), 0);
  bool stuck = false;
  for (int i = 0; i < 400 && !stuck; ++i) {
    stuck = WaitsOnAFifo((*serve)->pid());
    if (!stuck) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(stuck) << "the replica did not start loading the next engine";
  (*serve)->Signal(SIGTERM);
  EXPECT_EQ((*serve)->WaitExit(20), 0) << "still waiting for the load\n" << (*serve)->Output();
  EXPECT_THAT((*serve)->Output(), HasSubstr("shutting down (signal 15)"));
  EXPECT_TRUE(std::filesystem::is_empty(tmp));
}

}  // namespace
}  // namespace ariadne::testing
