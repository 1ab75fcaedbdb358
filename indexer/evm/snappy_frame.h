// Snappy's framing format (framing_format.txt in the snappy sources), as era1 archives use it:
// a stream identifier chunk, then compressed (0x00) and uncompressed (0x01) data chunks of at most
// 65,536 bytes each, every one carrying the masked CRC-32C of its uncompressed bytes; padding
// (0xfe) and reserved skippable chunks (0x80-0xfd) are skipped, reserved unskippable chunks
// (0x02-0x7f) are an error. Chunk payloads are decompressed with snappy's raw decoder.
#ifndef ARIADNE_INDEXER_EVM_SNAPPY_FRAME_H_
#define ARIADNE_INDEXER_EVM_SNAPPY_FRAME_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "engine/core/types.h"

namespace ariadne::evm {

// Returns: CRC-32C (Castagnoli) of data, continuing from crc (0 to start).
uint32_t Crc32c(ByteSpan data, uint32_t crc = 0);
// Returns: the framing format's masked checksum: rotate right by 15, plus 0xa282ead8.
uint32_t MaskCrc32c(uint32_t crc);

// Decompresses a whole framed stream.
// Args: framed: the stream; max_output: cap on the decompressed size (the stream is rejected past
//       it, before the allocation); context: names the source in errors; offset: file offset of
//       framed[0].
// Out: *out (cleared first).
// Returns: OK, or DATA_LOSS naming the chunk offset: missing stream identifier, truncated chunk,
//          bad compressed data, checksum mismatch, reserved unskippable chunk; RESOURCE_EXHAUSTED
//          past max_output.
absl::Status SnappyFrameDecompress(ByteSpan framed, uint64_t max_output, std::string_view context,
                                   uint64_t offset, std::vector<uint8_t>* out);

}  // namespace ariadne::evm

#endif  // ARIADNE_INDEXER_EVM_SNAPPY_FRAME_H_
