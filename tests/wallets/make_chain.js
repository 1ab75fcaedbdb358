#!/usr/bin/env node
// A regtest chain made by a real wallet implementation, with its truth (issue 19): ground truth
// that the people who wrote Ariadne's heuristics did not design.
//
// bcoin (pinned in tests/bcoin/package-lock.json) runs in-process on regtest: a full node (chain,
// mempool, miner; no peers, no HTTP server) with its wallet plugin. Every transaction is made by bcoin's
// wallet: its coin selection, its change address and change output, its fee and its BIP69
// ordering. This script only decides who pays whom and how much (the wallets' kinds of behaviour),
// mines the blocks, and then writes
//   OUT/blocks/blk00000.dat   the blocks in Bitcoin Core's blk file format (regtest magic, size,
//                             block), for `ariadne index btc --network regtest`;
//   OUT/truth/                which wallet owns each output address, in the generator's truth
//                             format (docs/generator.md), for `ariadne eval clusters --truth`.
// Wallets: a miner, two exchanges (batched withdrawals, a persistent deposit address per customer,
// consolidations), a merchant (a fresh address per payment, sweeps to an exchange), a gambling
// site (a deposit address per player, payouts to a fresh address of the winner), heavy users, and
// individuals of three script types (P2PKH; P2WPKH; P2SH-P2WPKH receive addresses whose change
// bcoin sends to native P2WPKH). No CoinJoins: every multi-input transaction has one owner.
//
// Usage: node make_chain.js --modules DIR --out DIR [--blocks N] [--actions N] [--seed N]
//   --modules  the node_modules folder holding bcoin (installed by `npm ci --ignore-scripts`)
//   --blocks   blocks of wallet traffic after the set-up blocks (default 60)
//   --actions  payments attempted per block (default 25)
'use strict';

const fs = require('fs');
const path = require('path');
const Module = require('module');
const {createRequire} = Module;

function parseArgs(argv) {
  const out = {blocks: 60, actions: 25, seed: 1};
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].replace(/^--/, '');
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`--${name} needs a value`);
    i++;
    if (['blocks', 'actions', 'seed'].includes(name)) {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} '${value}' is not a count`);
      out[name] = n;
    } else if (name === 'modules' || name === 'out') {
      out[name] = value;
    } else {
      throw new Error(`unknown option --${name}`);
    }
  }
  if (!out.modules || !out.out) {
    throw new Error('usage: make_chain.js --modules DIR --out DIR [--blocks N] [--actions N]');
  }
  return out;
}

// Deterministic choices (the wallets' keys come from the seed too).
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function main() {
  const opt = parseArgs(process.argv.slice(2));
  const req = createRequire(path.join(path.resolve(opt.modules), 'index.js'));
  // bcoin's libraries (bcrypto, mrmr, ...) use their pure-JavaScript code when asked: their native
  // addons are not built (npm ci --ignore-scripts; they do not build on Node 20).
  process.env.NODE_BACKEND = 'js';
  // Installed with --ignore-scripts, leveldown has no native addon, and bdb requires it on load.
  // The node and the wallets keep everything in memory (bdb's MemDB), so leveldown is never
  // used: a stand-in that says so if it ever were.
  const leveldown = req.resolve('leveldown');
  const stub = new Module(leveldown);
  stub.exports = () => {
    throw new Error('leveldown is not built (--ignore-scripts); use memory: true');
  };
  stub.loaded = true;
  Module._cache[leveldown] = stub;
  const bcoin = req('bcoin');
  const {bech32} = req('bstring');
  const rand = mulberry32(opt.seed);
  const pick = (arr) => arr[Math.floor(rand() * arr.length)];
  const between = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));

  // Segwit by BIP9 in windows of 8 blocks instead of 144: active from height 24, not 432.
  const network = bcoin.Network.get('regtest');
  network.deployments.segwit.window = 8;
  network.deployments.segwit.threshold = 6;
  bcoin.set('regtest');

  const node = new bcoin.FullNode({
    network: 'regtest',
    memory: true,
    workers: false,
    listen: false,
    logLevel: 'none',
    'http-host': '127.0.0.1',
  });
  node.use(bcoin.wallet.plugin);
  const plugin = node.require('walletdb');
  // In-process only: no HTTP listeners (nothing binds a port).
  for (const server of [node.http, plugin.http]) {
    server.open = async () => {};
    server.close = async () => {};
  }
  await node.open();
  const wdb = plugin.wdb;
  const chain = node.chain;

  async function synced() {
    while (wdb.state.height < chain.height) await new Promise((r) => setImmediate(r));
  }

  // --- The wallets. kind: the truth's entity kind.
  const wallets = [];
  async function makeWallet(name, kind, script, extra = {}) {
    const seed = Buffer.alloc(32);
    seed.write(`ariadne-${opt.seed}-${name}`.slice(0, 32));
    const master = bcoin.hd.PrivateKey.fromSeed(seed);
    const w = await wdb.create({id: name, witness: script !== 'p2pkh', master});
    const entry = {
      name, kind, script, w,
      // sat per kvB, one per wallet; from 2,000: at bcoin's relay minimum of 1,000 its own size
      // estimate for nested segwit inputs falls short and the mempool refuses the transaction.
      rate: extra.rate || between(2, 30) * 1000,
      selection: extra.selection || 'value',
      deposit: new Map(),  // payer name -> this wallet's deposit address for it (exchanges, gambling)
      ...extra,
    };
    wallets.push(entry);
    return entry;
  }
  const miner = await makeWallet('miner-1', 'miner', 'p2pkh', {rate: 2000});
  const exchanges = [
    await makeWallet('exchange-1', 'exchange', 'p2wpkh', {rate: 5000, selection: 'age'}),
    await makeWallet('exchange-2', 'exchange', 'p2pkh', {rate: 8000}),
  ];
  const merchant = await makeWallet('merchant-1', 'merchant', 'p2wpkh', {rate: 3000});
  const gambling = await makeWallet('gambling-1', 'gambling', 'p2pkh', {rate: 10000});
  const people = [];
  for (let i = 1; i <= 4; i++) {
    people.push(await makeWallet(`heavy-${i}`, 'individual', i % 2 ? 'p2wpkh' : 'p2pkh',
                                 {heavy: true}));
  }
  const scripts = ['p2pkh', 'p2wpkh', 'p2sh-p2wpkh'];
  for (let i = 1; i <= 40; i++) {
    people.push(await makeWallet(`individual-${i}`, 'individual', scripts[i % 3],
                                 {reuse: i % 7 === 0, selection: i % 5 === 0 ? 'age' : 'value'}));
  }

  // A fresh receiving address of a wallet (of its script type).
  async function fresh(entry) {
    const key = entry.script === 'p2sh-p2wpkh' ? await entry.w.createNested()
                                                : await entry.w.createReceive();
    return key.getAddress();
  }
  // The address `payee` gives `payer`: a persistent one for exchanges' and gambling's deposits and
  // for individuals who reuse, a fresh one otherwise.
  async function payTo(payee, payer) {
    if (payee.kind === 'exchange' || payee.kind === 'gambling' || payee.reuse) {
      const key = payee.reuse ? '*' : payer.name;
      if (!payee.deposit.has(key)) payee.deposit.set(key, await fresh(payee));
      return payee.deposit.get(key);
    }
    return fresh(payee);
  }

  let sent = 0;
  let failed = 0;
  const failures = new Map();
  async function send(payer, outputs, extra = {}) {
    try {
      const tx = await payer.w.send({
        outputs, rate: payer.rate, selection: payer.selection, ...extra,
      });
      // The wallet hands the transaction to the node without waiting; adding it again waits
      // for the mempool's lock, after which the mempool holds it or has refused it.
      await node.mempool.addTX(tx).catch(() => {});
      if (!node.mempool.hasEntry(tx.hash('hex'))) {
        // The node refused it (logged by bcoin at level error): the wallet gives it up, so that
        // its coins are spendable again, and it is counted as refused.
        await payer.w.abandon(tx.hash('hex'));
        throw new Error('refused by the node\'s mempool');
      }
      sent++;
      return tx;
    } catch (e) {
      failed++;
      failures.set(e.message, (failures.get(e.message) || 0) + 1);
      return null;
    }
  }
  async function spendable(entry) {
    const b = await entry.w.getBalance();
    return b.unconfirmed;
  }
  // An amount a person pays: priced in a fiat currency (arbitrary satoshis), round in bitcoin, or
  // a share of what they hold.
  function amount(balance) {
    const r = rand();
    let v;
    if (r < 0.3) {
      v = between(1, 9) * Math.pow(10, between(5, 6));  // 0.001 .. 0.09 BTC, round
    } else if (r < 0.7) {
      v = Math.floor(between(10, 500) * 1e8 / between(9000, 11000));  // $10..$500 at a price
    } else {
      v = Math.floor(balance * (0.05 + 0.5 * rand()));
    }
    return Math.min(v, Math.floor(balance * 0.8));
  }

  let coinbaseAddr = await fresh(miner);
  async function mine(n) {
    for (let i = 0; i < n; i++) {
      if (chain.height % 10 === 0) coinbaseAddr = await fresh(miner);
      const block = await node.miner.mineBlock(chain.tip, coinbaseAddr);
      await chain.add(block);
      await synced();
    }
  }

  // --- Set-up: mature coinbases and an active segwit.
  await mine(110);
  if (!chain.state.hasWitness()) {
    // getDeploymentState reflects the tip; segwit must be active before the first P2WPKH spend.
    throw new Error('segwit is not active after the set-up blocks');
  }

  // --- Traffic. The exchanges buy the first mature coinbases.
  for (const ex of exchanges) {
    await send(miner, [{address: await payTo(ex, miner), value: 150e8}]);
  }
  await mine(1);
  const customers = people;
  for (let b = 0; b < opt.blocks; b++) {
    // The miner sells its coinbases to the exchanges.
    if (b % 2 === 0) {
      await send(miner, [{address: await payTo(exchanges[(b / 2) % 2], miner), value: 40e8}]);
    }
    for (let a = 0; a < opt.actions; a++) {
      const r = rand();
      if (r < 0.16) {
        // An exchange's batched withdrawals: to 2..12 customers, sometimes equal amounts.
        const ex = pick(exchanges);
        const n = between(2, 12);
        const equal = rand() < 0.25 ? between(1, 5) * 1e6 : 0;
        const outs = [];
        const seen = new Set();
        for (let k = 0; k < n; k++) {
          const c = pick(customers);
          if (seen.has(c.name)) continue;
          seen.add(c.name);
          const v = equal || Math.floor(between(20, 3000) * 1e8 / between(9000, 11000));
          outs.push({address: await fresh(c), value: v});
        }
        if (outs.length) await send(ex, outs);
      } else if (r < 0.22) {
        // A customer withdraws from an exchange alone (one output, the exchange's change).
        const ex = pick(exchanges);
        const c = pick(customers);
        await send(ex, [{address: await fresh(c), value: between(1e5, 5e7)}]);
      } else if (r < 0.4) {
        // A payment to the merchant (a fresh invoice address).
        const p = pick(customers);
        const bal = await spendable(p);
        if (bal < 2e5) continue;
        await send(p, [{address: await payTo(merchant, p), value: Math.max(amount(bal), 5e4)}]);
      } else if (r < 0.52) {
        // A deposit to an exchange (the customer's deposit address there).
        const p = pick(customers);
        const bal = await spendable(p);
        if (bal < 2e5) continue;
        await send(p, [{address: await payTo(pick(exchanges), p), value: amount(bal)}]);
      } else if (r < 0.62) {
        // A bet, and for a winner a payout to a fresh address of the player.
        const p = pick(customers);
        const bal = await spendable(p);
        if (bal < 2e5) continue;
        const bet = Math.max(Math.floor(amount(bal) / 2), 5e4);
        const tx = await send(p, [{address: await payTo(gambling, p), value: bet}]);
        if (tx && rand() < 0.45) {
          await send(gambling, [{address: await fresh(p), value: bet * 2 - 1000}]);
        }
      } else if (r < 0.8) {
        // A person pays another.
        const p = pick(customers);
        const q = pick(customers);
        if (p === q) continue;
        const bal = await spendable(p);
        if (bal < 2e5) continue;
        await send(p, [{address: await payTo(q, p), value: amount(bal)}]);
      } else if (r < 0.9) {
        // A heavy user pays several people at once.
        const p = pick(people.filter((x) => x.heavy));
        const bal = await spendable(p);
        if (bal < 1e6) continue;
        const outs = [];
        const n = between(2, 4);
        for (let k = 0; k < n; k++) {
          const q = pick(customers);
          if (q !== p) outs.push({address: await payTo(q, p), value: Math.floor(bal / (2 * n))});
        }
        if (outs.length) await send(p, outs);
      } else if (r < 0.95) {
        // The merchant sweeps its takings to an exchange (many inputs, one or two outputs).
        const bal = await spendable(merchant);
        if (bal < 1e6) continue;
        await send(merchant, [{address: await payTo(exchanges[0], merchant),
                               value: Math.floor(bal * 0.9)}]);
      } else if (r < 0.97) {
        // An exchange consolidates its deposits into one of its own addresses.
        const ex = pick(exchanges);
        const bal = await spendable(ex);
        if (bal < 1e7) continue;
        await send(ex, [{address: await fresh(ex), value: Math.floor(bal * 0.5)}],
                   {selection: 'age'});
      } else {
        // A person moves money to a new address of their own.
        const p = pick(customers);
        const bal = await spendable(p);
        if (bal < 2e5) continue;
        await send(p, [{address: await fresh(p), value: Math.floor(bal * 0.7)}]);
      }
    }
    await mine(1);
  }
  await mine(1);  // confirm whatever is left
  if (node.mempool.map.size !== 0) throw new Error('mempool not empty at the end');

  // --- Output: blocks in Core's blk format, then the truth.
  const coreAddress = (addr) => {
    if (addr.isProgram()) return bech32.encode('bcrt', addr.version, addr.hash);
    return addr.toBase58('testnet');  // Core's regtest uses testnet's base58 prefixes
  };
  const tmp = `${opt.out}.tmp-${process.pid}`;
  fs.rmSync(tmp, {recursive: true, force: true});
  fs.mkdirSync(path.join(tmp, 'blocks'), {recursive: true});
  fs.mkdirSync(path.join(tmp, 'truth'), {recursive: true});
  const fd = fs.openSync(path.join(tmp, 'blocks', 'blk00000.dat'), 'w');
  const magic = Buffer.from([0xfa, 0xbf, 0xb5, 0xda]);
  const outputs = new Map();  // "txid:vout" -> value, the unspent outputs
  const addresses = new Map();  // Core address -> entity id
  let txs = 0;
  let inputs = 0;
  let outputsCount = 0;
  const byWallet = new Map(wallets.map((e, i) => [e.name, i]));
  const owner = async (addr) => {
    for (const e of wallets) {
      if (await e.w.hasAddress(addr)) return byWallet.get(e.name);
    }
    return -1;
  };
  let unowned = 0;
  for (let h = 0; h <= chain.height; h++) {
    const block = await chain.getBlock(await chain.getHash(h));
    const raw = block.toRaw();
    const size = Buffer.alloc(4);
    size.writeUInt32LE(raw.length);
    fs.writeSync(fd, Buffer.concat([magic, size, raw]));
    for (const tx of block.txs) {
      txs++;
      const id = tx.txid();
      if (!tx.isCoinbase()) {
        for (const input of tx.inputs) {
          inputs++;
          outputs.delete(`${input.prevout.txid()}:${input.prevout.index}`);
        }
      }
      tx.outputs.forEach((o, i) => {
        outputsCount++;
        if (h > 0) outputs.set(`${id}:${i}`, o.value);
      });
      if (h === 0) continue;  // the genesis output pays no wallet of ours
      for (const o of tx.outputs) {
        const addr = o.getAddress();
        if (!addr) continue;
        const s = coreAddress(addr);
        if (addresses.has(s)) continue;
        const e = await owner(addr);
        if (e < 0) {
          unowned++;
          continue;
        }
        addresses.set(s, e);
      }
    }
  }
  fs.closeSync(fd);
  if (unowned) throw new Error(`${unowned} output addresses belong to no wallet`);

  const t = path.join(tmp, 'truth');
  fs.writeFileSync(path.join(t, 'entities.csv'),
                   'entity_id,kind,name\n' +
                   wallets.map((e, i) => `${i},${e.kind},${e.name}\n`).join(''));
  let rows = 'address,entity_id\n';
  for (const [a, e] of addresses) rows += `${a},${e}\n`;
  fs.writeFileSync(path.join(t, 'addresses.csv'), rows);
  fs.writeFileSync(path.join(t, 'scenarios.csv'), 'scenario_id,kind,role,ref,value\n');
  fs.writeFileSync(path.join(t, 'txlabels.csv'), 'txid,label\n');  // no CoinJoins
  fs.writeFileSync(path.join(t, 'tags.csv'), 'address,label,category,source\n');
  const kinds = {};
  for (const e of wallets) kinds[e.kind] = (kinds[e.kind] || 0) + 1;
  const scriptsUsed = {};
  for (const e of wallets) scriptsUsed[e.script] = (scriptsUsed[e.script] || 0) + 1;
  let utxoValue = 0;
  for (const v of outputs.values()) utxoValue += v;
  const summary = {
    generator_version: 'bcoin-1.0.2-wallets/1',
    network: 'regtest',
    seed: opt.seed,
    blocks: chain.height + 1,
    txs,
    inputs,
    outputs: outputsCount,
    addresses: addresses.size,
    utxo_count: outputs.size,
    utxo_value: utxoValue,
    entities: kinds,
    scenarios: 0,
    tx_labels: {},
    wallets_by_script: scriptsUsed,
    sends: {made: sent, refused: failed, refusals: Object.fromEntries(failures)},
    options: {blocks: opt.blocks, actions: opt.actions},
  };
  fs.writeFileSync(path.join(t, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  await node.close();
  fs.rmSync(opt.out, {recursive: true, force: true});
  fs.renameSync(tmp, opt.out);
  process.stdout.write(`${opt.out}: ${summary.blocks} blocks, ${txs} transactions, ` +
                       `${addresses.size} addresses, ${wallets.length} wallets ` +
                       `(${sent} payments made, ${failed} refused by the wallets)\n`);
}

main().catch((e) => {
  process.stderr.write(`make_chain: ${e.stack || e}\n`);
  process.exit(1);
});
