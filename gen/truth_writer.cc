#include "gen/truth_writer.h"

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace ariadne::gen {
namespace {

absl::Status FileError(std::string_view what, const std::filesystem::path& path, int err) {
  const std::string msg = absl::StrCat("cannot ", absl::string_view(what.data(), what.size()), " ",
                                       path.string(), ": ", std::strerror(err));
  return err == EACCES || err == EPERM ? absl::PermissionDeniedError(msg)
                                       : absl::InternalError(msg);
}

}  // namespace

absl::StatusOr<std::unique_ptr<TruthWriter>> TruthWriter::Open(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return FileError("create", dir, ec.value());
  std::unique_ptr<TruthWriter> w(new TruthWriter(dir));
  absl::StatusOr<std::unique_ptr<FileSink>> sink = FileSink::Create(dir / "addresses.csv");
  if (!sink.ok()) return sink.status();
  w->addresses_file_ = std::move(*sink);
  w->buffer_.reserve(512 << 10);
  w->buffer_ = "address,entity_id\n";
  return w;
}

void TruthWriter::AppendNumber(uint64_t v) {
  char digits[20];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0) buffer_.push_back(digits[--n]);
}

void TruthWriter::FlushAddresses() {
  if (addresses_file_ == nullptr || buffer_.empty()) return;
  addresses_file_->Append(buffer_.data(), buffer_.size());
  buffer_.clear();
}

absl::Status TruthWriter::WriteFile(const std::string& name, std::string_view content) {
  const std::filesystem::path path = dir_ / name;
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return FileError("create", path, errno);
  const bool ok = std::fwrite(content.data(), 1, content.size(), f) == content.size();
  const int err = errno;
  if (std::fclose(f) != 0 || !ok) return FileError("write", path, ok ? errno : err);
  return absl::OkStatus();
}

absl::Status TruthWriter::Finish(std::string_view entities_csv, std::string_view profiles_csv,
                                 std::span<const ScenarioRow> scenarios,
                                 std::span<const TxLabel> labels, std::string_view summary_json) {
  FlushAddresses();
  if (addresses_file_ != nullptr) {
    if (absl::Status s = addresses_file_->Close(); !s.ok()) return s;
    addresses_file_.reset();
  }

  if (absl::Status s = WriteFile("entities.csv", entities_csv); !s.ok()) return s;
  if (absl::Status s = WriteFile("profiles.csv", profiles_csv); !s.ok()) return s;

  std::string out = "scenario_id,kind,role,ref,value\n";
  for (const ScenarioRow& r : scenarios) {
    absl::StrAppend(&out, r.scenario_id, ",", r.kind, ",", r.role, ",", r.ref, ",", r.value, "\n");
  }
  if (absl::Status s = WriteFile("scenarios.csv", out); !s.ok()) return s;

  out = "txid,label\n";
  for (const TxLabel& l : labels) absl::StrAppend(&out, l.txid.ToHex(), ",", l.label, "\n");
  if (absl::Status s = WriteFile("txlabels.csv", out); !s.ok()) return s;

  return WriteFile("summary.json", summary_json);
}

}  // namespace ariadne::gen
