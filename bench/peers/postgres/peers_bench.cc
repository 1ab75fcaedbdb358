// Ariadne side by side with PostgreSQL (issue 18; bench/peers/postgres/run.sh sets both up):
// the same questions about the same seed addresses, asked of `ariadne serve` through its gRPC C++
// client and of a PostgreSQL database holding the same chain (load.sql, queries.sql) through
// libpq, one persistent connection per client on each side.
//
//   peers_postgres_bench --pg "host=/tmp/pg user=postgres dbname=ariadne"
//                        --server unix:/tmp/ariadne.sock [--seeds 200] [--clients 1,8]
//
// 1. Seeds: --seeds addresses drawn deterministically from the chain (md5 order within history
//    size buckets: half with 1-2 transactions, a quarter 3-29, 15% 30-299, 10% 300 or more).
// 2. Check: every question about every seed on both systems; the canonical answers must agree
//    line for line (a disagreement prints both answers and fails the run).
// 3. Measure: for each question, each client count and each system, the seeds in a fixed order
//    shared by the clients (each takes the next), at least once each and until --duration
//    seconds have passed; p50, p99 and throughput, and the ratios PostgreSQL / Ariadne.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "bench/peers/postgres/pg_client.h"
#include "bench/peers/postgres/questions.h"

namespace ariadne::bench::peers {
namespace {

struct Options {
  std::string pg;      // libpq connection string. Required.
  std::string server;  // Ariadne's gRPC target. Required.
  // Default 0: the pid of `ariadne serve`, to report its CPU time per query.
  int server_pid = 0;
  // Default 200: seed addresses.
  uint32_t seeds = 200;
  // Default "7": mixed into the md5 order of the seed sampling.
  std::string salt = "7";
  // Default 1,8: concurrent clients of each measurement.
  std::vector<uint32_t> clients = {1, 8};
  // Default 5 s: each (question, clients, system) runs every seed once and then until this.
  double duration_s = 5;
  // Default all: the questions to ask.
  std::vector<Question> questions;
  // Default false: skip the agreement check (measure only).
  bool no_check = false;
  // Default false: check only (no measurements).
  bool check_only = false;
  // Default 20: lines of each answer printed for a disagreement.
  int show_lines = 20;
  QuestionParams params;
  std::string json;  // Default none: the report as JSON too.
};

constexpr char kUsage[] =
    "usage: peers_postgres_bench --pg CONNINFO --server TARGET [--server-pid PID]\n"
    "                            [--seeds N] [--salt S]\n"
    "                            [--clients 1,8] [--duration S] [--questions q1,q2,...]\n"
    "                            [--hops N] [--max-edges N] [--history-limit N]\n"
    "                            [--no-check | --check-only] [--show-lines N] [--json FILE]\n";

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Returns: CPU seconds (user + system) of process `pid` (from /proc/PID/stat), or -1.
double ProcessCpuSeconds(int pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::string line;
  if (pid <= 0 || !std::getline(in, line)) return -1;
  // Fields after the command name (which may hold spaces) start at the last ')'.
  const size_t close = line.rfind(')');
  if (close == std::string::npos) return -1;
  std::vector<std::string> f = absl::StrSplit(line.substr(close + 2), ' ');
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 here (0-based: 11, 12).
  double utime = 0, stime = 0;
  if (f.size() < 13 || !absl::SimpleAtod(f[11], &utime) || !absl::SimpleAtod(f[12], &stime)) {
    return -1;
  }
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// Returns: CPU seconds of this process (all threads).
double SelfCpuSeconds() {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return absl::StrCat(a, " ", b, " ", c);
}

absl::StatusOr<Options> ParseOptions(int argc, char** argv) {
  Options o;
  for (int q = 0; q < kNumQuestions; ++q) o.questions.push_back(static_cast<Question>(q));
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    auto value = [&]() -> absl::StatusOr<std::string> {
      if (i + 1 >= argc) return absl::InvalidArgumentError(absl::StrCat(flag, " needs a value"));
      return std::string(argv[++i]);
    };
    auto number = [&](auto* out) -> absl::Status {
      auto v = value();
      if (!v.ok()) return v.status();
      if (!absl::SimpleAtoi(*v, out)) {
        return absl::InvalidArgumentError(absl::StrCat("bad number for ", flag, ": ", *v));
      }
      return absl::OkStatus();
    };
    absl::Status st;
    if (flag == "--pg" || flag == "--server" || flag == "--salt" || flag == "--json") {
      auto v = value();
      if (!v.ok()) return v.status();
      (flag == "--pg"       ? o.pg
       : flag == "--server" ? o.server
       : flag == "--salt"   ? o.salt
                            : o.json) = *v;
    } else if (flag == "--server-pid") {
      st = number(&o.server_pid);
    } else if (flag == "--seeds") {
      st = number(&o.seeds);
    } else if (flag == "--duration") {
      auto v = value();
      if (!v.ok()) return v.status();
      if (!absl::SimpleAtod(*v, &o.duration_s)) {
        return absl::InvalidArgumentError("bad --duration");
      }
    } else if (flag == "--clients") {
      auto v = value();
      if (!v.ok()) return v.status();
      o.clients.clear();
      for (absl::string_view c : absl::StrSplit(*v, ',', absl::SkipEmpty())) {
        uint32_t n;
        if (!absl::SimpleAtoi(c, &n) || n == 0) return absl::InvalidArgumentError("bad --clients");
        o.clients.push_back(n);
      }
    } else if (flag == "--questions") {
      auto v = value();
      if (!v.ok()) return v.status();
      o.questions.clear();
      for (absl::string_view name : absl::StrSplit(*v, ',', absl::SkipEmpty())) {
        auto q = ParseQuestion(name);
        if (!q.ok()) return q.status();
        o.questions.push_back(*q);
      }
    } else if (flag == "--hops") {
      st = number(&o.params.hops);
    } else if (flag == "--max-edges") {
      st = number(&o.params.max_edges);
    } else if (flag == "--history-limit") {
      st = number(&o.params.history_limit);
    } else if (flag == "--show-lines") {
      st = number(&o.show_lines);
    } else if (flag == "--no-check") {
      o.no_check = true;
    } else if (flag == "--check-only") {
      o.check_only = true;
    } else {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag ", flag, "\n", kUsage));
    }
    if (!st.ok()) return st;
  }
  if (o.pg.empty() || o.server.empty()) return absl::InvalidArgumentError(kUsage);
  return o;
}

// Prepares every question's statement on a connection (the scratch tables of the graph
// questions are made on first use).
absl::Status PrepareAll(PgConnection* pg) {
  for (int q = 0; q < kNumQuestions; ++q) {
    absl::Status s = pg->Prepare(absl::StrCat("q", q), PgStatement(static_cast<Question>(q)));
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<PgConnection>> Connect(const Options& o) {
  auto pg = PgConnection::Connect(o.pg);
  if (!pg.ok()) return pg.status();
  absl::Status s = PrepareAll(pg->get());
  if (!s.ok()) return s;
  return pg;
}

// ---------------------------------------------------------------------------------------------
// Seeds

absl::StatusOr<std::vector<Subject>> SampleSubjects(PgConnection* pg, const Options& o) {
  // Shares per bucket, out of 100.
  const std::string sql = absl::StrFormat(R"sql(
WITH b AS (
  SELECT addr_id, address, tx_count,
         CASE WHEN tx_count <= 2 THEN 0 WHEN tx_count < 30 THEN 1 WHEN tx_count < 300 THEN 2
              ELSE 3 END AS bucket
  FROM address
),
r AS (
  SELECT b.*, row_number() OVER (PARTITION BY bucket ORDER BY md5(address || '%s')) AS rn FROM b
)
SELECT r.address, r.bucket, r.tx_count,
       (SELECT encode(t.txid, 'hex') FROM addr_tx h JOIN tx t USING (tx_id)
        WHERE h.addr_id = r.addr_id ORDER BY h.tx_id OFFSET r.tx_count / 2 LIMIT 1),
       -- The paths question's other end: follow the largest output of each spender from the
       -- first output the seed received, up to three transactions.
       (WITH RECURSIVE w(out_id, k) AS (
          SELECT (SELECT min(out_id) FROM output WHERE addr_id = r.addr_id), 0
          UNION ALL
          SELECT (SELECT o.out_id FROM output o
                  WHERE o.tx_id = t.tx_id
                  ORDER BY o.value DESC, o.out_id LIMIT 1), w.k + 1
          FROM w JOIN output s ON s.out_id = w.out_id JOIN tx t ON t.tx_id = s.spent_tx
          WHERE w.k < 3
        )
        SELECT a.address FROM w JOIN output o USING (out_id) JOIN address a USING (addr_id)
        WHERE w.k > 0 AND o.addr_id <> r.addr_id ORDER BY w.k DESC LIMIT 1)
FROM r
WHERE r.rn <= %u * CASE bucket WHEN 0 THEN 50 WHEN 1 THEN 25 WHEN 2 THEN 15 ELSE 10 END / 100
ORDER BY r.bucket, r.rn)sql",
                                          o.salt, o.seeds);
  auto r = pg->Exec(sql);
  if (!r.ok()) return r.status();
  std::vector<Subject> out;
  for (int i = 0; i < r->rows(); ++i) {
    Subject s;
    s.address = std::string(r->Get(i, 0));
    (void)absl::SimpleAtoi(r->Get(i, 1), &s.bucket);
    (void)absl::SimpleAtoi(r->Get(i, 2), &s.tx_count);
    s.txid = std::string(r->Get(i, 3));
    s.path_to = std::string(r->Get(i, 4));
    out.push_back(std::move(s));
  }
  if (out.empty()) return absl::FailedPreconditionError("no addresses in the database");
  // Seeds whose money never moved on pair with the next seed (paths that mostly do not exist).
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i].path_to.empty()) out[i].path_to = out[(i + 1) % out.size()].address;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Check

void PrintAnswer(const char* who, const absl::StatusOr<Answer>& a, int max_lines) {
  if (!a.ok()) {
    std::printf("    %s: error: %s\n", who, std::string(a.status().message()).c_str());
    return;
  }
  std::printf("    %s (%zu lines):\n", who, a->size());
  for (int i = 0; i < static_cast<int>(a->size()) && i < max_lines; ++i) {
    std::printf("      %s\n", (*a)[i].c_str());
  }
  if (static_cast<int>(a->size()) > max_lines) std::printf("      ...\n");
}

// Prints the lines one answer has and the other has not.
void PrintDifference(const Answer& pg, const Answer& ariadne, int max_lines) {
  Answer a = pg, b = ariadne;
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  Answer only_pg, only_ariadne;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(only_pg));
  std::set_difference(b.begin(), b.end(), a.begin(), a.end(), std::back_inserter(only_ariadne));
  std::printf("    only in PostgreSQL's (%zu), only in Ariadne's (%zu):\n", only_pg.size(),
              only_ariadne.size());
  for (int i = 0; i < static_cast<int>(only_pg.size()) && i < max_lines; ++i) {
    std::printf("      pg  %s\n", only_pg[i].c_str());
  }
  for (int i = 0; i < static_cast<int>(only_ariadne.size()) && i < max_lines; ++i) {
    std::printf("      ari %s\n", only_ariadne[i].c_str());
  }
}

struct CheckResult {
  int agreed = 0;
  int disagreed = 0;
  int truncated = 0;              // both said truncated: only the flag was compared
  std::vector<Subject> agreeing;  // the seeds whose answers agreed: the ones measured
};

CheckResult Check(Question q, const std::vector<Subject>& subjects, PgConnection* pg,
                  AriadneClient* ariadne, const Options& o) {
  CheckResult c;
  const std::string stmt = absl::StrCat("q", static_cast<int>(q));
  for (const Subject& s : subjects) {
    absl::StatusOr<Answer> pa = [&]() -> absl::StatusOr<Answer> {
      auto r = pg->ExecPrepared(stmt, PgParams(q, s, o.params));
      if (!r.ok()) return r.status();
      return PgAnswer(q, *r);
    }();
    absl::StatusOr<Answer> aa = [&]() -> absl::StatusOr<Answer> {
      Answer a;
      absl::Status st = ariadne->Ask(q, s, o.params, &a);
      if (!st.ok()) return st;
      return a;
    }();
    if (pa.ok() && aa.ok() && *pa == *aa) {
      ++c.agreed;
      c.agreeing.push_back(s);
      if (std::find(pa->begin(), pa->end(), "truncated") != pa->end()) ++c.truncated;
      continue;
    }
    ++c.disagreed;
    std::printf("  DISAGREE %s %s (%lld txs)%s%s\n", std::string(QuestionName(q)).c_str(),
                s.address.c_str(), static_cast<long long>(s.tx_count),
                q == Question::kPaths ? " -> " : "",
                q == Question::kPaths ? s.path_to.c_str() : "");
    PrintAnswer("PostgreSQL", pa, o.show_lines);
    PrintAnswer("Ariadne", aa, o.show_lines);
    if (pa.ok() && aa.ok()) PrintDifference(*pa, *aa, o.show_lines);
  }
  return c;
}

// ---------------------------------------------------------------------------------------------
// Measure

struct Cell {
  Question question;
  bool postgres = false;
  uint32_t clients = 1;
  uint64_t requests = 0;
  uint64_t errors = 0;
  double seconds = 0;
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
  double qps = 0;
  // CPU milliseconds per request: the server's (PostgreSQL's backends, or ariadne serve; -1 when
  // unknown) and this client process's.
  double server_cpu_ms = -1, client_cpu_ms = 0;
  std::string load_before, load_after;
};

double Percentile(std::vector<int64_t>* v, double p) {
  if (v->empty()) return 0;
  const size_t k = std::min(v->size() - 1, static_cast<size_t>(p * (v->size() - 1) + 0.5));
  std::nth_element(v->begin(), v->begin() + k, v->end());
  return (*v)[k] / 1e6;
}

absl::StatusOr<Cell> Measure(Question q, bool postgres, uint32_t clients,
                             const std::vector<Subject>& subjects, const Options& o) {
  Cell cell;
  cell.question = q;
  cell.postgres = postgres;
  cell.clients = clients;
  // Connections first, outside the measured time: one persistent connection per client.
  std::vector<std::unique_ptr<PgConnection>> pgs;
  std::vector<std::unique_ptr<AriadneClient>> ariadnes;
  std::vector<int> server_pids;  // whose CPU time is the server's
  if (!postgres && o.server_pid > 0) server_pids.push_back(o.server_pid);
  for (uint32_t c = 0; c < clients; ++c) {
    if (postgres) {
      auto pg = Connect(o);
      if (!pg.ok()) return pg.status();
      auto pid = (*pg)->Exec("SELECT pg_backend_pid()");
      if (pid.ok()) {
        int n = 0;
        if (absl::SimpleAtoi(pid->Get(0, 0), &n)) server_pids.push_back(n);
      }
      pgs.push_back(*std::move(pg));
    } else {
      ariadnes.push_back(std::make_unique<AriadneClient>(o.server, static_cast<int>(c)));
      if (!ariadnes.back()->WaitConnected(30)) {
        return absl::UnavailableError(absl::StrCat("cannot connect to ", o.server));
      }
      // The first call of a connection sets it up: not measured.
      (void)ariadnes.back()->Ask(Question::kPing, subjects[0], o.params, nullptr);
    }
  }
  const std::string stmt = absl::StrCat("q", static_cast<int>(q));
  std::atomic<uint64_t> next{0};
  std::atomic<uint64_t> errors{0};
  std::vector<std::vector<int64_t>> latencies(clients);
  auto server_cpu = [&] {
    double sum = 0;
    for (int pid : server_pids) {
      const double s = ProcessCpuSeconds(pid);
      if (s < 0) return -1.0;
      sum += s;
    }
    return server_pids.empty() ? -1.0 : sum;
  };
  cell.load_before = LoadAverage();
  const double server_cpu0 = server_cpu(), client_cpu0 = SelfCpuSeconds();
  const int64_t start = NowNs();
  const int64_t until = start + static_cast<int64_t>(o.duration_s * 1e9);
  std::vector<std::thread> threads;
  for (uint32_t c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      while (true) {
        const uint64_t i = next.fetch_add(1);
        if (i >= subjects.size() && NowNs() >= until) break;
        const Subject& s = subjects[i % subjects.size()];
        const int64_t t0 = NowNs();
        bool ok;
        if (postgres) {
          ok = pgs[c]->ExecPrepared(stmt, PgParams(q, s, o.params)).ok();
        } else {
          ok = ariadnes[c]->Ask(q, s, o.params, nullptr).ok();
        }
        latencies[c].push_back(NowNs() - t0);
        if (!ok) errors.fetch_add(1);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  cell.seconds = (NowNs() - start) / 1e9;
  const double server_cpu1 = server_cpu(), client_cpu1 = SelfCpuSeconds();
  cell.load_after = LoadAverage();
  std::vector<int64_t> all;
  for (const auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  cell.requests = all.size();
  cell.errors = errors.load();
  cell.qps = cell.requests / cell.seconds;
  if (server_cpu0 >= 0 && server_cpu1 >= 0) {
    cell.server_cpu_ms = (server_cpu1 - server_cpu0) * 1e3 / cell.requests;
  }
  cell.client_cpu_ms = (client_cpu1 - client_cpu0) * 1e3 / cell.requests;
  cell.max_ms = all.empty() ? 0 : *std::max_element(all.begin(), all.end()) / 1e6;
  cell.p50_ms = Percentile(&all, 0.50);
  cell.p99_ms = Percentile(&all, 0.99);
  return cell;
}

std::string Json(const Options& o, const std::vector<Subject>& subjects,
                 const std::vector<std::pair<Question, CheckResult>>& checks,
                 const std::vector<Cell>& cells) {
  std::string j = "{\n";
  absl::StrAppendFormat(&j, "  \"seeds\": %d,\n  \"buckets\": [", subjects.size());
  std::array<int, 4> buckets{};
  for (const Subject& s : subjects) buckets[s.bucket]++;
  absl::StrAppend(&j, absl::StrJoin(buckets, ", "), "],\n");
  absl::StrAppendFormat(&j, "  \"hops\": %d,\n  \"max_edges\": %d,\n  \"duration_s\": %g,\n",
                        o.params.hops, o.params.max_edges, o.duration_s);
  j += "  \"checks\": [\n";
  for (size_t i = 0; i < checks.size(); ++i) {
    absl::StrAppendFormat(&j,
                          "    {\"question\": \"%s\", \"agreed\": %d, \"disagreed\": %d, "
                          "\"truncated\": %d}%s\n",
                          QuestionName(checks[i].first), checks[i].second.agreed,
                          checks[i].second.disagreed, checks[i].second.truncated,
                          i + 1 < checks.size() ? "," : "");
  }
  j += "  ],\n  \"cells\": [\n";
  for (size_t i = 0; i < cells.size(); ++i) {
    const Cell& c = cells[i];
    absl::StrAppendFormat(&j,
                          "    {\"question\": \"%s\", \"system\": \"%s\", \"clients\": %d, "
                          "\"requests\": %d, \"errors\": %d, \"seconds\": %.3f, \"p50_ms\": %.4f, "
                          "\"p99_ms\": %.4f, \"max_ms\": %.3f, \"qps\": %.2f, "
                          "\"server_cpu_ms\": %.4f, \"client_cpu_ms\": %.4f, "
                          "\"load_before\": \"%s\", \"load_after\": \"%s\"}%s\n",
                          QuestionName(c.question), c.postgres ? "postgres" : "ariadne", c.clients,
                          c.requests, c.errors, c.seconds, c.p50_ms, c.p99_ms, c.max_ms, c.qps,
                          c.server_cpu_ms, c.client_cpu_ms, c.load_before, c.load_after,
                          i + 1 < cells.size() ? "," : "");
  }
  j += "  ]\n}\n";
  return j;
}

int Main(int argc, char** argv) {
  auto opts = ParseOptions(argc, argv);
  if (!opts.ok()) {
    std::fprintf(stderr, "%s\n", std::string(opts.status().message()).c_str());
    return 2;
  }
  const Options& o = *opts;
  auto pg = Connect(o);
  if (!pg.ok()) {
    std::fprintf(stderr, "%s\n", std::string(pg.status().message()).c_str());
    return 1;
  }
  AriadneClient ariadne(o.server, 1000);
  if (!ariadne.WaitConnected(60)) {
    std::fprintf(stderr, "cannot connect to Ariadne at %s\n", o.server.c_str());
    return 1;
  }
  const int64_t t0 = NowNs();
  auto subjects = SampleSubjects(pg->get(), o);
  if (!subjects.ok()) {
    std::fprintf(stderr, "sampling seeds: %s\n", std::string(subjects.status().message()).c_str());
    return 1;
  }
  std::array<int, 4> buckets{};
  for (const Subject& s : *subjects) buckets[s.bucket]++;
  std::printf(
      "seeds: %zu addresses (%d with 1-2 transactions, %d with 3-29, %d with 30-299, %d with "
      "300+), sampled in %.1f s\n",
      subjects->size(), buckets[0], buckets[1], buckets[2], buckets[3], (NowNs() - t0) / 1e9);

  std::vector<std::pair<Question, CheckResult>> checks;
  int disagreements = 0;
  if (!o.no_check) {
    for (Question q : o.questions) {
      const int64_t c0 = NowNs();
      CheckResult c = Check(q, *subjects, pg->get(), &ariadne, o);
      std::printf("check %-20s %3d agree, %d disagree%s (%.1f s)\n",
                  std::string(QuestionName(q)).c_str(), c.agreed, c.disagreed,
                  c.truncated > 0
                      ? absl::StrCat(", ", c.truncated, " truncated on both sides").c_str()
                      : "",
                  (NowNs() - c0) / 1e9);
      std::fflush(stdout);
      disagreements += c.disagreed;
      checks.emplace_back(q, c);
    }
  }

  std::vector<Cell> cells;
  if (!o.check_only) {
    // Ratios are PostgreSQL / Ariadne: latency and CPU per request, and throughput inverted
    // (Ariadne's q/s over PostgreSQL's), so that every ratio above 1 favours Ariadne.
    std::printf("\n%-19s %3s | %-35s | %-35s | %-27s\n", "", "", "PostgreSQL", "Ariadne",
                "ratio PostgreSQL / Ariadne");
    std::printf("%-19s %3s | %8s %8s %9s %8s | %8s %8s %9s %8s | %6s %6s %6s %6s\n", "question",
                "cl", "p50 ms", "p99 ms", "q/s", "cpu ms", "p50 ms", "p99 ms", "q/s", "cpu ms",
                "p50", "p99", "q/s", "cpu");
    for (Question q : o.questions) {
      // Only the seeds whose answers agreed: an error answers fast and would flatter its side.
      const std::vector<Subject>* measured = &*subjects;
      for (const auto& [cq, c] : checks) {
        if (cq == q && c.disagreed > 0) {
          measured = &c.agreeing;
          std::printf("%-19s (%d of %zu seeds disagreed: measured on the %zu others)\n",
                      std::string(QuestionName(q)).c_str(), c.disagreed, subjects->size(),
                      c.agreeing.size());
        }
      }
      if (measured->empty()) continue;
      for (uint32_t clients : o.clients) {
        std::array<Cell, 2> pair;
        for (int side = 0; side < 2; ++side) {
          auto cell = Measure(q, side == 0, clients, *measured, o);
          if (!cell.ok()) {
            std::fprintf(stderr, "%s\n", std::string(cell.status().message()).c_str());
            return 1;
          }
          pair[side] = *cell;
          cells.push_back(*cell);
        }
        const Cell &p = pair[0], &a = pair[1];
        std::printf(
            "%-19s %3u | %8.3f %8.3f %9.1f %8.3f | %8.3f %8.3f %9.1f %8.3f | %6.2f %6.2f %6.2f "
            "%6.2f%s\n",
            std::string(QuestionName(q)).c_str(), clients, p.p50_ms, p.p99_ms, p.qps,
            p.server_cpu_ms, a.p50_ms, a.p99_ms, a.qps, a.server_cpu_ms, p.p50_ms / a.p50_ms,
            p.p99_ms / a.p99_ms, a.qps / p.qps, p.server_cpu_ms / a.server_cpu_ms,
            p.errors + a.errors > 0
                ? absl::StrCat("  (errors: ", p.errors, " PostgreSQL, ", a.errors, " Ariadne)")
                      .c_str()
                : "");
        std::fflush(stdout);
      }
    }
  }
  if (!o.json.empty()) {
    std::ofstream out(o.json);
    out << Json(o, *subjects, checks, cells);
  }
  if (disagreements > 0) {
    std::printf("\nFAILED: %d answers disagree\n", disagreements);
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace ariadne::bench::peers

int main(int argc, char** argv) { return ariadne::bench::peers::Main(argc, argv); }
