// libFuzzer target: the JSON-RPC dump reader (blocks with full transactions, receipts, parity and
// geth traces; documents recognised by content, joined across files) on arbitrary text: each input
// as a one-response file and as a one-response-per-line file. It must index or fail with a status.
#include <cstddef>
#include <cstdint>

#include "indexer/evm/json_rpc.h"
#include "tests/fuzz/fuzz_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ariadne;
  for (const char* name : {"input.json", "input.jsonl"}) {
    const std::filesystem::path files[] = {fuzz::WriteInput(name, data, size)};
    evm::JsonDumpOptions options;
    (void)evm::ReadJsonRpcFiles(files, options, [](const evm::EvmBlock& block) {
      (void)block.txs.size();
      return absl::OkStatus();
    });
  }
  return 0;
}
