#include "indexer/tags/tag_import.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "engine/core/address.h"
#include "engine/core/eip55.h"
#include "engine/core/strings.h"

namespace ariadne::tags {
namespace {

constexpr uint64_t kExamplesPerReason = 2;

void Skip(ImportReport* r, const std::string& reason, const std::string& where) {
  // Other chains' tags are expected in tag packs: one count for all of them.
  const bool other_currency = reason.rfind("currency ", 0) == 0;
  const std::string key = other_currency ? "other currencies" : reason;
  if (r->skipped[key]++ < kExamplesPerReason && !other_currency) {
    r->examples.push_back(where + ": " + reason);
  }
  if (other_currency) r->other_currencies.insert(reason.substr(9));
}

// Returns: the store identity of an address, or an error naming why it cannot be one.
absl::StatusOr<std::string> Identity(const std::string& address, const std::string& currency,
                                     Network network) {
  const std::string cur = absl::AsciiStrToUpper(currency);
  if (cur == "ETH" || (cur.empty() && absl::StartsWith(address, "0x"))) {
    auto a = evm::ParseAddress(address);
    if (!a.ok()) return absl::InvalidArgumentError("invalid Ethereum address");
    std::string id(1, store::kLabelChainEvm);
    id.append(reinterpret_cast<const char*>(a->data()), evm::Address::kSize);
    return id;
  }
  if (!cur.empty() && cur != "BTC") return absl::InvalidArgumentError("currency " + cur);
  auto key = DecodeAddress(address, network);
  if (!key.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a ", AV(Params(network).name), " Bitcoin address"));
  }
  return store::LabelIdentity(*key);
}

std::string Field(const YAML::Node& n, const char* name) {
  const YAML::Node v = n[name];
  if (!v || !v.IsScalar()) return "";
  return v.as<std::string>();
}

absl::Status ParseYaml(const std::filesystem::path& path, Network network,
                       std::vector<ParsedTag>* out, ImportReport* r) {
  YAML::Node doc;
  try {
    doc = YAML::LoadFile(path.string());
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(path.string(), ": not YAML (line ", e.mark.line + 1, "): ", e.msg));
  }
  if (!doc.IsMap()) return absl::InvalidArgumentError(path.string() + ": not a TagPack (no map)");
  const YAML::Node tags = doc["tags"];
  if (!tags) {
    // Actor packs and other metadata files carry no tags.
    r->skipped["files without tags"]++;
    return absl::OkStatus();
  }
  if (!tags.IsSequence()) {
    return absl::InvalidArgumentError(path.string() + ": 'tags' is not a list");
  }
  const std::string h_label = Field(doc, "label"), h_category = Field(doc, "category"),
                    h_abuse = Field(doc, "abuse"), h_source = Field(doc, "source"),
                    h_currency = Field(doc, "currency"), h_actor = Field(doc, "actor");
  for (const YAML::Node& t : tags) {
    ++r->tags;
    const std::string where = absl::StrCat(path.string(), ":", t.Mark().line + 1);
    if (!t.IsMap()) {
      Skip(r, "tag is not a map", where);
      continue;
    }
    const std::string address = Field(t, "address");
    if (address.empty()) {
      Skip(r, "tag without address", where);
      continue;
    }
    auto pick = [&](const char* name, const std::string& fallback) {
      std::string v = Field(t, name);
      return v.empty() ? fallback : v;
    };
    const std::string currency = pick("currency", h_currency);
    auto identity = Identity(address, currency, network);
    if (!identity.ok()) {
      Skip(r, std::string(identity.status().message()), where);
      continue;
    }
    store::LabelRow label;
    label.actor = pick("actor", h_actor);
    label.label = pick("label", h_label);
    if (label.label.empty()) label.label = label.actor;
    // The most specific field wins: the tag's category, the tag's abuse, the pack's category,
    // the pack's abuse.
    for (const std::string& c :
         {Field(t, "category"), Field(t, "abuse"), h_category, h_abuse, std::string("unknown")}) {
      if (!c.empty()) {
        label.category = absl::AsciiStrToLower(c);
        break;
      }
    }
    label.source = pick("source", h_source);
    if (label.source.empty()) label.source = path.filename().string();
    if (label.label.empty()) {
      Skip(r, "tag without label or actor", where);
      continue;
    }
    out->push_back({*std::move(identity), std::move(label)});
  }
  return absl::OkStatus();
}

absl::Status ParseCsv(const std::filesystem::path& path, Network network,
                      std::vector<ParsedTag>* out, ImportReport* r) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(path.string() + ": cannot open");
  std::string line;
  uint64_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    absl::string_view l = absl::StripAsciiWhitespace(line);
    if (l.empty() || l[0] == '#') continue;
    std::vector<std::string> f;
    for (absl::string_view part : absl::StrSplit(l, ',')) {
      f.push_back(std::string(absl::StripAsciiWhitespace(part)));
    }
    const std::string where = absl::StrCat(path.string(), ":", n);
    if (n == 1 && absl::AsciiStrToLower(f[0]) == "address") continue;  // header
    ++r->tags;
    if (f.size() < 2 || f[0].empty() || f[1].empty()) {
      Skip(r, "row needs address,label[,category[,source]]", where);
      continue;
    }
    auto identity = Identity(f[0], "", network);
    if (!identity.ok()) {
      Skip(r, std::string(identity.status().message()), where);
      continue;
    }
    store::LabelRow label;
    label.label = f[1];
    label.category = f.size() > 2 && !f[2].empty() ? absl::AsciiStrToLower(f[2]) : "unknown";
    label.source = f.size() > 3 && !f[3].empty() ? f[3] : path.filename().string();
    out->push_back({*std::move(identity), std::move(label)});
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ParseTagFile(const std::filesystem::path& path, Network network,
                          std::vector<ParsedTag>* tags, ImportReport* report) {
  ++report->files;
  const std::string ext = absl::AsciiStrToLower(path.extension().string());
  if (ext == ".csv") return ParseCsv(path, network, tags, report);
  return ParseYaml(path, network, tags, report);
}

absl::StatusOr<ImportReport> ImportTags(store::Store* store,
                                        const std::vector<std::filesystem::path>& paths) {
  std::vector<std::filesystem::path> files;
  for (const auto& p : paths) {
    if (std::filesystem::is_directory(p)) {
      for (const auto& e : std::filesystem::recursive_directory_iterator(p)) {
        const std::string ext = absl::AsciiStrToLower(e.path().extension().string());
        if (e.is_regular_file() && (ext == ".yaml" || ext == ".yml" || ext == ".csv")) {
          files.push_back(e.path());
        }
      }
    } else if (std::filesystem::is_regular_file(p)) {
      files.push_back(p);
    } else {
      return absl::NotFoundError(p.string() + ": no such file or folder");
    }
  }
  std::sort(files.begin(), files.end());
  // All files or none: every file is parsed before one atomic write of all their labels.
  ImportReport report;
  std::vector<ParsedTag> tags;
  rocksdb::WriteBatch wb;
  for (const auto& f : files) {
    tags.clear();
    absl::Status s = ParseTagFile(f, store->network(), &tags, &report);
    if (!s.ok()) {
      return absl::Status(s.code(), absl::StrCat(s.message(), "; nothing was imported"));
    }
    for (const ParsedTag& t : tags) {
      wb.Put(store->handle(store::Cf::kLabels), store::LabelKey(t.identity, t.label),
             store::EncodeLabel(t.label));
      report.by_category[t.label.category]++;
    }
    report.imported += tags.size();
  }
  rocksdb::WriteOptions wo;
  wo.sync = true;
  rocksdb::Status w = store->db()->Write(wo, &wb);
  if (!w.ok()) return store::FromRocks(w, "writing labels (nothing was imported)");
  return report;
}

}  // namespace ariadne::tags
