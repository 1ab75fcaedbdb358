// libFuzzer target: era1 archives (e2store entries, snappy frames, RLP headers, bodies and
// receipts, the accumulator) on arbitrary bytes. It must read or fail with a status naming the
// entry; nothing may crash or allocate from an untrusted count.
#include <cstddef>
#include <cstdint>

#include "indexer/evm/era1.h"
#include "tests/fuzz/fuzz_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ariadne;
  const std::filesystem::path path = fuzz::WriteInput("input.era1", data, size);
  evm::Era1Options options;
  (void)evm::ReadEra1File(path, options, [](const evm::EvmBlock& block) {
    (void)block.transfers.size();
    return absl::OkStatus();
  });
  return 0;
}
