// `ariadne`: index chains, serve them over gRPC, and ask analyst questions.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "tools/commands.h"

namespace {

struct Command {
  const char* name;
  int (*run)(const std::vector<std::string>&);
  const char* usage;
};

constexpr Command kCommands[] = {
    {"decode", ariadne::cli::RunDecode,
     "decode FILE_OR_DIR... [--xor-key HEX] [--network NET] [--json]\n"
     "      decode blk files (or a blocks folder) and print each block"},
    {"index", ariadne::cli::RunIndex,
     "index btc (--blocks DIR_OR_FILE... | --rpc URL) --db DIR [--follow] [--memory-mb N] ...\n"
     "      index Bitcoin blk files, a blocks folder or a node's JSON-RPC (incremental, reorg-\n"
     "      and crash-safe; --follow keeps up with the node until SIGINT or SIGTERM)\n"
     "  index evm (--source PATH... | --rpc URL [--follow]) --db DIR [--chain mainnet|sepolia]\n"
     "      index EVM JSON-RPC dumps, portal RLP blocks, era1 archives or a node's JSON-RPC\n"
     "      (incremental, atomic; reorgs from --rpc are rewound)"},
    {"db", ariadne::cli::RunDb,
     "db digest|check --db DIR [--json]\n"
     "      logical digest of a store's content, or its consistency check"},
    {"serve", ariadne::cli::RunServe,
     "serve --db DIR [--listen HOST:PORT] [--token-file F] [--tls-cert F --tls-key F\n"
     "      [--tls-client-ca F]] [--audit-log F] [--rate-limit R[:B]] [--max-calls N]\n"
     "      [--catch-up-interval S] [--insecure] ...\n"
     "      answer queries over gRPC (default 127.0.0.1:50051); docs/operations.md"},
    {"status", ariadne::cli::RunStatus, "status [--json]\n      the served chain: tip and counts"},
    {"address", ariadne::cli::RunAddress, "address ADDR [--json]\n      totals of one address"},
    {"history", ariadne::cli::RunHistory,
     "history ADDR [--limit N] [--cursor C] [--newest-first] [--json]\n"
     "      the transactions of one address"},
    {"tx", ariadne::cli::RunTx, "tx TXID [--json]\n      one transaction, inputs resolved"},
    {"cluster", ariadne::cli::RunCluster,
     "cluster ADDR|cluster:ID [--members [--limit N]] [--json]\n"
     "      the wallet cluster of an address: size, totals, labels; or its members"},
    {"why", ariadne::cli::RunWhy,
     "why ADDR1 ADDR2 [--json]\n"
     "      the chain of evidence (heuristic, transaction) that puts two addresses in one cluster"},
    {"recluster", ariadne::cli::RunRecluster,
     "recluster --db DIR [--policy SPEC]\n"
     "      rebuild the stored clusters under another policy, without re-indexing"},
    {"eval", ariadne::cli::RunEval,
     "eval clusters|coinjoins --db DIR --truth DIR [--policy SPEC] [--by-kind] [--links]\n"
     "      [--json]\n"
     "      score clusters or CoinJoin detection against a generated chain's ground truth"},
    {"trace", ariadne::cli::RunTrace,
     "trace SEED [--direction forward|backward] [--hops N] [--taint poison|haircut|fifo]\n"
     "      [--min-value SAT] [--from-height H --to-height H] [--stop-at CATEGORY,...]\n"
     "      [--by address|cluster] [--json|--dot|--svg]\n"
     "      follow the money from an address, a txid or txid:vout"},
    {"paths", ariadne::cli::RunPaths,
     "paths FROM TO [--max-hops N] [--by address|cluster] [--json]\n"
     "      the shortest chains of transactions moving value from FROM to TO"},
    {"exposure", ariadne::cli::RunExposure,
     "exposure ADDR|cluster:ID [--hops N] [--json]\n"
     "      value received from / sent to labelled entities, direct and indirect"},
    {"batch", ariadne::cli::RunBatch,
     "batch CASE.csv --out DIR [--hops N] [--stop-at CATEGORIES]\n"
     "      trace every address of a case file: report.json, report.csv, graph.svg"},
    {"report", ariadne::cli::RunReport,
     "report CASE.json --out DIR [--hops N] [--db DIR] [--audit-log FILE]\n"
     "      the court-ready report of a workspace case: report.html and report.pdf"},
    {"tags", ariadne::cli::RunTags,
     "tags import PATH... --db DIR\n"
     "      import attributions (GraphSense TagPack YAML, CSV address,label,category,source)"},
    {"watch", ariadne::cli::RunWatch,
     "watch add ADDR|cluster:ID|TXID:VOUT --case C [--min-value SAT]\n"
     "      [--rule moves|reaches[:CATEGORY[:HOPS]]] | watch list [--case C] | watch remove ID\n"
     "      a case's watchlist on the server (serve --watch-db); docs/alerts.md"},
    {"alerts", ariadne::cli::RunAlerts,
     "alerts [--follow] [--json] [--from ID] [--case C]\n"
     "      the alerts the server's watches raised, from an id on; --follow: as they come"},
    {"audit", ariadne::cli::RunAudit,
     "audit verify FILE [--expect-head HASH] [--expect-records N] [--json]\n"
     "      check the hash chain of a server's audit trail (edited, removed, reordered records)"},
    {"gen", ariadne::cli::RunGen,
     "gen --out DIR --blocks N --seed S [--network regtest] [--xor] [...]\n"
     "      generate a synthetic chain (Bitcoin Core blocks folder) with its ground truth"},
};

void PrintUsage(FILE* out) {
  std::fprintf(out, "usage: ariadne COMMAND [ARGS...]\n\ncommands:\n");
  for (const Command& c : kCommands) std::fprintf(out, "  %s\n", c.usage);
  std::fprintf(
      out,
      "\nclient commands (status, address, history, tx, ...) take --server HOST:PORT "
      "(default 127.0.0.1:50051), --timeout SECONDS, --json, and for a protected server --token\n"
      "(or ARIADNE_TOKEN), --case-id (or ARIADNE_CASE_ID) and --tls-ca\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "help") == 0) {
    PrintUsage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  std::vector<std::string> args(argv + 2, argv + argc);
  for (const Command& c : kCommands) {
    if (std::strcmp(argv[1], c.name) == 0) return c.run(args);
  }
  std::fprintf(stderr, "ariadne: unknown command '%s'\n\n", argv[1]);
  PrintUsage(stderr);
  return 2;
}
