// Compiles the test contracts with solcjs (the `solc` package pinned in package-lock.json) and
// prints {Name: {bytecode, methods: {signature: selector}}} as JSON on stdout.
// Usage: node compile.js NODE_MODULES FILE.sol...
'use strict';
const fs = require('fs');
const path = require('path');
const solc = require(path.join(process.argv[2], 'solc'));

const sources = {};
for (const file of process.argv.slice(3)) {
  sources[path.basename(file)] = {content: fs.readFileSync(file, 'utf8')};
}
const input = {
  language: 'Solidity',
  sources,
  settings: {
    optimizer: {enabled: true, runs: 200},
    evmVersion: 'cancun',
    outputSelection: {'*': {'*': ['evm.bytecode.object', 'evm.methodIdentifiers']}},
  },
};
const output = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (output.errors || []).filter((e) => e.severity === 'error');
if (errors.length > 0) {
  for (const e of errors) process.stderr.write(e.formattedMessage + '\n');
  process.exit(1);
}
const out = {};
for (const file of Object.keys(output.contracts)) {
  for (const [name, c] of Object.entries(output.contracts[file])) {
    out[name] = {bytecode: '0x' + c.evm.bytecode.object, methods: c.evm.methodIdentifiers};
  }
}
process.stdout.write(JSON.stringify(out) + '\n');
