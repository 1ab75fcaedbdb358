// Writes blocks the way Bitcoin Core stores them: blocks/blk00000.dat, blk00001.dat, ... each a
// sequence of records (4-byte network magic, 4-byte little-endian size, the block), a new file
// started when the next record would reach the maximum file size (Core's MAX_BLOCKFILE_SIZE,
// 128 MiB), optionally XOR-obfuscated by file offset with the 8-byte key of blocks/xor.dat (Core
// 28+).
#ifndef ARIADNE_GEN_BLK_WRITER_H_
#define ARIADNE_GEN_BLK_WRITER_H_

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>

#include "absl/status/status.h"
#include "engine/core/types.h"
#include "gen/file_sink.h"

namespace ariadne::gen {

class BlkWriter {
 public:
  // Args: dir: the blocks folder (must exist); magic: the network's message start; xor_key: all
  //       zeros for plain files; max_file_size: roll size in bytes (Core: 0x8000000).
  BlkWriter(std::filesystem::path dir, std::array<uint8_t, 4> magic, std::array<uint8_t, 8> xor_key,
            uint64_t max_file_size);
  ~BlkWriter();
  BlkWriter(const BlkWriter&) = delete;
  BlkWriter& operator=(const BlkWriter&) = delete;

  // Appends one block record whose bytes are the concatenation of `parts`.
  // Returns: OK, or PERMISSION_DENIED / INTERNAL naming the file when it cannot be created or
  //          written.
  absl::Status WriteBlock(std::span<const ByteSpan> parts);
  // Flushes and closes the current file. Returns: OK or INTERNAL naming the file.
  absl::Status Close();

  // Returns: the number of blk files started so far.
  uint32_t files() const { return file_number_ + (file_ != nullptr ? 1 : 0); }
  // Returns: bytes of records written (magic and size headers included).
  uint64_t bytes() const { return bytes_; }

 private:
  absl::Status OpenNext();

  std::filesystem::path dir_;
  std::array<uint8_t, 4> magic_;
  std::array<uint8_t, 8> key_;
  bool obfuscate_;
  uint64_t max_file_size_;
  std::unique_ptr<FileSink> file_;
  uint32_t file_number_ = 0;  // number of the next file to open
  uint64_t bytes_ = 0;
};

}  // namespace ariadne::gen

#endif  // ARIADNE_GEN_BLK_WRITER_H_
