// Writes the ground truth files of docs/generator.md while the chain is generated: addresses.csv
// streams (one row per address at its first appearance in an output), the others are written at
// the end.
#ifndef ARIADNE_GEN_TRUTH_WRITER_H_
#define ARIADNE_GEN_TRUTH_WRITER_H_

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gen/file_sink.h"
#include "gen/truth.h"

namespace ariadne::gen {

class TruthWriter {
 public:
  // Creates dir (if needed) and addresses.csv with its header.
  // Returns: the writer, or INTERNAL / PERMISSION_DENIED naming the path.
  static absl::StatusOr<std::unique_ptr<TruthWriter>> Open(const std::filesystem::path& dir);

  // Appends an addresses.csv row. Errors are kept and returned by Finish().
  void AddAddress(std::string_view address, uint32_t entity) {
    buffer_.append(address.data(), address.size());
    buffer_.push_back(',');
    AppendNumber(entity);
    buffer_.push_back('\n');
    ++addresses_;
    if (buffer_.size() >= (256 << 10)) FlushAddresses();
  }
  uint64_t addresses() const { return addresses_; }

  // Writes entities.csv, scenarios.csv, txlabels.csv and summary.json (already formatted), and
  // closes addresses.csv. Returns: the first error met, naming the file.
  // Args: entities_csv, profiles_csv: the whole of entities.csv and profiles.csv, headers
  // included.
  absl::Status Finish(std::string_view entities_csv, std::string_view profiles_csv,
                      std::span<const ScenarioRow> scenarios, std::span<const TxLabel> labels,
                      std::string_view summary_json);

 private:
  explicit TruthWriter(std::filesystem::path dir) : dir_(std::move(dir)) {}
  void AppendNumber(uint64_t v);
  void FlushAddresses();
  absl::Status WriteFile(const std::string& name, std::string_view content);

  std::filesystem::path dir_;
  std::unique_ptr<FileSink> addresses_file_;
  std::string buffer_;
  uint64_t addresses_ = 0;
  absl::Status status_;
};

}  // namespace ariadne::gen

#endif  // ARIADNE_GEN_TRUTH_WRITER_H_
