#include "engine/store/check_clusters.h"

#include <memory>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "engine/core/hex.h"
#include "engine/core/strings.h"
#include "engine/store/codec.h"

namespace ariadne::store {
namespace {

std::string Hex(std::string_view bytes) {
  return HexEncode(ByteSpan(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

class ClusterRowChecker {
 public:
  ClusterRowChecker(const Store& store, const rocksdb::Snapshot* snapshot, const ChainState& state,
                    size_t max, CheckReport* report)
      : store_(store), snapshot_(snapshot), state_(state), max_(max), report_(report) {}

  absl::Status Run() {
    auto meta = store_.ReadMeta(kMetaCluster);
    if (meta.ok()) {
      auto decoded = DecodeClusterMeta(*meta);
      if (decoded.ok()) {
        meta_ = *decoded;
        if (meta_->processed_txs != ClusterMeta::kInvalidProcessed &&
            meta_->processed_txs > state_.tx_count) {
          Problem("meta: the clustering covers ", meta_->processed_txs, " transactions of ",
                  state_.tx_count);
        }
      } else {
        Problem("meta: cluster row: ", decoded.status().message());
      }
    } else if (!absl::IsNotFound(meta.status())) {
      return meta.status();
    }
    if (absl::Status s = Evidence(); !s.ok()) return s;
    if (absl::Status s = Pending(); !s.ok()) return s;
    return Labels();
  }

 private:
  template <typename... Args>
  void Problem(const Args&... args) {
    if (report_->problems.size() < max_) report_->problems.push_back(absl::StrCat(args...));
  }
  std::unique_ptr<rocksdb::Iterator> Iter(Cf cf) const {
    rocksdb::ReadOptions ro;
    ro.fill_cache = false;
    ro.snapshot = snapshot_;
    return std::unique_ptr<rocksdb::Iterator>(store_.db()->NewIterator(ro, store_.handle(cf)));
  }
  // Returns: DATA_LOSS naming the family and the last key read when the iterator failed.
  static absl::Status Finish(const rocksdb::Iterator& it, Cf cf, const std::string& last_key) {
    if (it.status().ok()) return absl::OkStatus();
    const std::string where =
        last_key.empty() ? "before its first row" : absl::StrCat("after key ", Hex(last_key));
    return FromRocks(it.status(), absl::StrCat(AV(CfName(cf)), ": unreadable ", where));
  }
  static std::string_view Key(const rocksdb::Iterator& it) {
    return std::string_view(it.key().data(), it.key().size());
  }
  static std::string_view Value(const rocksdb::Iterator& it) {
    return std::string_view(it.value().data(), it.value().size());
  }
  void CheckAddr(std::string_view family, std::string_view key, uint32_t addr) {
    if (addr >= state_.addr_count) {
      Problem(AV(family), " ", Hex(key), ": address id ", addr, " beyond the address count ",
              state_.addr_count);
    }
  }
  // Returns: whether a row (its key starts with its generation) belongs to the live clustering.
  bool Live(std::string_view family, std::string_view key) {
    if (!meta_.has_value()) {
      Problem(AV(family), " ", Hex(key), ": a row without a clustering (no meta/cluster)");
      return false;
    }
    if (static_cast<uint8_t>(key[0]) == meta_->gen) return true;
    ++report_->stale_cluster_rows;  // of an interrupted or replaced rebuild: ignored by readers
    return false;
  }

  absl::Status Evidence() {
    auto it = Iter(Cf::kEvidence);
    std::string last;
    uint64_t live = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const std::string_view key = Key(*it);
      last.assign(key);
      ++report_->evidence_rows;
      auto row = DecodeEvidence(key, Value(*it));
      if (!row.ok()) {
        Problem("evidence ", Hex(key), ": ", row.status().message());
        continue;
      }
      if (Live("evidence", key)) ++live;
      CheckAddr("evidence", key, row->a);
      CheckAddr("evidence", key, row->b);
      if (row->kind > 1) Problem("evidence ", Hex(key), ": unknown kind ", row->kind);
      if (row->at.value() >= state_.tx_count) {
        Problem("evidence ", Hex(key), ": transaction ", row->at.value(),
                " beyond the transaction count ", state_.tx_count);
      }
    }
    if (meta_.has_value() && meta_->processed_txs != ClusterMeta::kInvalidProcessed &&
        live != meta_->unions) {
      Problem("evidence: ", live, " rows of generation ", meta_->gen, ", meta/cluster counts ",
              meta_->unions, " unions");
    }
    return Finish(*it, Cf::kEvidence, last);
  }

  absl::Status Pending() {
    auto it = Iter(Cf::kClusterPending);
    std::string last;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const std::string_view key = Key(*it);
      last.assign(key);
      ++report_->pending_rows;
      if (key.size() != 9) {
        Problem("cluster_pending ", Hex(key), ": key of ", key.size(), " bytes, not 9");
        continue;
      }
      auto row = DecodePending(Value(*it));
      if (!row.ok()) {
        Problem("cluster_pending ", Hex(key), ": ", row.status().message());
        continue;
      }
      Live("cluster_pending", key);
      CheckAddr("cluster_pending", key, row->anchor);
      CheckAddr("cluster_pending", key, row->change);
      const uint64_t tx = GetBE(key.data() + 1, 8) >> 24;
      if (tx >= state_.tx_count) {
        Problem("cluster_pending ", Hex(key), ": transaction ", tx,
                " beyond the transaction count ", state_.tx_count);
      }
    }
    return Finish(*it, Cf::kClusterPending, last);
  }

  absl::Status Labels() {
    auto it = Iter(Cf::kLabels);
    std::string last;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const std::string_view key = Key(*it);
      last.assign(key);
      ++report_->label_rows;
      auto row = DecodeLabel(Value(*it));
      if (!row.ok()) {
        Problem("labels ", Hex(key), ": ", row.status().message());
        continue;
      }
      // The key is the identity and a hash of the row: recompute it.
      bool identity_ok = key.size() > 8;
      if (identity_ok && key[0] == kLabelChainBitcoin) {
        auto address = LabelKeyAddress(key);
        identity_ok = address.ok() && LabelIdentity(*address).size() + 8 == key.size();
      } else if (identity_ok) {
        identity_ok = key[0] == kLabelChainEvm && key.size() == 1 + 20 + 8;
      }
      if (!identity_ok) {
        Problem("labels ", Hex(key), ": not an address identity");
        continue;
      }
      if (LabelKey(key.substr(0, key.size() - 8), *row) != key) {
        Problem("labels ", Hex(key), ": the key does not match the row (", row->label, ")");
      }
    }
    return Finish(*it, Cf::kLabels, last);
  }

  const Store& store_;
  const rocksdb::Snapshot* snapshot_;
  const ChainState& state_;
  size_t max_;
  CheckReport* report_;
  std::optional<ClusterMeta> meta_;
};

}  // namespace

absl::Status CheckClusterRows(const Store& store, const rocksdb::Snapshot* snapshot,
                              const ChainState& state, size_t max_problems, CheckReport* report) {
  return ClusterRowChecker(store, snapshot, state, max_problems, report).Run();
}

}  // namespace ariadne::store
