#include "engine/utxo/utxo_backend.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "engine/core/address.h"
#include "engine/core/status_macros.h"
#include "engine/core/strings.h"
#include "engine/store/codec.h"

namespace ariadne::utxo {

absl::StatusOr<std::unique_ptr<UtxoBackend>> UtxoBackend::Open(
    const store::Store& store, std::shared_ptr<const query::QueryHooks> hooks) {
  std::unique_ptr<UtxoBackend> b(new UtxoBackend(store, std::move(hooks)));
  RETURN_IF_ERROR(b->heights_.Load(store));
  RETURN_IF_ERROR(b->MapOrLoadGraph());
  ASSIGN_OR_RETURN(const store::ChainState state, store.ReadState());
  RETURN_IF_ERROR(b->LoadIndexes(state.addr_count));
  return b;
}

absl::Status UtxoBackend::LoadIndexes(uint32_t address_count) {
  // The benchmarks' switch to the passes over everything (the build before the cluster files).
  const char* rows = std::getenv("ARIADNE_CLUSTERS_FROM_ROWS");
  if ((rows == nullptr || std::string_view(rows) != "1") && previous_ != nullptr &&
      previous_->clusters_from_files_ && ReusesFilesOf(*previous_)) {
    // A refresh over the same files keeps their mapping (and its page tables) instead of mapping
    // them again: the store only grew (Refreshed), so they stay valid.
    cluster_files_ = previous_->cluster_files_;
    clusters_from_files_ = true;
  } else if (rows == nullptr || std::string_view(rows) != "1") {
    ASSIGN_OR_RETURN(const graph::OpenedClusterFiles opened, graph::OpenClusterFiles(store_));
    cluster_files_ = opened.files;
    clusters_from_files_ = opened.clusters_live;
    if (opened.files == nullptr && (opened.why_not.find("reorg") != std::string::npos ||
                                    opened.why_not.find("older") != std::string::npos)) {
      AddWarning(absl::StrCat(opened.why_not, " (start-up passes over the whole chain)"));
    }
  }
  if (cluster_files_ != nullptr) {
    const graph::ClusterFiles& f = *cluster_files_;
    addresses_ = std::make_unique<graph::AddressIndex>(
        f.span<uint64_t>(graph::ClusterArray::kAddrOffsets),
        f.span<uint64_t>(graph::ClusterArray::kAddrOuts), cluster_files_, f.meta.outputs, *graph_,
        address_count);
  } else {
    addresses_ = std::make_unique<graph::AddressIndex>(*graph_, address_count);
  }
  return LoadClustersAndLabels();
}

bool UtxoBackend::ReusesFilesOf(const UtxoBackend& previous) const {
  if (previous.cluster_files_ == nullptr) return false;
  auto files = store_.ReadMeta(graph::kMetaClusterFiles);
  auto cluster = store_.ReadMeta(store::kMetaCluster);
  if (!files.ok() || !cluster.ok()) return false;
  auto meta = store::DecodeClusterMeta(*cluster);
  return meta.ok() && meta->gen == previous.cluster_files_->meta.gen &&
         *files == graph::EncodeClusterFilesMeta(previous.cluster_files_->meta);
}

absl::Status UtxoBackend::MapOrLoadGraph() {
  // The benchmarks' switch to the rows (the build before the graph files, in the same run).
  const char* rows = std::getenv("ARIADNE_GRAPH_FROM_ROWS");
  if (rows == nullptr || std::string_view(rows) != "1") {
    ASSIGN_OR_RETURN(std::shared_ptr<const graph::GraphFiles> files, graph::OpenGraphFiles(store_));
    if (files != nullptr) {
      graph_ = graph::TxGraph::Map(files);
      ASSIGN_OR_RETURN(names_, graph::AddressNames::Map(std::move(files)));
      return absl::OkStatus();
    }
    AddWarning(
        "the store has no graph files (indexed before them): the graph is read from every tx and "
        "addr row into memory");
  }
  ASSIGN_OR_RETURN(graph_, graph::TxGraph::Load(store_));
  ASSIGN_OR_RETURN(names_, graph::AddressNames::Load(store_));
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<query::ChainBackend>> UtxoBackend::Refreshed(
    const store::Store& store) const {
  ASSIGN_OR_RETURN(const store::ChainState before, store_.ReadState());
  ASSIGN_OR_RETURN(const store::ChainState after, store.ReadState());
  bool grew = after.tx_count >= before.tx_count && after.tip_height >= before.tip_height &&
              graph_->tx_count() == before.tx_count;
  if (grew && before.tip_height >= 0) {
    auto block = store.ReadBlock(static_cast<uint32_t>(before.tip_height));
    grew = block.ok() && block->hash() == before.tip_hash;
  }
  if (!grew) return Open(store, hooks_);
  std::unique_ptr<UtxoBackend> b(new UtxoBackend(store, hooks_));
  RETURN_IF_ERROR(b->heights_.Load(store));
  if (graph_->mapped()) {
    // The files grew in place: map them at the new lengths (nothing is copied).
    RETURN_IF_ERROR(b->MapOrLoadGraph());
  } else {
    b->graph_ = std::make_unique<graph::TxGraph>(*graph_);
    RETURN_IF_ERROR(b->graph_->Extend(store).status());
    b->names_ = std::make_unique<graph::AddressNames>(*names_);
    RETURN_IF_ERROR(b->names_->Extend(store).status());
  }
  b->previous_ = this;
  const absl::Status loaded = b->LoadIndexes(after.addr_count);
  b->previous_ = nullptr;
  RETURN_IF_ERROR(loaded);
  return b;
}

absl::Status UtxoBackend::LoadClustersAndLabels() {
  uint64_t rows_read = 0;
  auto rows = graph::LoadAddressLabels(store_, &rows_read);
  absl::StatusOr<std::unique_ptr<graph::ClusterIndex>> mapped;
  if (clusters_from_files_) {
    mapped = MapClusters();
    // Hooks that cannot settle over a built clustering: the unions are replayed instead.
    if (absl::IsUnimplemented(mapped.status())) clusters_from_files_ = false;
  }
  if (clusters_from_files_) {
    RETURN_IF_ERROR(AdoptClustersAndLabels(std::move(mapped), std::move(rows), rows_read));
    // A refresh over the same files reuses the sums of the merged clusters that did not change.
    const bool reuse = previous_ != nullptr && previous_->clusters_from_files_ &&
                       previous_->overlaid_totals_ != nullptr && previous_->clusters() != nullptr &&
                       previous_->cluster_files_ != nullptr &&
                       previous_->cluster_files_->meta == cluster_files_->meta;
    if (clusters() != nullptr) {
      overlaid_totals_ = std::make_unique<graph::OverlaidTotals>(
          *graph_, heights_, *clusters(), *addresses_,
          cluster_files_->span<graph::ClusterTotals>(graph::ClusterArray::kTotals),
          cluster_files_->span<graph::ClusterTotals>(graph::ClusterArray::kSvTotals),
          cluster_files_->meta.txs, reuse ? previous_->overlaid_totals_.get() : nullptr,
          reuse ? previous_->clusters() : nullptr);
    }
    return absl::OkStatus();
  }
  RETURN_IF_ERROR(AdoptClustersAndLabels(LoadClusters(), std::move(rows), rows_read));
  if (clusters() != nullptr) totals_ = graph::ComputeClusterTotals(*graph_, heights_, *clusters());
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<graph::ClusterIndex>> UtxoBackend::MapClusters() {
  auto value = store_.ReadMeta(store::kMetaCluster);
  if (!value.ok())
    return absl::NotFoundError("the store has no clustering: run `ariadne recluster`");
  ASSIGN_OR_RETURN(const store::ClusterMeta meta, store::DecodeClusterMeta(*value));
  RETURN_IF_ERROR(graph::CheckCoverage("the clustering", meta.processed_txs, graph_->tx_count(),
                                       "`ariadne recluster`"));
  const graph::ClusterFiles& f = *cluster_files_;
  ASSIGN_OR_RETURN(evidence_, graph::ReadEvidenceFrom(store_, meta.gen, f.meta.txs));
  ASSIGN_OR_RETURN(const store::ChainState state, store_.ReadState());
  std::vector<graph::ClusterLink> links;
  links.reserve(evidence_.size());
  for (const store::EvidenceRow& r : evidence_) links.push_back({r.a, r.b});
  if (!f.meta.settle.settles) {
    return graph::ClusterIndex::Overlaid(f.clusters(), cluster_files_, state.addr_count, links,
                                         meta.policy);
  }
  // A deferring policy: the files hold the settled clustering F of their point; only the
  // candidates connected to what the indexer changed since are settled again (over the unions
  // since), read from the rows added since and the spends since, not from every pending row.
  ASSIGN_OR_RETURN(const std::vector<graph::PendingEdge> added,
                   graph::ReadPendingEdges(store_, meta.gen, f.meta.txs, f.meta.settle.skip_rules));
  const graph::SettledLayer layer = f.settled();
  absl::flat_hash_set<uint32_t> dirty;
  ASSIGN_OR_RETURN(
      const std::vector<graph::ResettledLink> resettled,
      graph::ResettleSince(f.clusters(), layer, state.addr_count, links, added, f.meta.txs, *graph_,
                           f.meta.settle.guard, &dirty, &resettled_nodes_));
  for (const graph::ResettledLink& r : resettled) {
    links.push_back({r.anchor, r.change});
    store::EvidenceRow row;
    row.a = r.anchor;
    row.b = r.change;
    row.kind = f.meta.settle.kind;
    row.rule = r.rule;
    row.tx = TxNum(r.key >> 24);
    row.at = row.tx;
    evidence_.push_back(row);
  }
  return graph::ClusterIndex::Overlaid(f.clusters(), layer, std::move(dirty), cluster_files_,
                                       state.addr_count, links, meta.policy);
}

store::EvidenceRow UtxoBackend::EvidenceOf(uint32_t i) const {
  const uint64_t base =
      clusters_from_files_ ? cluster_files_->meta.of(graph::ClusterArray::kLinks) : 0;
  const uint64_t settled =
      clusters_from_files_ ? cluster_files_->meta.of(graph::ClusterArray::kSvLinks) : 0;
  if (i >= base + settled) return evidence_[i - base - settled];
  const bool in_settled = i >= base;
  if (in_settled) i -= base;
  const graph::ClusterLink l = cluster_files_->span<graph::ClusterLink>(
      in_settled ? graph::ClusterArray::kSvLinks : graph::ClusterArray::kLinks)[i];
  const graph::LinkEvidence e = cluster_files_->span<graph::LinkEvidence>(
      in_settled ? graph::ClusterArray::kSvEvidence : graph::ClusterArray::kEvidence)[i];
  store::EvidenceRow r;
  r.a = l.a;
  r.b = l.b;
  r.kind = e.kind;
  r.rule = e.rule;
  r.tx = TxNum(e.tx);
  r.at = TxNum(e.at);
  return r;
}

absl::StatusOr<std::unique_ptr<graph::ClusterIndex>> UtxoBackend::LoadClusters() {
  ASSIGN_OR_RETURN(
      graph::StoredClustering<store::EvidenceRow> stored,
      (graph::ReadClustering<store::EvidenceRow>(
          store_, store::kMetaCluster, store::Cf::kEvidence, store::DecodeEvidence,
          graph_->tx_count(), "the clustering", "`ariadne recluster`",
          absl::NotFoundError("the store has no clustering: run `ariadne recluster`"))));
  ASSIGN_OR_RETURN(const store::ChainState state, store_.ReadState());
  ASSIGN_OR_RETURN(const std::vector<store::EvidenceRow> settled,
                   hooks_->SettledLinks(store_, stored.unions));
  evidence_ = std::move(stored.unions);
  evidence_.insert(evidence_.end(), settled.begin(), settled.end());
  return graph::IndexUnions<store::EvidenceRow>(state.addr_count, evidence_, stored.meta.policy);
}

absl::StatusOr<query::ChainStatus> UtxoBackend::Status() const {
  ASSIGN_OR_RETURN(const store::ChainState state, store_.ReadState());
  query::ChainStatus s;
  s.model = model();
  s.network = std::string(Params(store_.network()).name);
  s.tip_height = state.tip_height;
  if (state.tip_height >= 0) {
    s.tip_hash = state.tip_hash.ToHex();
    s.tip_time = heights_.TimeOf(static_cast<uint32_t>(state.tip_height));
  }
  s.tx_count = state.tx_count;
  s.input_count = state.input_count;
  s.output_count = state.output_count;
  s.address_count = state.addr_count;
  s.utxo_count = state.utxo_count;
  s.utxo_value = state.utxo_value;
  s.schema_version = store::kSchemaVersion;
  return s;
}

absl::StatusOr<uint32_t> UtxoBackend::ResolveMember(std::string_view address) const {
  if (address.empty()) return absl::InvalidArgumentError("address is empty");
  if (address.size() > 128) return absl::InvalidArgumentError("address is longer than 128 bytes");
  auto key = DecodeAddress(address, store_.network());
  if (!key.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid address '", AV(address), "': ", key.status().message()));
  }
  auto id = store_.FindAddress(*key);
  if (absl::IsNotFound(id.status())) {
    return absl::NotFoundError(absl::StrCat("address ", AV(address), " never appeared on chain"));
  }
  if (!id.ok()) return id.status();
  return id->value();
}

std::string UtxoBackend::MemberName(uint32_t member) const {
  const AddrId id(member);
  if (!id.valid()) return "";
  AddressKey key;
  if (names_->Get(id, &key)) return EncodeAddress(key, store_.network());
  auto row = store_.ReadAddress(id);
  if (!row.ok()) return absl::StrCat("<address id ", member, ">");
  return EncodeAddress(row->key, store_.network());
}

absl::Status UtxoBackend::NoClustering() const {
  return absl::FailedPreconditionError(
      "the store has no clustering: run `ariadne recluster --db DIR`");
}

absl::Status UtxoBackend::FillAddress(uint32_t member, query::AddressSummary* s) const {
  const AddrId id(member);
  ASSIGN_OR_RETURN(const store::AddrRow row, store_.ReadAddress(id));
  ASSIGN_OR_RETURN(const store::AddrStats stats, store_.ReadStats(id));
  s->address = EncodeAddress(row.key, store_.network());
  s->type = std::string(ScriptTypeName(row.type));
  s->tx_count = stats.tx_count;
  s->received = static_cast<int64_t>(stats.received);
  s->sent = static_cast<int64_t>(stats.sent);
  s->balance = stats.balance();
  const bool seen = stats.tx_count > 0;
  s->first_seen_height = seen ? static_cast<int32_t>(stats.first_height) : -1;
  s->last_seen_height = seen ? static_cast<int32_t>(stats.last_height) : -1;
  s->output_count = stats.output_count;
  s->unspent_count = stats.output_count - stats.spent_count;
  for (AddrId k : row.multisig_keys) s->multisig_keys.push_back(MemberName(k.value()));
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> UtxoBackend::HistoryPage(uint32_t member, uint64_t from, uint32_t limit,
                                                  bool newest_first,
                                                  std::vector<uint64_t>* txs) const {
  std::vector<TxNum> nums;
  ASSIGN_OR_RETURN(const TxNum next,
                   newest_first
                       ? store_.ReadHistoryReverse(AddrId(member), TxNum(from), limit, &nums)
                       : store_.ReadHistory(AddrId(member), TxNum(from), limit, &nums));
  for (TxNum t : nums) txs->push_back(t.value());
  return next.value();
}

absl::StatusOr<bool> UtxoBackend::FillHistoryEntry(uint32_t member, uint64_t tx,
                                                   query::HistoryEntry* e) const {
  const graph::TxGraph& g = *graph_;
  if (tx >= g.tx_count()) return false;
  const TxNum t(tx);
  const AddrId id(member);
  int64_t received = 0, sent = 0;
  for (uint64_t o = g.FirstOut(t); o < g.FirstOut(TxNum(tx + 1)); ++o) {
    if (g.Addr(OutNum(o)) == id) received += g.Value(OutNum(o));
  }
  for (uint64_t in = g.FirstIn(t); in < g.FirstIn(TxNum(tx + 1)); ++in) {
    const OutNum prev = g.Input(in);
    if (g.Addr(prev) == id) sent += g.Value(prev);
  }
  const uint32_t h = heights_.HeightOf(t);
  e->txid = g.TxidOf(t).ToHex();
  e->block_height = static_cast<int32_t>(h);
  e->block_time = heights_.TimeOf(h);
  e->received = received;
  e->sent = sent;
  return true;
}

absl::StatusOr<query::Transaction> UtxoBackend::Tx(std::string_view text) const {
  auto txid = Txid::FromHex(text);
  if (!txid.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid txid '", AV(text.substr(0, 100)), "': ", txid.status().message()));
  }
  ASSIGN_OR_RETURN(const TxNum num, store_.FindTx(*txid));
  store::TxRow row;
  RETURN_IF_ERROR(store_.ReadTx(num, &row));
  const uint32_t h = heights_.HeightOf(num);
  ASSIGN_OR_RETURN(const store::BlockRow block, store_.ReadBlock(h));
  query::Transaction r;
  r.model = model();
  r.txid = row.txid.ToHex();
  r.block_height = static_cast<int32_t>(h);
  r.block_hash = block.hash().ToHex();
  r.block_time = block.time();
  r.fee = row.fee;
  r.coinbase = row.coinbase;
  r.size = row.size;
  r.vsize = row.vsize;
  r.version = row.version;
  r.locktime = row.locktime;
  const graph::TxGraph& g = *graph_;
  const bool in_graph = num.value() < g.tx_count();
  store::TxRow prev;
  for (const store::TxInRow& in : row.inputs) {
    query::TxInput& ti = r.inputs.emplace_back();
    ti.prev_vout = in.prev_vout;
    if (in_graph) {
      ti.prev_txid = g.TxidOf(in.prev_tx).ToHex();
      const OutNum o(g.FirstOut(in.prev_tx) + in.prev_vout);
      ti.address = MemberName(g.Addr(o).value());
      ti.value = g.Value(o);
      ti.type = std::string(ScriptTypeName(g.Type(o)));
    } else {
      RETURN_IF_ERROR(store_.ReadTx(in.prev_tx, &prev));
      ti.prev_txid = prev.txid.ToHex();
      const store::TxOutRow& po = prev.outputs[in.prev_vout];
      ti.address = MemberName(po.addr.value());
      ti.value = po.value;
      ti.type = std::string(ScriptTypeName(po.type));
    }
  }
  for (uint32_t v = 0; v < row.outputs.size(); ++v) {
    const store::TxOutRow& o = row.outputs[v];
    query::TxOutput& to = r.outputs.emplace_back();
    to.vout = v;
    to.type = std::string(ScriptTypeName(o.type));
    to.address = MemberName(o.addr.value());
    to.value = o.value;
    if (in_graph) {
      const TxNum spender = g.SpentBy(OutNum(g.FirstOut(num) + v));
      if (spender.valid()) to.spent_by = g.TxidOf(spender).ToHex();
    }
  }
  return r;
}

void UtxoBackend::FillClusterFlows(ClusterId cluster, query::ClusterSummary* s) const {
  const graph::ClusterTotals& t = overlaid_totals_ != nullptr
                                      ? overlaid_totals_->Of(*clusters(), cluster)
                                      : totals_[clusters()->Ordinal(cluster)];
  s->received = t.received;
  s->sent = t.sent;
  s->balance = t.received - t.sent;
  const bool seen = t.tx_count > 0;
  s->first_seen_height = seen ? static_cast<int32_t>(t.first_height) : -1;
  s->last_seen_height = seen ? static_cast<int32_t>(t.last_height) : -1;
  s->tx_count = t.tx_count;
}

absl::StatusOr<query::EvidenceLink> UtxoBackend::NameLink(const graph::LinkStep& step) const {
  const store::EvidenceRow e = EvidenceOf(step.link);
  query::EvidenceLink link;
  link.heuristic = hooks_->EvidenceName(e.kind, e.rule);
  ASSIGN_OR_RETURN(const Txid txid, store_.ReadTxid(e.tx));
  link.txid = txid.ToHex();
  if (e.at.value() > e.tx.value()) {
    ASSIGN_OR_RETURN(const Txid spend, store_.ReadTxid(e.at));
    link.related_txid = spend.ToHex();
  }
  link.block_height = static_cast<int32_t>(heights_.HeightOf(e.tx));
  return link;
}

std::string UtxoBackend::TxidString(TxNum t) const {
  if (t.value() < graph_->tx_count()) return graph_->TxidOf(t).ToHex();
  auto txid = store_.ReadTxid(t);
  return txid.ok() ? txid->ToHex() : absl::StrCat("<tx ", t.value(), ">");
}

}  // namespace ariadne::utxo
