// The graph on the canvas (cytoscape.js): a node is an address, a cluster, a transaction or an
// end of the flow ("fee"); an edge between two nodes stands for every transaction between them,
// with their value, their tainted share when it came from a trace, and how many transactions.
// Aggregation is the server's (trace shape "aggregated"): the browser never holds one edge per
// transaction, which keeps thousands of nodes responsive.
import cytoscape from 'cytoscape';
import svg from 'cytoscape-svg';

cytoscape.use(svg);

// Returns: satoshi as BTC with 8 decimals.
export function btc(sat) {
  const n = BigInt(Math.trunc(Number(sat) || 0));
  const neg = n < 0n;
  const a = neg ? -n : n;
  return `${neg ? '-' : ''}${a / 100000000n}.${String(a % 100000000n).padStart(8, '0')}`;
}

function shortId(id) {
  if (id.length <= 18) return id;
  return `${id.slice(0, 8)}…${id.slice(-6)}`;
}

const COLUMN = 260;  // px between hops
const ROW = 64;      // px between nodes of one hop
const BIG = 600;     // elements from which labels and curves are left out

const STYLE = [
  { selector: 'node', style: {
    'label': 'data(caption)', 'font-size': 9, 'text-valign': 'bottom', 'text-margin-y': 3,
    'background-color': '#8fa3b8', 'width': 18, 'height': 18, 'text-wrap': 'wrap',
    'text-max-width': 140, 'min-zoomed-font-size': 7 } },
  { selector: 'node[kind = "cluster"]', style: { 'shape': 'round-rectangle', 'background-color': '#6b8fb3', 'width': 26, 'height': 20 } },
  { selector: 'node[kind = "tx"]', style: { 'shape': 'diamond', 'background-color': '#c2c9d1', 'width': 12, 'height': 12 } },
  { selector: 'node[?labelled]', style: { 'background-color': '#2f7ed8' } },
  { selector: 'node[?seed]', style: { 'background-color': '#f0a030', 'border-width': 2, 'border-color': '#8a5a10' } },
  { selector: 'node:selected', style: { 'border-width': 3, 'border-color': '#d43' } },
  { selector: 'edge', style: {
    'curve-style': 'bezier', 'target-arrow-shape': 'triangle', 'arrow-scale': 0.8,
    'line-color': '#b8c2cc', 'target-arrow-color': '#b8c2cc', 'width': 'data(width)',
    'label': 'data(caption)', 'font-size': 8, 'text-rotation': 'autorotate', 'color': '#4a5560',
    'min-zoomed-font-size': 7 } },
  { selector: 'edge[tainted > 0]', style: { 'line-color': '#d9534f', 'target-arrow-color': '#d9534f' } },
  { selector: 'edge:selected', style: { 'line-color': '#d43', 'target-arrow-color': '#d43' } },
];

export class Graph {
  constructor(container) {
    // Large graphs stay responsive: labels are drawn only once readable, and panning or zooming
    // moves a texture of the graph instead of redrawing every element.
    this.cy = cytoscape({ container, style: STYLE, wheelSensitivity: 0.3, minZoom: 0.02,
                          textureOnViewport: true, hideEdgesOnViewport: true,
                          pixelRatio: 1 });
  }

  // Adds a node or updates what is known of it. Args: n: {id, kind, labels?, cluster_id?, size?}.
  addNode(n, extra = {}) {
    const data = nodeData(n, extra);
    const labels = data.labels;
    const existing = this.cy.getElementById(n.id);
    if (existing.nonempty()) {
      const old = existing.data();
      existing.data({ ...data, seed: old.seed || data.seed,
                      labels: labels.length ? labels : old.labels,
                      labelled: old.labelled || data.labelled,
                      caption: labels.length ? data.caption : old.caption });
      return existing;
    }
    return this.cy.add({ group: 'nodes', data });
  }

  // Adds or replaces the edge between two nodes. Args: f: {from, to, value, tainted_value,
  // transactions, hop?, txid?}.
  addFlow(f) {
    for (const id of [f.from, f.to]) {
      if (this.cy.getElementById(id).empty()) this.addNode({ id, kind: guessKind(id) });
    }
    const data = flowData(f);
    const existing = this.cy.getElementById(data.id);
    if (existing.nonempty()) {
      existing.data(data);
      return existing;
    }
    return this.cy.add({ group: 'edges', data });
  }

  // Draws a trace answer (shape "aggregated", or "edges" which is aggregated here by pair). New
  // nodes go in columns by hop from the seed (right for a forward trace, left for a backward one);
  // nodes already drawn keep their place, so expanding never moves what the analyst has seen. New
  // elements are added in one call, and no layout algorithm runs: both matter at thousands of
  // elements.
  drawTrace(t) {
    const flows = t.flows || aggregate(t.edges || []);
    const side = t.direction === 'backward' ? -1 : 1;
    const hop = new Map([[t.seed, 0]]);
    for (const f of flows) {
      const [near, far] = side > 0 ? [f.from, f.to] : [f.to, f.from];
      const h = Number(f.hop || 0);
      if (!hop.has(near) || hop.get(near) > h) hop.set(near, h);
      if (!hop.has(far) || hop.get(far) > h + 1) hop.set(far, h + 1);
    }
    const seedEl = this.cy.getElementById(t.seed);
    const origin = seedEl.nonempty() ? { ...seedEl.position() } : this.freeSpot();
    const perColumn = new Map();
    for (const [id, h] of hop) {
      if (this.cy.getElementById(id).empty()) perColumn.set(h, (perColumn.get(h) || 0) + 1);
    }
    const placed = new Map();
    const position = (id) => {
      const h = hop.get(id) ?? 0;
      const i = placed.get(h) || 0;
      placed.set(h, i + 1);
      return { x: origin.x + side * h * COLUMN, y: origin.y + (i - ((perColumn.get(h) || 1) - 1) / 2) * ROW };
    };
    const fresh = [];
    const seen = new Set();
    const node = (n, extra = {}) => {
      if (seen.has(n.id)) return;
      seen.add(n.id);
      if (this.cy.getElementById(n.id).nonempty()) {
        this.addNode(n, extra);
      } else {
        fresh.push({ group: 'nodes', data: { ...nodeData(n, extra), placed: true },
                     position: position(n.id) });
      }
    };
    this.cy.batch(() => {
      node({ id: t.seed, kind: guessKind(t.seed) }, { seed: true });
      // Only nodes a flow touches (the trace's other nodes, e.g. "fee", have no edge to draw).
      for (const n of t.nodes || []) if (hop.has(n.id)) node(n);
      for (const f of flows) {
        node({ id: f.from, kind: guessKind(f.from) });
        node({ id: f.to, kind: guessKind(f.to) });
        const data = flowData(f);
        const existing = this.cy.getElementById(data.id);
        if (existing.nonempty()) existing.data(data); else fresh.push({ group: 'edges', data });
      }
      // The style for the size the graph is about to have, so that its elements are styled once.
      this.adapt(this.cy.elements().length + fresh.length);
      this.cy.add(fresh);
      const seed = this.cy.getElementById(t.seed);
      if (!seed.data('seed')) seed.data('seed', true);
    });
    this.adapt();
    this.show();
  }

  // A place right of everything drawn, for a new seed.
  freeSpot() {
    if (this.cy.nodes().filter((n) => n.data('placed')).empty()) return { x: 0, y: 0 };
    const b = this.bounds();
    return { x: b.x2 + 2 * COLUMN, y: (b.y1 + b.y2) / 2 };
  }

  // Bounds of the placed nodes' centres (cheaper than cytoscape's bounding boxes, which measure
  // labels).
  bounds() {
    const b = { x1: Infinity, y1: Infinity, x2: -Infinity, y2: -Infinity };
    this.cy.nodes().forEach((n) => {
      if (!n.data('placed')) return;
      const p = n.position();
      b.x1 = Math.min(b.x1, p.x); b.x2 = Math.max(b.x2, p.x);
      b.y1 = Math.min(b.y1, p.y); b.y2 = Math.max(b.y2, p.y);
    });
    return b;
  }

  // Large graphs: no labels until zoomed in, straight edges without curves or arrows.
  // Args: count: the number of elements the style is for (those drawn, by default).
  adapt(count = this.cy.elements().length) {
    const big = count > BIG;
    if (big === this.big) return;
    this.big = big;
    this.cy.style()
      .selector('node').style('label', big ? '' : 'data(caption)')
      .selector('edge').style({ 'label': big ? '' : 'data(caption)', 'curve-style': big ? 'haystack' : 'bezier',
                                'target-arrow-shape': big ? 'none' : 'triangle' })
      .update();
  }

  // Fits the view to the nodes.
  show() {
    if (this.cy.nodes().filter((n) => n.data('placed')).empty()) return;
    const b = this.bounds();
    const w = this.cy.width() || 800;
    const h = this.cy.height() || 600;
    const pad = 80;
    const zoom = Math.max(this.cy.minZoom(), Math.min(1.5, (w - 2 * pad) / Math.max(1, b.x2 - b.x1),
                                                      (h - 2 * pad) / Math.max(1, b.y2 - b.y1)));
    this.cy.viewport({ zoom, pan: { x: w / 2 - zoom * (b.x1 + b.x2) / 2, y: h / 2 - zoom * (b.y1 + b.y2) / 2 } });
  }

  // Places the nodes added one by one (a search, a transaction, paths): each next to a placed
  // neighbour, right of the one it receives from or left of the one it pays; the rest in a free
  // column. Placed nodes never move.
  layout(root) {
    const rows = new Map();  // x -> next free y offset
    const at = (x, y) => {
      const i = rows.get(x) || 0;
      rows.set(x, i + 1);
      return { x, y: y + i * ROW };
    };
    let pending = this.cy.nodes().filter((n) => !n.data('placed'));
    for (let round = 0; round < 50 && pending.nonempty(); ++round) {
      let progress = false;
      pending.forEach((n) => {
        const from = n.incomers('node').filter((m) => m.data('placed')).first();
        const to = n.outgoers('node').filter((m) => m.data('placed')).first();
        const anchor = from.nonempty() ? from : to;
        if (anchor.empty()) return;
        const p = anchor.position();
        n.position(at(p.x + (from.nonempty() ? COLUMN : -COLUMN), p.y));
        n.data('placed', true);
        progress = true;
      });
      pending = pending.filter((n) => !n.data('placed'));
      if (!progress && pending.nonempty()) {
        // Nothing placed touches them: the first starts a new column (the root when unplaced).
        const first = pending.filter((n) => n.id() === root).first().nonempty()
          ? pending.filter((n) => n.id() === root).first() : pending.first();
        first.position(this.freeSpot());
        first.data('placed', true);
        pending = pending.filter((n) => !n.data('placed'));
      }
    }
    this.adapt();
    this.show();
  }

  // The graph as plain data (what tests and the case report read).
  model() {
    return {
      nodes: this.cy.nodes().map((n) => ({ ...n.data() })),
      edges: this.cy.edges().map((e) => ({ ...e.data() })),
    };
  }

  png() { return this.cy.png({ full: true, bg: '#ffffff', scale: 2 }); }
  svg() { return this.cy.svg({ full: true, bg: '#ffffff' }); }
}

// Returns: a node's element data. Args: n: {id, kind, labels?, cluster_id?, size?}.
function nodeData(n, extra) {
  const labels = n.labels || [];
  const names = [...new Set(labels.map((l) => l.label))];
  const caption = n.kind === 'cluster' ? `cluster ${n.cluster_id ?? n.id.slice(8)}${n.size ? ` (${n.size})` : ''}`
                                       : shortId(n.id);
  return { id: n.id, kind: n.kind || 'address', labels, labelled: labels.length > 0,
           caption: names.length ? `${caption}\n${names.join(', ')}` : caption, ...extra };
}

// Returns: an edge's element data. Args: f: {from, to, value, tainted_value, transactions, hop?,
// txid?}.
function flowData(f) {
  const value = Number(f.value || 0);
  const tainted = Number(f.tainted_value || 0);
  const txs = Number(f.transactions || 1);
  const caption = tainted > 0 && tainted !== value
    ? `${btc(tainted)} of ${btc(value)} BTC · ${txs} tx`
    : `${btc(value)} BTC · ${txs} tx`;
  return { id: `${f.from}->${f.to}`, source: f.from, target: f.to, value, tainted,
           transactions: txs, hop: f.hop ?? null, txid: f.txid || null, caption,
           width: Math.min(8, 1 + Math.log10(1 + value / 1e6)) };
}

// Returns: the kind of a node id as the server names them.
export function guessKind(id) {
  if (id.startsWith('cluster:')) return 'cluster';
  if (id.startsWith('tx:')) return 'tx';
  if (id === 'fee' || id === 'no-address') return id === 'fee' ? 'fee' : 'none';
  return 'address';
}

// Edges of one (from, to) pair summed: for answers of shape "edges".
function aggregate(edges) {
  const by = new Map();
  for (const e of edges) {
    const key = `${e.from}->${e.to}`;
    const f = by.get(key) || { from: e.from, to: e.to, value: 0, tainted_value: 0, txs: new Set(), hop: e.hop };
    f.value += Number(e.value || 0);
    f.tainted_value += Number(e.tainted_value || 0);
    f.txs.add(e.txid);
    f.hop = Math.min(f.hop, e.hop);
    by.set(key, f);
  }
  return [...by.values()].map((f) => ({ ...f, transactions: f.txs.size }));
}
