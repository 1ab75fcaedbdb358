// The generator's ground truth (DIR/truth/, format in docs/generator.md) and its reader.
//
// entities.csv   entity_id,kind,name                    one row per entity
// profiles.csv   entity_id,profile                      its wallet software at the chain's end
//                                                        (optional: chains made before it lack it)
// addresses.csv  address,entity_id                       one row per distinct output address
// scenarios.csv  scenario_id,kind,role,ref,value         the case scenarios, row by row
// txlabels.csv   txid,label                              CoinJoin transactions by implementation
// tags.csv       address,label,category,source           simulated public tags (public_tags.h)
// summary.json   chain totals (blocks, txs, inputs, outputs, addresses, UTXO set at the tip, ...)
//
// The reader is built for chains of tens of millions of addresses: addresses.csv is kept as one
// buffer, and each row costs about 28 bytes more (its offset, its entity and two slots of an
// open-addressing index): about 2.5 GB and 8 s for a 20M-transaction chain's 32M addresses.
#ifndef ARIADNE_GEN_TRUTH_H_
#define ARIADNE_GEN_TRUTH_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/core/types.h"
#include "gen/entity_kind.h"
#include "gen/huge_alloc.h"

namespace ariadne::gen {

struct TruthEntity {
  uint32_t id = 0;
  EntityKind kind = EntityKind::kIndividual;
  std::string name;
  std::string profile;  // wallet profile (profiles.csv), empty when the truth has none
};

// One row of scenarios.csv. Roles and what `ref` holds for each are listed in docs/generator.md.
struct ScenarioRow {
  uint32_t scenario_id = 0;
  std::string kind;   // e.g. "trafficking_proceeds"
  std::string role;   // e.g. "seed", "victim", "tx_peel", "cashout", "proceeds"
  std::string ref;    // an address, a txid (display hex), an entity id or empty
  int64_t value = 0;  // satoshi, 0 when the role carries no amount
};

// One row of txlabels.csv.
struct TxLabel {
  Txid txid;
  std::string label;  // wasabi1_coinjoin, wasabi2_coinjoin, whirlpool_tx0, whirlpool_mix,
                      // joinmarket_coinjoin
};

struct TruthSummary {
  uint64_t blocks = 0;
  uint64_t txs = 0;
  uint64_t inputs = 0;   // non-coinbase inputs
  uint64_t outputs = 0;  // all outputs, OP_RETURN included
  uint64_t addresses = 0;
  uint64_t utxo_count = 0;  // unspent outputs at the tip, OP_RETURN and the genesis output excluded
  int64_t utxo_value = 0;
  uint64_t seed = 0;
  std::string network;
  std::string generator_version;
  std::map<std::string, uint64_t> entities_by_kind;
  uint64_t scenarios = 0;
  std::map<std::string, uint64_t> tx_labels;  // CoinJoin counts by label
};

class Truth {
 public:
  const std::vector<TruthEntity>& entities() const { return entities_; }
  // Returns: the entity with `id`, or nullptr.
  const TruthEntity* entity(uint32_t id) const {
    return id < entities_.size() ? &entities_[id] : nullptr;
  }
  size_t address_count() const { return row_offset_.size(); }
  // Returns: the address of row `row` (0-based, in file order).
  std::string_view address(size_t row) const;
  // Returns: the entity controlling the address of row `row`.
  uint32_t address_entity(size_t row) const { return row_entity_[row]; }
  // Returns: the entity controlling `address`, or nullopt when it is not in addresses.csv.
  std::optional<uint32_t> EntityOf(std::string_view address) const;
  const std::vector<ScenarioRow>& scenario_rows() const { return scenarios_; }
  const std::vector<TxLabel>& tx_labels() const { return tx_labels_; }
  const TruthSummary& summary() const { return summary_; }
  // Returns: true when the truth names each entity's wallet profile (profiles.csv).
  bool has_profiles() const { return has_profiles_; }

 private:
  friend absl::StatusOr<Truth> LoadTruth(const std::filesystem::path& dir);
  absl::Status BuildIndex(const std::filesystem::path& file);

  std::vector<TruthEntity> entities_;
  bool has_profiles_ = false;
  std::string addresses_;  // the whole of addresses.csv
  HugeVector<uint64_t> row_offset_;
  HugeVector<uint32_t> row_entity_;
  // Open addressing: (hash >> 32) << 32 | (row + 1); 0 = empty. The hash bits spare most string
  // comparisons (each one a cache miss into the big buffer).
  HugeVector<uint64_t> index_;
  std::vector<ScenarioRow> scenarios_;
  std::vector<TxLabel> tx_labels_;
  TruthSummary summary_;
};

// Reads the ground truth of a generated chain.
// Args: dir: the generator's output folder (containing truth/) or the truth folder itself.
// Returns: the truth; NOT_FOUND naming a missing file; DATA_LOSS naming the file and line of a
//          malformed row (wrong field count, bad number, unknown kind or entity, duplicate
//          address) or a malformed summary.json.
absl::StatusOr<Truth> LoadTruth(const std::filesystem::path& dir);

// Streams addresses.csv without keeping it: calls fn(address, entity_id) for every row, in order,
// and stops at the first error fn returns.
// Returns: OK, fn's error, NOT_FOUND, or DATA_LOSS naming file and line of a malformed row.
absl::Status ForEachTruthAddress(
    const std::filesystem::path& dir,
    const std::function<absl::Status(std::string_view address, uint32_t entity)>& fn);

}  // namespace ariadne::gen

#endif  // ARIADNE_GEN_TRUTH_H_
