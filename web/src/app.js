// The workspace: search, graph, side panel, case file. Everything it knows comes from the JSON API
// of the server that served it; window.ariadne exposes the same actions and the graph's model
// (the browser tests drive it through them and check the DOM and the model, not pixels).
import { Api } from './api.js';
import { CaseFile, CaseError } from './case.js';
import { Graph, btc, guessKind } from './graph.js';

const $ = (id) => document.getElementById(id);
const api = new Api('');
const graph = new Graph($('graph'));
let caseFile = new CaseFile({ id: '', title: '', seeds: [] });
let selected = null;  // id of the selected node or edge
let busy = 0;

function esc(s) {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

function showError(e) {
  const box = $('error');
  box.hidden = !e;
  box.textContent = e ? e.message : '';
  window.ariadne.lastError = e ? { code: e.code || 'ERROR', message: e.message } : null;
}

// Runs one action: the status line says what runs, an error is shown, never thrown.
async function run(what, fn) {
  busy += 1;
  $('status').textContent = `${what}…`;
  showError(null);
  try {
    return await fn();
  } catch (e) {
    showError(e);
    return null;
  } finally {
    busy -= 1;
    $('status').textContent = busy ? $('status').textContent : '';
  }
}

function labelsHtml(labels, withAddress) {
  if (!labels || !labels.length) return '';
  return `<tr><th>labels</th><td>${labels.map((l) => `<span class="label" title="source: ${esc(l.source)}">${esc(l.label)} [${esc(l.category)}]${withAddress && l.address ? ` on ${esc(l.address)}` : ''}</span> <span class="muted">source ${esc(l.source)}</span>`).join('<br>')}</td></tr>`;
}

function notesHtml(target) {
  const notes = caseFile.notesOn(target);
  if (!notes.length) return '';
  return `<h3>Notes</h3>${notes.map((n) => `<p class="note">${esc(n.text)}</p>`).join('')}`;
}

function table(rows) {
  return `<table>${rows.filter(Boolean).map(([k, v]) => (typeof v === 'string' && v.startsWith('<tr') ? v : `<tr><th>${esc(k)}</th><td>${v}</td></tr>`)).join('')}</table>`;
}

async function showAddress(address) {
  const a = await api.get(`address/${encodeURIComponent(address)}`);
  graph.addNode({ id: a.address, kind: 'address', labels: a.labels, cluster_id: a.cluster_id });
  $('details').innerHTML = `<h3>Address</h3>${table([
    ['address', esc(a.address)], ['type', esc(a.type)], ['transactions', a.tx_count],
    a.received !== undefined && ['received', `${btc(a.received)} BTC`],
    a.sent !== undefined && ['sent', `${btc(a.sent)} BTC`],
    a.balance !== undefined && ['balance', `${btc(a.balance)} BTC`],
    ['seen', `${a.first_seen_height} … ${a.last_seen_height}`],
    ['cluster', a.cluster_id >= 0 ? `<a href="#" data-node="cluster:${a.cluster_id}">cluster:${a.cluster_id}</a>` : 'none'],
    labelsHtml(a.labels, false)])}${notesHtml(a.address)}`;
  return a;
}

async function showCluster(id) {
  const c = await api.get(`cluster/${encodeURIComponent(id)}`);
  graph.addNode({ id: `cluster:${c.cluster_id}`, kind: 'cluster', cluster_id: c.cluster_id, size: c.size, labels: c.labels });
  $('details').innerHTML = `<h3>Cluster</h3>${table([
    ['cluster', `cluster:${c.cluster_id}`], ['addresses', c.size], ['transactions', c.tx_count],
    ['received', `${btc(c.received)} BTC`], ['sent', `${btc(c.sent)} BTC`], ['balance', `${btc(c.balance)} BTC`],
    ['policy', esc(c.policy)], labelsHtml(c.labels, true)])}${notesHtml(`cluster:${c.cluster_id}`)}`;
  return c;
}

async function showTx(txid) {
  const t = await api.get(`tx/${encodeURIComponent(txid)}`);
  const node = `tx:${t.txid}`;
  graph.cy.batch(() => {
    graph.addNode({ id: node, kind: 'tx' });
    for (const i of t.inputs || []) {
      if (i.address) graph.addFlow({ from: i.address, to: node, value: i.value, transactions: 1, txid: t.txid });
    }
    for (const o of t.outputs || []) {
      if (o.address) graph.addFlow({ from: node, to: o.address, value: o.value, transactions: 1, txid: t.txid });
    }
  });
  graph.layout(node);
  $('details').innerHTML = `<h3>Transaction</h3>${table([
    ['txid', esc(t.txid)], ['block', `${t.block_height} (${new Date(t.block_time * 1000).toISOString()})`],
    ['fee', `${btc(t.fee)} BTC`], ['inputs', (t.inputs || []).length], ['outputs', (t.outputs || []).length]])}`;
  return t;
}

// Opens what a search box or a seed names.
async function open(q) {
  q = q.trim();
  if (!q) return null;
  if (/^cluster:\d+$/.test(q)) { selected = q; return showCluster(q); }
  const tx = q.match(/^([0-9a-fA-F]{64})(?::\d+)?$/);
  if (tx) { selected = `tx:${tx[1].toLowerCase()}`; return showTx(tx[1]); }
  selected = q;
  const a = await showAddress(q);
  graph.layout(q);
  return a;
}

async function search(q) {
  return run(`searching ${q}`, async () => {
    const r = await open(q);
    if (r) {
      caseFile.addSeed(q.trim());
      graph.addNode({ id: selected, kind: guessKind(selected) }, { seed: true });
      graph.cy.getElementById(selected).select();
      $('actions').hidden = false;
    }
    return r;
  });
}

async function select(id) {
  selected = id;
  $('actions').hidden = false;
  return run(`loading ${id}`, async () => {
    const kind = guessKind(id);
    if (kind === 'cluster') return showCluster(id);
    if (kind === 'tx') return showTx(id.slice(3));
    if (kind === 'address') return showAddress(id);
    $('details').innerHTML = `<h3>${esc(id)}</h3>`;
    return null;
  });
}

async function expand(id, direction) {
  return run(`expanding ${id}`, async () => {
    const t = await api.get('neighbours', { node: id, direction, limit: 50 });
    graph.drawTrace({ ...t, seed: id });
    return t;
  });
}

async function trace(seed, direction, taint, hops) {
  return run(`tracing ${seed}`, async () => {
    const t = await api.get('trace', { seed, direction, taint, hops, shape: 'aggregated', max_edges: 100000 });
    graph.drawTrace(t);
    const reasons = Object.entries(t.tainted_by_reason || {}).map(([r, v]) => `<tr><td>${esc(r)}</td><td>${btc(v)} BTC</td></tr>`).join('');
    $('result').innerHTML = `<h3>Trace ${esc(direction)} (${esc(taint)}, ${hops} hops)</h3>${table([
      ['seeded', `${btc(t.seed_value)} BTC`], ['transactions', t.transactions],
      ['nodes / edges', `${t.node_count} / ${t.edge_count}`], ['truncated', t.truncated ? 'yes' : 'no']])}
      <h3>Where the tainted value ended</h3><table>${reasons}</table>`;
    return t;
  });
}

async function paths(from, to) {
  return run(`paths ${from} → ${to}`, async () => {
    const p = await api.get('paths', { from, to, max_hops: 6 });
    graph.cy.batch(() => {
      for (const path of p.paths) {
        for (const s of path.steps) graph.addFlow({ from: s.from, to: s.to, value: s.value, transactions: 1, txid: s.txid });
      }
    });
    graph.layout(from);
    $('result').innerHTML = `<h3>${p.paths.length} path(s) of ${p.hops} hop(s)</h3>${p.paths.map((path, i) =>
      `<p>path ${i + 1}: ${path.steps.map((s) => `${esc(s.txid.slice(0, 12))}… (${s.block_height}) ${btc(s.value)} BTC`).join(' → ')}</p>`).join('')}`;
    return p;
  });
}

async function exposure(subject) {
  return run(`exposure of ${subject}`, async () => {
    const x = await api.get('exposure', { subject, hops: 3 });
    const rows = (x.categories || []).map((e) => `<tr><td>${esc(e.category)}</td><td>${btc(e.received_direct)}</td><td>${btc(e.received_indirect)}</td><td>${btc(e.sent_direct)}</td><td>${btc(e.sent_indirect)}</td></tr>`).join('');
    $('result').innerHTML = `<h3>Exposure of ${esc(subject)}</h3><table><tr><th>category</th><th>recv direct</th><th>recv indirect</th><th>sent direct</th><th>sent indirect</th></tr>${rows || '<tr><td colspan="5" class="muted">no labelled entity within 3 hops</td></tr>'}</table>`;
    return x;
  });
}

async function why(a, b) {
  return run(`why ${a} ~ ${b}`, async () => {
    const links = await api.get('why', { a, b });
    $('result').innerHTML = `<h3>Why ${esc(a)} and ${esc(b)} share a cluster</h3><ol id="why-chain">${links.map((l) =>
      `<li>${esc(l.from)} → ${esc(l.to)}: <b>${esc(l.heuristic)}</b> in tx ${esc(l.txid)} (height ${l.block_height})${l.decided_by_txid ? `, decided when spent in ${esc(l.decided_by_txid)}` : ''}</li>`).join('')}</ol>`;
    return links;
  });
}

function download(name, blob) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

function caseText() {
  caseFile.id = $('case-id').value;
  caseFile.title = $('case-title').value;
  return caseFile.text();
}

async function loadCase(text) {
  try {
    caseFile = CaseFile.parse(text);
  } catch (e) {
    showError(e instanceof CaseError ? Object.assign(e, { code: 'INVALID_CASE' }) : e);
    return null;
  }
  $('case-id').value = caseFile.id;
  $('case-title').value = caseFile.title;
  api.caseId = caseFile.id;
  graph.cy.elements().remove();
  for (const seed of caseFile.seeds) await search(seed);
  return caseFile;
}

// Wiring.
$('search-form').addEventListener('submit', (ev) => { ev.preventDefault(); search($('search').value); });
$('token').addEventListener('change', () => { api.token = $('token').value; sessionStorage.setItem('ariadne-token', api.token); });
$('case-id').addEventListener('change', () => { api.caseId = $('case-id').value; });
$('expand-out').addEventListener('click', () => selected && expand(selected, 'forward'));
$('expand-in').addEventListener('click', () => selected && expand(selected, 'backward'));
$('trace').addEventListener('click', () => selected && trace(selected, $('trace-direction').value, $('trace-taint').value, Number($('trace-hops').value)));
$('paths').addEventListener('click', () => selected && paths(selected, $('path-to').value.trim()));
$('exposure').addEventListener('click', () => selected && exposure(selected));
$('why').addEventListener('click', () => selected && why(selected, $('why-to').value.trim()));
$('add-note').addEventListener('click', () => {
  if (!selected || !$('note').value.trim()) return;
  caseFile.addNote(selected, $('note').value.trim());
  $('note').value = '';
  select(selected);
});
$('save-case').addEventListener('click', () => download(`case-${$('case-id').value || 'unnamed'}.json`, new Blob([caseText()], { type: 'application/json' })));
$('load-case').addEventListener('change', async (ev) => {
  const file = ev.target.files[0];
  if (file) await loadCase(await file.text());
});
// The court report of the case (POST /api/v1/report): the same page as `ariadne report`, saved as
// a file; print it to PDF from the browser or use the CLI for report.pdf.
async function report() {
  return run('Writing the report', async () => {
    const html = await api.post('report', { hops: $('trace-hops').value, taint: $('trace-taint').value }, JSON.parse(caseText()));
    download(`report-${$('case-id').value || 'unnamed'}.html`, new Blob([html], { type: 'text/html' }));
    window.ariadne.lastReport = html;
    return html;
  });
}
$('report').addEventListener('click', () => report());
$('export-png').addEventListener('click', () => fetch(graph.png()).then((r) => r.blob()).then((b) => download('graph.png', b)));
$('export-svg').addEventListener('click', () => download('graph.svg', new Blob([graph.svg()], { type: 'image/svg+xml' })));
$('details').addEventListener('click', (ev) => {
  const a = ev.target.closest('[data-node]');
  if (a) { ev.preventDefault(); select(a.dataset.node); }
});
graph.cy.on('tap', 'node', (ev) => select(ev.target.id()));
graph.cy.on('dbltap', 'node', (ev) => expand(ev.target.id(), 'forward'));
graph.cy.on('tap', 'edge', (ev) => {
  const d = ev.target.data();
  selected = d.id;
  $('details').innerHTML = `<h3>Flow</h3>${table([['from', esc(d.source)], ['to', esc(d.target)],
    ['value', `${btc(d.value)} BTC`], ['tainted', `${btc(d.tainted)} BTC`], ['transactions', d.transactions],
    d.txid && ['txid', esc(d.txid)]])}${notesHtml(d.id)}`;
});
api.token = sessionStorage.getItem('ariadne-token') || '';
$('token').value = api.token;

window.ariadne = {
  graph, api, lastError: null,
  get caseFile() { return caseFile; },
  get selected() { return selected; },
  model: () => graph.model(),
  search, select, expand, trace, paths, exposure, why, loadCase, caseText, report,
  lastReport: null,
  png: () => graph.png(), svg: () => graph.svg(),
  idle: () => busy === 0,
};
