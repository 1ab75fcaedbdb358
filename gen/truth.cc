#include "gen/truth.h"

#include <simdjson.h>

#include <cstring>
#include <fstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "engine/core/strings.h"

namespace ariadne::gen {
namespace {

namespace fs = std::filesystem;

uint64_t HashString(std::string_view s) {
  uint64_t h = 0x243f6a8885a308d3ULL ^ s.size();
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t v;
    std::memcpy(&v, s.data() + i, 8);
    h = (h ^ v) * 0x9e3779b97f4a7c15ULL;
    h ^= h >> 29;
  }
  uint64_t tail = 0;
  std::memcpy(&tail, s.data() + i, s.size() - i);
  h = (h ^ tail) * 0xbf58476d1ce4e5b9ULL;
  return h ^ (h >> 31);
}

fs::path TruthDir(const fs::path& dir) {
  if (fs::exists(dir / "truth" / "entities.csv")) return dir / "truth";
  return dir;
}

absl::StatusOr<std::string> ReadWhole(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path.string()));
  std::string data;
  in.seekg(0, std::ios::end);
  data.resize(static_cast<size_t>(in.tellg()));
  in.seekg(0);
  in.read(data.data(), static_cast<std::streamsize>(data.size()));
  if (!in) return absl::DataLossError(absl::StrCat("cannot read all of ", path.string()));
  return data;
}

absl::Status RowError(const fs::path& file, uint64_t line, std::string_view what) {
  return absl::DataLossError(
      absl::StrCat(file.filename().string(), ":", line, ": ", AV(what), " (", file.string(), ")"));
}

// Splits `line` at commas into exactly `n` fields. Returns: false on another field count.
bool Split(std::string_view line, size_t n, std::string_view* fields) {
  size_t count = 0;
  size_t start = 0;
  while (true) {
    const size_t comma = line.find(',', start);
    if (count == n) return false;
    fields[count++] = line.substr(start, comma == std::string_view::npos ? comma : comma - start);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return count == n;
}

// Calls fn(line, line_number) for every line after the header of `data`; checks the header.
template <typename Fn>
absl::Status ForEachLine(const fs::path& file, std::string_view data, std::string_view header,
                         Fn&& fn) {
  size_t pos = 0;
  uint64_t number = 0;
  while (pos < data.size()) {
    size_t end = data.find('\n', pos);
    if (end == std::string_view::npos) end = data.size();
    std::string_view line = data.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    ++number;
    if (number == 1) {
      if (line != header) {
        return RowError(file, 1,
                        absl::StrCat("header is '", AV(line), "', expected '", AV(header), "'"));
      }
    } else if (!line.empty()) {
      if (absl::Status s = fn(line, number, pos); !s.ok()) return s;
    }
    pos = end + 1;
  }
  if (number == 0) return RowError(file, 1, "empty file (no header)");
  return absl::OkStatus();
}

template <typename T>
bool ParseNumber(std::string_view s, T* out) {
  return absl::SimpleAtoi(AV(s), out);
}

absl::Status ParseAddressRow(const fs::path& file, std::string_view line, uint64_t number,
                             std::string_view* address, uint32_t* entity) {
  std::string_view f[2];
  if (!Split(line, 2, f)) return RowError(file, number, "expected 2 fields: address,entity_id");
  if (f[0].empty()) return RowError(file, number, "empty address");
  if (!ParseNumber(f[1], entity)) {
    return RowError(file, number, absl::StrCat("entity_id '", AV(f[1]), "' is not a number"));
  }
  *address = f[0];
  return absl::OkStatus();
}

absl::Status LoadEntities(const fs::path& file, std::vector<TruthEntity>* out) {
  absl::StatusOr<std::string> data = ReadWhole(file);
  if (!data.ok()) return data.status();
  return ForEachLine(
      file, *data, "entity_id,kind,name",
      [&](std::string_view line, uint64_t number, size_t) -> absl::Status {
        std::string_view f[3];
        if (!Split(line, 3, f)) {
          return RowError(file, number, "expected 3 fields: entity_id,kind,name");
        }
        TruthEntity e;
        if (!ParseNumber(f[0], &e.id)) {
          return RowError(file, number, absl::StrCat("entity_id '", AV(f[0]), "' is not a number"));
        }
        if (e.id != out->size()) {
          return RowError(
              file, number,
              absl::StrCat("entity_id ", e.id, " out of order, expected ", out->size()));
        }
        absl::StatusOr<EntityKind> kind = ParseEntityKind(f[1]);
        if (!kind.ok()) return RowError(file, number, SV(kind.status().message()));
        e.kind = *kind;
        e.name = std::string(f[2]);
        out->push_back(std::move(e));
        return absl::OkStatus();
      });
}

// Sets each entity's profile from profiles.csv (entity_id,profile; every entity, in order).
absl::Status LoadProfiles(const fs::path& file, std::vector<TruthEntity>* entities) {
  absl::StatusOr<std::string> data = ReadWhole(file);
  if (!data.ok()) return data.status();
  size_t next = 0;
  absl::Status s = ForEachLine(
      file, *data, "entity_id,profile",
      [&](std::string_view line, uint64_t number, size_t) -> absl::Status {
        std::string_view f[2];
        if (!Split(line, 2, f))
          return RowError(file, number, "expected 2 fields: entity_id,profile");
        uint32_t id = 0;
        if (!ParseNumber(f[0], &id) || id != next || id >= entities->size()) {
          return RowError(file, number,
                          absl::StrCat("entity_id '", AV(f[0]), "' is not entity ", next));
        }
        if (f[1].empty()) return RowError(file, number, "empty profile");
        (*entities)[next++].profile = std::string(f[1]);
        return absl::OkStatus();
      });
  if (!s.ok()) return s;
  if (next != entities->size()) {
    return absl::DataLossError(
        absl::StrCat(file.string(), ": ", next, " profiles for ", entities->size(), " entities"));
  }
  return absl::OkStatus();
}

absl::Status LoadScenarios(const fs::path& file, std::vector<ScenarioRow>* out) {
  absl::StatusOr<std::string> data = ReadWhole(file);
  if (!data.ok()) return data.status();
  return ForEachLine(
      file, *data, "scenario_id,kind,role,ref,value",
      [&](std::string_view line, uint64_t number, size_t) -> absl::Status {
        std::string_view f[5];
        if (!Split(line, 5, f)) {
          return RowError(file, number, "expected 5 fields: scenario_id,kind,role,ref,value");
        }
        ScenarioRow r;
        if (!ParseNumber(f[0], &r.scenario_id)) {
          return RowError(file, number,
                          absl::StrCat("scenario_id '", AV(f[0]), "' is not a number"));
        }
        if (f[1].empty() || f[2].empty()) return RowError(file, number, "empty kind or role");
        if (!ParseNumber(f[4], &r.value)) {
          return RowError(file, number, absl::StrCat("value '", AV(f[4]), "' is not a number"));
        }
        r.kind = std::string(f[1]);
        r.role = std::string(f[2]);
        r.ref = std::string(f[3]);
        out->push_back(std::move(r));
        return absl::OkStatus();
      });
}

absl::Status LoadTxLabels(const fs::path& file, std::vector<TxLabel>* out) {
  absl::StatusOr<std::string> data = ReadWhole(file);
  if (!data.ok()) return data.status();
  return ForEachLine(file, *data, "txid,label",
                     [&](std::string_view line, uint64_t number, size_t) -> absl::Status {
                       std::string_view f[2];
                       if (!Split(line, 2, f)) {
                         return RowError(file, number, "expected 2 fields: txid,label");
                       }
                       absl::StatusOr<Txid> txid = Txid::FromHex(f[0]);
                       if (!txid.ok()) {
                         return RowError(file, number,
                                         absl::StrCat("bad txid: ", txid.status().message()));
                       }
                       out->push_back(TxLabel{*txid, std::string(f[1])});
                       return absl::OkStatus();
                     });
}

absl::Status LoadSummary(const fs::path& file, TruthSummary* out) {
  absl::StatusOr<std::string> data = ReadWhole(file);
  if (!data.ok()) return data.status();
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto err = parser.parse(data->data(), data->size()).get(root); err) {
    return absl::DataLossError(
        absl::StrCat(file.string(), ": not valid JSON: ", simdjson::error_message(err)));
  }
  auto field_error = [&](std::string_view name) {
    return absl::DataLossError(
        absl::StrCat(file.string(), ": missing or mistyped field '", AV(name), "'"));
  };
  auto get_u64 = [&](const char* name, uint64_t* v) -> absl::Status {
    if (root[name].get_uint64().get(*v)) return field_error(name);
    return absl::OkStatus();
  };
  for (auto [name, ptr] :
       std::initializer_list<std::pair<const char*, uint64_t*>>{{"blocks", &out->blocks},
                                                                {"txs", &out->txs},
                                                                {"inputs", &out->inputs},
                                                                {"outputs", &out->outputs},
                                                                {"addresses", &out->addresses},
                                                                {"utxo_count", &out->utxo_count},
                                                                {"seed", &out->seed},
                                                                {"scenarios", &out->scenarios}}) {
    if (absl::Status s = get_u64(name, ptr); !s.ok()) return s;
  }
  if (root["utxo_value"].get_int64().get(out->utxo_value)) return field_error("utxo_value");
  std::string_view sv;
  if (root["network"].get_string().get(sv)) return field_error("network");
  out->network = std::string(sv);
  if (root["generator_version"].get_string().get(sv)) return field_error("generator_version");
  out->generator_version = std::string(sv);
  for (auto [name, map] :
       std::initializer_list<std::pair<const char*, std::map<std::string, uint64_t>*>>{
           {"entities", &out->entities_by_kind}, {"tx_labels", &out->tx_labels}}) {
    simdjson::dom::object obj;
    if (root[name].get_object().get(obj)) return field_error(name);
    for (auto kv : obj) {
      uint64_t v;
      if (kv.value.get_uint64().get(v)) return field_error(name);
      (*map)[std::string(kv.key)] = v;
    }
  }
  return absl::OkStatus();
}

}  // namespace

std::string_view Truth::address(size_t row) const {
  const size_t start = row_offset_[row];
  const size_t comma = addresses_.find(',', start);
  return std::string_view(addresses_).substr(start, comma - start);
}

std::optional<uint32_t> Truth::EntityOf(std::string_view address) const {
  if (index_.empty()) return std::nullopt;
  const size_t mask = index_.size() - 1;
  const uint64_t h = HashString(address);
  const uint64_t tag = h & 0xffffffff00000000ULL;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    const uint64_t slot = index_[i];
    if (slot == 0) return std::nullopt;
    if ((slot & 0xffffffff00000000ULL) != tag) continue;
    const size_t row = static_cast<uint32_t>(slot) - 1;
    const size_t start = row_offset_[row];
    if (start + address.size() < addresses_.size() && addresses_[start + address.size()] == ',' &&
        std::memcmp(addresses_.data() + start, address.data(), address.size()) == 0) {
      return row_entity_[row];
    }
  }
}

absl::Status Truth::BuildIndex(const fs::path& file) {
  absl::StatusOr<std::string> data = ReadWhole(file);
  if (!data.ok()) return data.status();
  addresses_ = std::move(*data);
  // One row per ~40 bytes: reserve from the size so that the vectors do not reallocate.
  row_offset_.reserve(addresses_.size() / 36 + 1);
  row_entity_.reserve(addresses_.size() / 36 + 1);
  absl::Status s = ForEachLine(
      file, addresses_, "address,entity_id",
      [&](std::string_view line, uint64_t number, size_t offset) -> absl::Status {
        std::string_view address;
        uint32_t entity;
        if (absl::Status e = ParseAddressRow(file, line, number, &address, &entity); !e.ok()) {
          return e;
        }
        if (entity >= entities_.size()) {
          return RowError(file, number, absl::StrCat("unknown entity_id ", entity));
        }
        row_offset_.push_back(offset);
        row_entity_.push_back(entity);
        return absl::OkStatus();
      });
  if (!s.ok()) return s;
  size_t capacity = 16;
  while (capacity < row_offset_.size() * 2) capacity <<= 1;
  index_.assign(capacity, 0);
  const size_t mask = capacity - 1;
  // Rows go in by batches whose slots are prefetched first: the index is far larger than the
  // caches, and one miss per row would dominate.
  constexpr size_t kBatch = 16;
  uint64_t hashes[kBatch];
  for (size_t row = 0; row < row_offset_.size(); ++row) {
    if (row % kBatch == 0) {
      for (size_t k = 0; k < kBatch && row + k < row_offset_.size(); ++k) {
        hashes[k] = HashString(address(row + k));
        __builtin_prefetch(&index_[hashes[k] & mask], 1);
      }
    }
    const std::string_view a = address(row);
    const uint64_t h = hashes[row % kBatch];
    const uint64_t tag = h & 0xffffffff00000000ULL;
    size_t i = h & mask;
    while (index_[i] != 0) {
      const uint32_t other = static_cast<uint32_t>(index_[i]) - 1;
      if ((index_[i] & 0xffffffff00000000ULL) == tag && address(other) == a) {
        // Line numbers: row r is on line r + 2 (after the header).
        return RowError(
            file, row + 2,
            absl::StrCat("duplicate address ", AV(a), " (first on line ", other + 2, ")"));
      }
      i = (i + 1) & mask;
    }
    index_[i] = tag | (row + 1);
  }
  return absl::OkStatus();
}

absl::StatusOr<Truth> LoadTruth(const fs::path& dir) {
  const fs::path truth_dir = TruthDir(dir);
  Truth truth;
  if (absl::Status s = LoadEntities(truth_dir / "entities.csv", &truth.entities_); !s.ok()) {
    return s;
  }
  if (fs::exists(truth_dir / "profiles.csv")) {
    if (absl::Status s = LoadProfiles(truth_dir / "profiles.csv", &truth.entities_); !s.ok()) {
      return s;
    }
    truth.has_profiles_ = true;
  }
  if (absl::Status s = truth.BuildIndex(truth_dir / "addresses.csv"); !s.ok()) return s;
  if (absl::Status s = LoadScenarios(truth_dir / "scenarios.csv", &truth.scenarios_); !s.ok()) {
    return s;
  }
  if (absl::Status s = LoadTxLabels(truth_dir / "txlabels.csv", &truth.tx_labels_); !s.ok()) {
    return s;
  }
  if (absl::Status s = LoadSummary(truth_dir / "summary.json", &truth.summary_); !s.ok()) {
    return s;
  }
  return truth;
}

absl::Status ForEachTruthAddress(
    const fs::path& dir,
    const std::function<absl::Status(std::string_view address, uint32_t entity)>& fn) {
  const fs::path file = TruthDir(dir) / "addresses.csv";
  std::ifstream in(file, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", file.string()));
  std::string buf;
  std::string carry;
  uint64_t number = 0;
  constexpr size_t kChunk = 8 << 20;
  buf.resize(kChunk);
  bool eof = false;
  while (!eof) {
    in.read(buf.data(), static_cast<std::streamsize>(kChunk));
    const size_t got = static_cast<size_t>(in.gcount());
    eof = got < kChunk;
    carry.append(buf.data(), got);
    size_t pos = 0;
    while (true) {
      size_t end = carry.find('\n', pos);
      if (end == std::string::npos) {
        if (!eof) break;
        if (pos >= carry.size()) break;
        end = carry.size();
      }
      std::string_view line(carry.data() + pos, end - pos);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      ++number;
      pos = end + 1;
      if (number == 1) {
        if (line != "address,entity_id") {
          return RowError(file, 1,
                          absl::StrCat("header is '", AV(line), "', expected 'address,entity_id'"));
        }
        continue;
      }
      if (line.empty()) continue;
      std::string_view address;
      uint32_t entity;
      if (absl::Status s = ParseAddressRow(file, line, number, &address, &entity); !s.ok()) {
        return s;
      }
      if (absl::Status s = fn(address, entity); !s.ok()) return s;
    }
    carry.erase(0, std::min(pos, carry.size()));
  }
  if (number == 0) return RowError(file, 1, "empty file (no header)");
  return absl::OkStatus();
}

}  // namespace ariadne::gen
