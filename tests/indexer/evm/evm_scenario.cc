#include "tests/indexer/evm/evm_scenario.h"

namespace ariadne::evm::testing {

std::unique_ptr<Scenario> MakeScenario() {
  auto s = std::make_unique<Scenario>();
  s->chain = std::make_unique<ChainWriter>(1, 100);
  ChainWriter& w = *s->chain;
  w.SetMiner(s->miner.address);
  const Address zero;
  auto call = [&](const Key& from, const Address& to, uint64_t gas, std::vector<LogSpec> logs) {
    TxSpec t;
    t.from = &from;
    t.to = to;
    t.gas_used = gas;
    t.logs = std::move(logs);
    return w.AddTx(t);
  };
  auto pay = [&](const Key& from, const Address& to, const U256& value) {
    TxSpec t;
    t.from = &from;
    t.to = to;
    t.value = value;
    return w.AddTx(t);
  };
  uint64_t time = 1'700'000'000;
  w.BeginBlock(time);
  s->mint = call(s->a, s->token, 60000, {Erc20Transfer(s->token, zero, s->a.address, U256(5000))});
  s->a_b_eth = pay(s->a, s->b.address, Ether(10));
  w.EndBlock();

  w.BeginBlock(time += 12);
  s->a_b_tkn = call(s->a, s->token, 30000,
                    {Erc20Transfer(s->token, s->a.address, s->b.address, U256(1000))});
  s->approve =
      call(s->a, s->token, 60000, {Erc20Approval(s->token, s->a.address, s->m.address, U256(500))});
  s->c_b_eth = pay(s->c, s->b.address, Ether(5));
  w.EndBlock();

  w.BeginBlock(time += 12);
  s->b_d_tkn =
      call(s->b, s->token, 30000, {Erc20Transfer(s->token, s->b.address, s->d.address, U256(600))});
  s->b_d_eth = pay(s->b, s->d.address, Ether(6));
  w.EndBlock();

  w.BeginBlock(time += 12);
  s->d_dep_tkn = call(s->d, s->token, 30000,
                      {Erc20Transfer(s->token, s->d.address, s->dep.address, U256(600))});
  s->dep_e_tkn = call(s->dep, s->token, 30000,
                      {Erc20Transfer(s->token, s->dep.address, s->e.address, U256(600))});
  w.EndBlock();

  w.BeginBlock(time += 12, /*with_traces=*/true);
  s->m_dep_eth = pay(s->m, s->dep.address, Ether(2));
  U256 fwd;
  (void)U256::CheckedSub(Ether(2), U256(10'000'000'000'000'000ULL), &fwd);  // 1.99 ETH
  s->dep_e_eth = pay(s->dep, s->e.address, fwd);
  s->a_c_nft =
      call(s->a, s->nft, 60000, {Erc721Transfer(s->nft, s->a.address, s->c.address, U256(7))});
  {
    TxSpec t;
    t.from = &s->m;
    t.to = s->vault;
    t.value = Ether(3);
    t.gas_used = 60000;
    t.internal.push_back({s->vault, s->c.address, Ether(1), {0}});
    s->m_vault = w.AddTx(t);
  }
  w.EndBlock();

  w.BeginBlock(time += 12);
  {
    TxSpec t;
    t.from = &s->b;
    t.to = s->c.address;
    t.value = Ether(1);
    t.failed = true;
    s->b_c_failed = w.AddTx(t);
  }
  s->m_pulls_a =
      call(s->m, s->token, 60000, {Erc20Transfer(s->token, s->a.address, s->m.address, U256(100))});
  w.EndBlock();
  return s;
}

}  // namespace ariadne::evm::testing
