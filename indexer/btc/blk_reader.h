// Reading Bitcoin Core's block files (blocks/blk?????.dat).
//
// Record format: 4-byte network magic, 4-byte little-endian size, then the serialised block. Core
// pre-allocates files, so a file may end in zero padding. Since Core 28 the files may be
// XOR-obfuscated with the 8-byte key in blocks/xor.dat, applied by file offset (byte i of the file
// is XORed with key[i % 8]).
#ifndef ARIADNE_INDEXER_BTC_BLK_READER_H_
#define ARIADNE_INDEXER_BTC_BLK_READER_H_

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/core/network.h"
#include "engine/core/types.h"

namespace ariadne::btc {

using XorKey = std::array<uint8_t, 8>;

// Bitcoin Core's MAX_BLOCK_SERIALIZED_SIZE: no record may claim more.
inline constexpr uint32_t kMaxBlockSerializedSize = 4'000'000;

struct BlkRecord {
  uint64_t offset = 0;  // file offset of the block's first byte (after magic and size)
  ByteSpan block;       // the block's bytes, valid while the BlkFile lives
};

// One blk file read into memory and de-obfuscated.
class BlkFile {
 public:
  // Reads `path` from `start_offset` to its end and removes the XOR obfuscation.
  // Args: network: the expected network; when unset it is taken from the first record's magic.
  // Returns: the file, or NOT_FOUND / PERMISSION_DENIED / DATA_LOSS naming the path.
  static absl::StatusOr<std::unique_ptr<BlkFile>> Load(const std::filesystem::path& path,
                                                       const XorKey& xor_key,
                                                       std::optional<Network> network,
                                                       uint64_t start_offset = 0);
  // Wraps bytes already in memory (not obfuscated), e.g. for fuzzing. `name` is used in errors.
  static std::unique_ptr<BlkFile> FromBytes(std::string name, std::vector<uint8_t> bytes,
                                            std::optional<Network> network);

  // Returns: true with the next record in *record; false at the end of the data (end of file, zero
  // padding up to the end of the file, or a truncated last record, which adds a warning); DATA_LOSS
  // naming the file and the offset for a wrong magic, a record size below 80 bytes or above
  // 4,000,000, or zero bytes followed by something else than a record (AfterZeroRun). Zero bytes
  // followed by a record are skipped with a warning.
  absl::StatusOr<bool> Next(BlkRecord* record);

  const std::string& name() const { return name_; }
  // Returns: the network detected or given (unset until the first record is read).
  std::optional<Network> network() const { return network_; }
  // Returns: the file offset up to which records were consumed (start of the next record).
  uint64_t consumed_offset() const { return start_offset_ + pos_; }
  // Returns: the file offset where the bytes in memory end.
  uint64_t end_offset() const { return start_offset_ + bytes_.size(); }
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  BlkFile() = default;
  absl::Status Error(uint64_t pos, std::string_view what) const;

  std::string name_;
  std::vector<uint8_t> bytes_;
  uint64_t start_offset_ = 0;
  size_t pos_ = 0;
  bool done_ = false;
  std::optional<Network> network_;
  std::vector<std::string> warnings_;
};

// Zero bytes where a record should start. Bitcoin Core pre-allocates blk files in chunks of zeros
// and truncates a file to its records when it moves on, so zeros that run to the end of a file
// are padding: the data ends there, and continues there when Core appends. Zeros with a record
// after them are a hole (a copy or file-system repair gone wrong): the bytes are skipped with a
// warning naming how many, as Core's -reindex skips them, and the scan goes on. Anything else
// after zeros is DATA_LOSS.
// Args: file: the name used in messages; pos: where the zeros start; zeros_end: the offset of the
//       first non-zero byte after pos (file_end when there is none); next: the bytes from
//       zeros_end (up to 4); network: the file's network when known.
// Out: warnings: one line when bytes are skipped.
// Returns: the offset of the record after the zeros; nullopt when the zeros are padding; DATA_LOSS
//          naming the file and zeros_end when no record of the network follows them.
absl::StatusOr<std::optional<uint64_t>> AfterZeroRun(std::string_view file, uint64_t pos,
                                                     uint64_t zeros_end, uint64_t file_end,
                                                     ByteSpan next, std::optional<Network> network,
                                                     std::vector<std::string>* warnings);
// Returns: the offset of the first byte in [pos, end) of the file open as `fd` that is not zero
//          once de-obfuscated with `key`; `end` when there is none; DATA_LOSS naming `path` when
//          it cannot be read.
absl::StatusOr<uint64_t> FindNonZero(int fd, const std::string& path, const XorKey& key,
                                     uint64_t pos, uint64_t end);

// Returns: the blk?????.dat files of a blocks folder in file-number order (NOT_FOUND if none).
absl::StatusOr<std::vector<std::filesystem::path>> ListBlkFiles(const std::filesystem::path& dir);
// Returns: the key in dir/xor.dat; all zeros when the file is absent; DATA_LOSS when it is not 8
// bytes long.
absl::StatusOr<XorKey> ReadXorKey(const std::filesystem::path& dir);
// Applies (or removes: XOR is its own inverse) the obfuscation to bytes at `file_offset`.
void ApplyXor(const XorKey& key, uint64_t file_offset, uint8_t* data, size_t size);
// Returns: true when the key is all zeros (files are not obfuscated).
bool IsNullXorKey(const XorKey& key);
// Returns: the key parsed from 16 hex digits; INVALID_ARGUMENT otherwise.
absl::StatusOr<XorKey> ParseXorKey(std::string_view hex);

}  // namespace ariadne::btc

#endif  // ARIADNE_INDEXER_BTC_BLK_READER_H_
