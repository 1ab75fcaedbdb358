#include "engine/service/proto_convert.h"

namespace ariadne::service {
namespace {

// The API's chain models are the engine's, value for value: a new model is added to both.
static_assert(static_cast<int>(query::ChainModel::kUtxo) == v1::UTXO);
static_assert(static_cast<int>(query::ChainModel::kAccount) == v1::ACCOUNT);
// The trace shapes too: the service passes the wire value through and the engine checks it.
static_assert(static_cast<int>(query::TraceShape::kEdges) == v1::TraceRequest::EDGES);
static_assert(static_cast<int>(query::TraceShape::kSummary) == v1::TraceRequest::SUMMARY);
static_assert(static_cast<int>(query::TraceShape::kAggregated) == v1::TraceRequest::AGGREGATED);
v1::ChainModel ModelOf(query::ChainModel m) { return static_cast<v1::ChainModel>(m); }

void AddLabels(const std::vector<query::Label>& labels,
               google::protobuf::RepeatedPtrField<v1::Label>* out) {
  for (const query::Label& l : labels) {
    v1::Label* p = out->Add();
    p->set_label(l.label);
    p->set_category(l.category);
    p->set_source(l.source);
    p->set_address(l.address);
  }
}

void ToProto(const query::AssetAmount& a, v1::AssetAmount* out) {
  out->set_asset(a.asset);
  out->set_standard(a.standard);
  out->set_amount(a.amount);
  out->set_reason(a.reason);
  out->set_received(a.received);
  out->set_sent(a.sent);
}

void ToProto(const query::AssetBalance& b, v1::AssetBalance* out) {
  out->set_asset(b.asset);
  out->set_standard(b.standard);
  out->set_fungible(b.fungible);
  out->set_received(b.received);
  out->set_sent(b.sent);
  out->set_fees(b.fees);
  out->set_balance(b.balance);
  out->set_received_count(b.received_count);
  out->set_sent_count(b.sent_count);
  out->set_first_block(b.first_block);
  out->set_last_block(b.last_block);
  out->set_overflow(b.overflow);
}

void ToProto(const query::ExposureEntry& e, v1::ExposureEntry* out) {
  out->set_category(e.category);
  out->set_entity(e.entity);
  out->set_received_direct(e.received_direct);
  out->set_received_indirect(e.received_indirect);
  out->set_sent_direct(e.sent_direct);
  out->set_sent_indirect(e.sent_indirect);
  out->set_asset(e.asset);
  out->set_received_direct_amount(e.received_direct_amount);
  out->set_received_indirect_amount(e.received_indirect_amount);
  out->set_sent_direct_amount(e.sent_direct_amount);
  out->set_sent_indirect_amount(e.sent_indirect_amount);
}

void ToProto(const query::PathStep& s, v1::PathStep* out) {
  out->set_txid(s.txid);
  out->set_block_height(s.block_height);
  out->set_from(s.from);
  out->set_to(s.to);
  out->set_value(s.value);
  out->set_vout(s.vout);
  out->set_asset(s.asset);
  out->set_amount(s.amount);
  out->set_transfer(s.transfer);
}

void ToProto(const query::EvidenceLink& l, v1::EvidenceLink* out) {
  out->set_heuristic(l.heuristic);
  out->set_txid(l.txid);
  out->set_block_height(l.block_height);
  out->set_from(l.from);
  out->set_to(l.to);
  out->set_via(l.via);
  out->set_related_txid(l.related_txid);
}

void ToProto(const query::TxInput& in, v1::TxInput* out) {
  out->set_prev_txid(in.prev_txid);
  out->set_prev_vout(in.prev_vout);
  out->set_address(in.address);
  out->set_value(in.value);
  out->set_type(in.type);
}

void ToProto(const query::TxOutput& o, v1::TxOutput* out) {
  out->set_vout(o.vout);
  out->set_type(o.type);
  out->set_address(o.address);
  out->set_value(o.value);
  out->set_spent_by(o.spent_by);
}

void ToProto(const query::Transfer& t, v1::EvmTransfer* out) {
  out->set_index(t.index);
  out->set_kind(t.kind);
  out->set_asset(t.asset);
  out->set_from(t.from);
  out->set_to(t.to);
  out->set_amount(t.amount);
  out->set_token_id(t.token_id);
  out->set_log_index(t.log_index);
}

// Appends every item (all ToProto overloads are declared above).
template <typename Proto>
void AddAll(const auto& items, google::protobuf::RepeatedPtrField<Proto>* out) {
  for (const auto& item : items) ToProto(item, out->Add());
}

}  // namespace

// ---- Requests

query::HistoryRequest FromProto(const v1::GetAddressHistoryRequest& r) {
  return {r.address(), r.limit(), r.cursor(), r.newest_first()};
}

template <typename Request>
query::ClusterSelector SelectorOf(const Request& r) {
  query::ClusterSelector s;
  if (r.selector_case() == Request::kClusterId) s.cluster_id = r.cluster_id();
  if (r.selector_case() == Request::kAddress) s.address = r.address();
  return s;
}

query::ClusterSelector FromProto(const v1::GetClusterRequest& r) { return SelectorOf(r); }

query::MembersRequest FromProto(const v1::GetClusterMembersRequest& r) {
  return {SelectorOf(r), r.limit(), r.cursor()};
}

query::TraceRequest FromProto(const v1::TraceRequest& r) {
  query::TraceRequest q;
  q.seed = r.seed();
  q.direction = r.direction();
  q.taint = r.taint();
  q.hops = r.hops();
  q.min_value = r.min_value();
  q.from_height = r.from_height();
  q.to_height = r.to_height();
  q.stop_at.assign(r.stop_at().begin(), r.stop_at().end());
  q.by_cluster = r.by_cluster();
  q.max_edges = r.max_edges();
  q.through_coinjoins = r.through_coinjoins();
  q.asset = r.asset();
  q.min_amount = r.min_amount();
  q.shape = r.shape();
  return q;
}

query::PathsRequest FromProto(const v1::PathsRequest& r) {
  return {r.from(), r.to(), r.max_hops(), r.by_cluster(), r.max_paths(), r.asset()};
}

query::ExposureRequest FromProto(const v1::ExposureRequest& r) {
  query::ExposureRequest q;
  if (r.subject_case() == v1::ExposureRequest::kAddress) q.address = r.address();
  if (r.subject_case() == v1::ExposureRequest::kClusterId) q.cluster_id = r.cluster_id();
  q.hops = r.hops();
  q.taint = r.taint();
  q.by_cluster = r.by_cluster();
  return q;
}

// ---- Answers

void ToProto(const query::ChainStatus& s, v1::ChainStatus* out) {
  out->set_model(ModelOf(s.model));
  out->set_network(s.network);
  out->set_tip_height(s.tip_height);
  out->set_tip_hash(s.tip_hash);
  out->set_tip_time(s.tip_time);
  out->set_tx_count(s.tx_count);
  out->set_input_count(s.input_count);
  out->set_output_count(s.output_count);
  out->set_address_count(s.address_count);
  out->set_utxo_count(s.utxo_count);
  out->set_utxo_value(s.utxo_value);
  out->set_schema_version(s.schema_version);
  out->set_chain_id(s.chain_id);
  out->set_transfer_count(s.transfer_count);
  out->set_asset_count(s.asset_count);
  out->set_log_count(s.log_count);
  out->set_block_count(s.block_count);
  out->set_blocks_without_traces(s.blocks_without_traces);
}

void ToProto(const query::AddressSummary& s, v1::AddressSummary* out) {
  out->set_model(ModelOf(s.model));
  out->set_address(s.address);
  out->set_type(s.type);
  out->set_tx_count(s.tx_count);
  out->set_received(s.received);
  out->set_sent(s.sent);
  out->set_balance(s.balance);
  out->set_first_seen_height(s.first_seen_height);
  out->set_last_seen_height(s.last_seen_height);
  out->set_output_count(s.output_count);
  out->set_unspent_count(s.unspent_count);
  for (const std::string& k : s.multisig_keys) out->add_multisig_keys(k);
  out->set_cluster_id(s.cluster_id);
  AddLabels(s.labels, out->mutable_labels());
  AddAll(s.assets, out->mutable_assets());
}

void ToProto(const query::HistoryEntry& e, v1::HistoryEntry* out) {
  out->set_model(ModelOf(e.model));
  out->set_txid(e.txid);
  out->set_block_height(e.block_height);
  out->set_block_time(e.block_time);
  out->set_received(e.received);
  out->set_sent(e.sent);
  out->set_cursor(e.cursor);
  AddAll(e.amounts, out->mutable_amounts());
  out->set_fee(e.fee);
  out->set_status(e.status);
  out->set_from(e.from);
  out->set_to(e.to);
}

void ToProto(const query::Transaction& t, v1::Transaction* out) {
  out->set_model(ModelOf(t.model));
  out->set_txid(t.txid);
  out->set_block_height(t.block_height);
  out->set_block_hash(t.block_hash);
  out->set_block_time(t.block_time);
  out->set_fee(t.fee);
  out->set_coinbase(t.coinbase);
  out->set_size(t.size);
  out->set_vsize(t.vsize);
  out->set_version(t.version);
  out->set_locktime(t.locktime);
  AddAll(t.inputs, out->mutable_inputs());
  AddAll(t.outputs, out->mutable_outputs());
  if (t.model != query::ChainModel::kAccount) return;
  const query::AccountTransaction& a = t.account;
  v1::EvmTransaction* e = out->mutable_evm();
  e->set_chain_id(a.chain_id);
  e->set_from(a.from);
  e->set_to(a.to);
  e->set_created_contract(a.created_contract);
  e->set_value(a.value);
  e->set_fee(a.fee);
  e->set_status(a.status);
  e->set_index(a.index);
  e->set_type(a.type);
  e->set_nonce(a.nonce);
  e->set_gas_used(a.gas_used);
  e->set_effective_gas_price(a.effective_gas_price);
  e->set_log_count(a.log_count);
  e->set_selector(a.selector);
  AddAll(a.transfers, e->mutable_transfers());
}

void ToProto(const query::ClusterSummary& c, v1::ClusterSummary* out) {
  out->set_model(ModelOf(c.model));
  out->set_cluster_id(c.cluster_id);
  out->set_size(c.size);
  out->set_received(c.received);
  out->set_sent(c.sent);
  out->set_balance(c.balance);
  out->set_first_seen_height(c.first_seen_height);
  out->set_last_seen_height(c.last_seen_height);
  out->set_tx_count(c.tx_count);
  AddLabels(c.labels, out->mutable_labels());
  out->set_policy(c.policy);
  AddAll(c.assets, out->mutable_assets());
}

void ToProto(const query::ClusterMember& m, v1::ClusterMember* out) {
  out->set_address(m.address);
  out->set_cursor(m.cursor);
}

void ToProto(const query::Explanation& x, v1::ExplainReply* out) {
  out->set_model(ModelOf(x.model));
  out->set_cluster_id(x.cluster_id);
  AddAll(x.links, out->mutable_links());
  out->set_policy(x.policy);
}

void ToProto(const query::TraceNode& n, v1::TraceNode* out) {
  out->set_id(n.id);
  out->set_kind(n.kind);
  out->set_cluster_id(n.cluster_id);
  out->set_size(n.size);
  AddLabels(n.labels, out->mutable_labels());
}

void ToProto(const query::TraceEdge& e, v1::TraceEdge* out) {
  out->set_from(e.from);
  out->set_to(e.to);
  out->set_txid(e.txid);
  out->set_block_height(e.block_height);
  out->set_value(e.value);
  out->set_tainted_value(e.tainted_value);
  out->set_hop(e.hop);
  out->set_asset(e.asset);
  out->set_amount(e.amount);
  out->set_tainted_amount(e.tainted_amount);
  out->set_transfer(e.transfer);
}

void ToProto(const query::TraceFlow& f, v1::TraceFlow* out) {
  out->set_from(f.from);
  out->set_to(f.to);
  out->set_value(f.value);
  out->set_tainted_value(f.tainted_value);
  out->set_transactions(f.transactions);
  out->set_edges(f.edges);
  out->set_hop(f.hop);
  out->set_first_block_height(f.first_block_height);
  out->set_last_block_height(f.last_block_height);
  out->set_asset(f.asset);
  out->set_amount(f.amount);
  out->set_tainted_amount(f.tainted_amount);
}

void ToProto(const query::TraceEndpoint& e, v1::TraceEndpoint* out) {
  out->set_node(e.node);
  out->set_reason(e.reason);
  out->set_tainted_value(e.tainted_value);
  out->set_hop(e.hop);
  out->set_asset(e.asset);
  out->set_tainted_amount(e.tainted_amount);
}

void ToProto(const query::TraceSummary& s, v1::TraceSummary* out) {
  out->set_model(ModelOf(s.model));
  out->set_seed(s.seed);
  out->set_seed_value(s.seed_value);
  for (const auto& [reason, value] : s.tainted_by_reason) {
    (*out->mutable_tainted_by_reason())[reason] = value;
  }
  out->set_transactions(s.transactions);
  out->set_nodes(s.nodes);
  out->set_edges(s.edges);
  out->set_truncated(s.truncated);
  out->set_taint(s.taint);
  out->set_direction(s.direction);
  AddAll(s.seed_amounts, out->mutable_seed_amounts());
  AddAll(s.tainted_amounts, out->mutable_tainted_amounts());
}

void ToProto(const query::Paths& p, v1::PathsReply* out) {
  out->set_model(ModelOf(p.model));
  for (const query::Path& path : p.paths) {
    v1::Path* pp = out->add_paths();
    AddAll(path.steps, pp->mutable_steps());
    pp->set_bottleneck(path.bottleneck);
  }
  out->set_hops(p.hops);
  out->set_truncated(p.truncated);
}

void ToProto(const query::Exposure& x, v1::ExposureReply* out) {
  out->set_model(ModelOf(x.model));
  out->set_subject(x.subject);
  out->set_addresses(x.addresses);
  out->set_received(x.received);
  out->set_sent(x.sent);
  out->set_hops(x.hops);
  AddAll(x.categories, out->mutable_categories());
  AddAll(x.entities, out->mutable_entities());
  out->set_truncated(x.truncated);
  AddAll(x.received_amounts, out->mutable_received_amounts());
  AddAll(x.sent_amounts, out->mutable_sent_amounts());
}

}  // namespace ariadne::service
