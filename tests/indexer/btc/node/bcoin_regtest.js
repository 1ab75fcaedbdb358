'use strict';
// A real Bitcoin node for the RPC source's tests: bcoin (from npm, pinned in tests/bcoin/package-lock.json) in
// regtest, chain in memory, JSON-RPC on 127.0.0.1:PORT with the password API_KEY (any user).
//   usage: node bcoin_regtest.js NODE_MODULES PORT API_KEY
// Prints "ready PORT ADDRESS_A ADDRESS_B" once it answers (two addresses to mine to, so that a
// branch mined to the other one has other coinbase transactions), and exits when its stdin closes
// (the test ended, however it ended).
//
// bcoin 1.0.2 is installed with --ignore-scripts (its native addons do not build on Node 20):
// NODE_BACKEND=js selects the pure-JS fallbacks, and leveldown, which bdb loads eagerly but a node
// with its chain in memory never uses, is replaced by a stub.
process.env.NODE_BACKEND = 'js';
const path = require('path');
const Module = require('module');
const [modules, port, key] = process.argv.slice(2);
const req = Module.createRequire(path.join(modules, 'bcoin', 'package.json'));
const leveldown =
    Module.createRequire(path.join(modules, 'bdb', 'package.json')).resolve('leveldown');
require.cache[leveldown] = {
  id: leveldown,
  filename: leveldown,
  loaded: true,
  exports: () => {
    throw new Error('leveldown is not built (npm ci --ignore-scripts)');
  },
};
const bcoin = req('bcoin');
const node = new bcoin.FullNode({
  network: 'regtest',
  memory: true,
  workers: false,
  listen: false,
  httpHost: '127.0.0.1',
  httpPort: Number(port),
  apiKey: key,
  logLevel: 'error',
  logConsole: true,
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
(async () => {
  await node.open();
  await node.connect();
  const a = bcoin.KeyRing.generate().getAddress().toString('regtest');
  const b = bcoin.KeyRing.generate().getAddress().toString('regtest');
  console.log(`ready ${port} ${a} ${b}`);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
