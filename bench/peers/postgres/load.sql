-- Loads a chain into PostgreSQL the way an analyst would, from `ariadne decode --json` (one JSON
-- object per block, COPY'd into raw_block by run.sh) and the generator's tags.csv (label_stage).
--
-- Tables (dense ids in chain order, as Ariadne's TxNum / OutNum / AddrId):
--   block(height, hash, time, first_tx, tx_count)
--   tx(tx_id, txid, height, version, locktime, size, vsize, coinbase, n_in, n_out, first_out,
--      in_value, out_value, coinjoin)
--   output(out_id, tx_id, vout, value, addr_id, type, spent_tx)
--   input(tx_id, vin, prev_out, addr_id, value)      the spent output's owner and value, joined once
--   address(addr_id, address, type, tx_count, received, sent, output_count, spent_count,
--           first_height, last_height)              per-address totals, as Ariadne's stats rows
--   addr_tx(addr_id, tx_id, received, sent)          the history index
--   label(addr_id, label, category, source)
-- Heights follow the prev_hash links from the genesis block. tx.coinjoin is Ariadne's CoinJoin
-- rule (heuristics/coinjoin.h) computed once here, as an analyst would flag them in a column.
\set ON_ERROR_STOP on
\timing on
SET work_mem = '1GB';
SET maintenance_work_mem = '2GB';

-- Blocks, in chain order.
CREATE UNLOGGED TABLE blk_stage AS
SELECT seq, decode(j->>'hash', 'hex') AS hash, decode(j->>'prev_hash', 'hex') AS prev,
       (j->>'time')::bigint AS time, (j->>'tx_count')::int AS tx_count
FROM raw_block;
CREATE INDEX ON blk_stage (prev);
CREATE TABLE block AS
WITH RECURSIVE chain(height, seq, hash, time, tx_count) AS (
  SELECT 0, seq, hash, time, tx_count FROM blk_stage WHERE prev = decode(repeat('0', 64), 'hex')
  UNION ALL
  SELECT c.height + 1, b.seq, b.hash, b.time, b.tx_count
  FROM chain c JOIN blk_stage b ON b.prev = c.hash
)
SELECT height, seq, hash, time, tx_count,
       (sum(tx_count) OVER (ORDER BY height) - tx_count)::bigint AS first_tx
FROM chain;
DO $$
BEGIN
  IF (SELECT count(*) FROM block) <> (SELECT count(*) FROM blk_stage)
     OR (SELECT count(DISTINCT height) FROM block) <> (SELECT count(*) FROM block) THEN
    RAISE EXCEPTION 'the blocks are not one chain from the genesis block';
  END IF;
END $$;
ALTER TABLE block ADD PRIMARY KEY (height);
DROP TABLE blk_stage;

-- Transactions. The first transaction of a block is its coinbase (no inputs).
CREATE UNLOGGED TABLE tx_stage AS
SELECT s.*, (sum(n_out) OVER (ORDER BY tx_id) - n_out)::bigint AS first_out
FROM (
  SELECT b.first_tx + t.ord - 1 AS tx_id, decode(t.v->>'txid', 'hex') AS txid, b.height,
         (t.v->>'version')::int AS version, (t.v->>'locktime')::bigint AS locktime,
         (t.v->>'size')::int AS size, (t.v->>'vsize')::int AS vsize, t.ord = 1 AS coinbase,
         CASE WHEN t.ord = 1 THEN 0 ELSE jsonb_array_length(t.v->'inputs') END AS n_in,
         jsonb_array_length(t.v->'outputs') AS n_out
  FROM block b JOIN raw_block r USING (seq),
       jsonb_array_elements(r.j->'txs') WITH ORDINALITY AS t(v, ord)
) s;

-- Outputs and inputs, staged with the JSON's names, then resolved to ids.
CREATE UNLOGGED TABLE out_stage AS
SELECT b.first_tx + t.ord - 1 AS tx_id, (o.ord - 1)::int AS vout,
       (o.v->>'value')::bigint AS value, o.v->>'type' AS type, o.v->>'address' AS address
FROM block b JOIN raw_block r USING (seq),
     jsonb_array_elements(r.j->'txs') WITH ORDINALITY AS t(v, ord),
     jsonb_array_elements(t.v->'outputs') WITH ORDINALITY AS o(v, ord);
CREATE UNLOGGED TABLE in_stage AS
SELECT b.first_tx + t.ord - 1 AS tx_id, (i.ord - 1)::int AS vin,
       decode(i.v->>'prev_txid', 'hex') AS prev_txid, (i.v->>'prev_vout')::bigint AS prev_vout
FROM block b JOIN raw_block r USING (seq),
     jsonb_array_elements(r.j->'txs') WITH ORDINALITY AS t(v, ord),
     jsonb_array_elements(t.v->'inputs') WITH ORDINALITY AS i(v, ord)
WHERE t.ord > 1;
DROP TABLE raw_block;

-- Addresses get ids in order of first appearance, and the type of their first output.
CREATE TABLE address AS
SELECT (row_number() OVER (ORDER BY first_out) - 1)::int AS addr_id, address, type
FROM (
  SELECT DISTINCT ON (s.address) s.address, x.first_out + s.vout AS first_out, s.type
  FROM out_stage s JOIN tx_stage x USING (tx_id)
  WHERE s.address IS NOT NULL
  ORDER BY s.address, x.first_out + s.vout
) a;

CREATE UNLOGGED TABLE in_res AS
SELECT s.tx_id, s.vin, p.first_out + s.prev_vout AS prev_out
FROM in_stage s JOIN tx_stage p ON p.txid = s.prev_txid;
DO $$
BEGIN
  IF (SELECT count(*) FROM in_res) <> (SELECT count(*) FROM in_stage) THEN
    RAISE EXCEPTION 'inputs spend outputs that are not in the chain';
  END IF;
END $$;
DROP TABLE in_stage;

CREATE TABLE output AS
SELECT x.first_out + s.vout AS out_id, s.tx_id, s.vout, s.value, a.addr_id, s.type,
       i.tx_id AS spent_tx
FROM out_stage s JOIN tx_stage x USING (tx_id)
     LEFT JOIN address a ON a.address = s.address
     LEFT JOIN in_res i ON i.prev_out = x.first_out + s.vout
ORDER BY 1;
DROP TABLE out_stage;
ALTER TABLE output ADD PRIMARY KEY (out_id);

CREATE TABLE input AS
SELECT i.tx_id, i.vin, i.prev_out, o.addr_id, o.value
FROM in_res i JOIN output o ON o.out_id = i.prev_out
ORDER BY 1, 2;
DROP TABLE in_res;
-- Covering what the queries read of a transaction's inputs.
ALTER TABLE input ADD PRIMARY KEY (tx_id, vin) INCLUDE (prev_out, addr_id, value);

-- Transactions with their totals.
CREATE TABLE tx AS
SELECT x.tx_id, x.txid, x.height, x.version, x.locktime, x.size, x.vsize, x.coinbase, x.n_in,
       x.n_out, x.first_out, coalesce(i.v, 0)::bigint AS in_value, o.v::bigint AS out_value,
       false AS coinjoin
FROM tx_stage x
     JOIN (SELECT tx_id, sum(value) AS v FROM output GROUP BY tx_id) o USING (tx_id)
     LEFT JOIN (SELECT tx_id, sum(value) AS v FROM input GROUP BY tx_id) i USING (tx_id)
ORDER BY 1;
DROP TABLE tx_stage;
ALTER TABLE tx ADD PRIMARY KEY (tx_id);
CREATE UNIQUE INDEX tx_txid ON tx (txid);

-- CoinJoins: Ariadne's detector (heuristics/coinjoin.cc), rule for rule: whirlpool, wasabi2,
-- wasabi1, joinmarket, generic (BlockSci). Only transactions with >= 2 inputs and >= 3 outputs
-- can be one.
CREATE UNLOGGED TABLE cj AS
WITH cand AS (
  SELECT tx_id, n_in, n_out FROM tx WHERE NOT coinbase AND n_in >= 2 AND n_out >= 3
),
vc AS (  -- (value, count) of the outputs
  SELECT o.tx_id, o.value, count(*) AS c
  FROM output o JOIN cand USING (tx_id) GROUP BY o.tx_id, o.value
),
top AS (  -- most frequent value, the largest among equally frequent ones
  SELECT DISTINCT ON (tx_id) tx_id, value AS top_value, c AS top_count
  FROM vc ORDER BY tx_id, c DESC, value DESC
),
vstat AS (
  SELECT tx_id, count(*) AS n_values, count(*) FILTER (WHERE c >= 2) AS repeated,
         count(*) FILTER (WHERE c = 1) AS singles
  FROM vc GROUP BY tx_id
),
din AS (  -- distinct input addresses (an input without one counts as one more value)
  SELECT i.tx_id, count(DISTINCT coalesce(i.addr_id, -1)) AS d
  FROM input i JOIN cand USING (tx_id) GROUP BY i.tx_id
),
dout AS (  -- outputs with an address, and distinct ones
  SELECT o.tx_id, count(o.addr_id) AS with_addr, count(DISTINCT o.addr_id) AS distinct_addr
  FROM output o JOIN cand USING (tx_id) GROUP BY o.tx_id
)
SELECT c.tx_id FROM cand c
  JOIN top USING (tx_id) JOIN vstat USING (tx_id) JOIN din USING (tx_id) JOIN dout USING (tx_id)
WHERE
  -- whirlpool: 5..8 inputs and as many outputs, all one pool value, distinct addresses
  (c.n_out BETWEEN 5 AND 8 AND c.n_in = c.n_out AND vstat.n_values = 1
   AND top.top_value IN (100000, 1000000, 5000000, 50000000)
   AND dout.with_addr = c.n_out AND dout.distinct_addr = c.n_out)
  -- wasabi2: >= 20 inputs, >= 6 outputs, >= 3 values occurring at least twice
  OR (c.n_in >= 20 AND c.n_out >= 6 AND vstat.repeated >= 3)
  -- wasabi1: >= 5 equal outputs near 0.1 BTC * 2^k (k = 0..6, +-5%)
  OR (c.n_out >= 5 AND c.n_in >= 5 AND top.top_count >= 5 AND din.d >= top.top_count
      AND EXISTS (SELECT 1 FROM generate_series(0, 6) k
                  WHERE abs(top.top_value - (10000000::bigint << k)) <= (500000::bigint << k)))
  -- joinmarket: n >= 3 equal outputs, n..2n outputs, the other values all distinct
  OR (top.top_count >= 3 AND c.n_out <= 2 * top.top_count AND c.n_in >= top.top_count
      AND top.top_value >= 10000 AND vstat.singles = vstat.n_values - 1
      AND din.d >= top.top_count)
  -- generic: p = floor((outputs + 1) / 2) equal outputs, p <= inputs and distinct input addresses
  OR ((c.n_out + 1) / 2 <= c.n_in AND (c.n_out + 1) / 2 <= din.d
      AND top.top_count = (c.n_out + 1) / 2 AND top.top_value NOT IN (546, 2730));
UPDATE tx SET coinjoin = true FROM cj WHERE tx.tx_id = cj.tx_id;
DROP TABLE cj;

-- History index and per-address totals.
CREATE TABLE addr_tx AS
SELECT addr_id, tx_id, sum(received)::bigint AS received, sum(sent)::bigint AS sent
FROM (
  SELECT addr_id, tx_id, value AS received, 0::bigint AS sent FROM output WHERE addr_id IS NOT NULL
  UNION ALL
  SELECT addr_id, tx_id, 0, value FROM input WHERE addr_id IS NOT NULL
) u
GROUP BY addr_id, tx_id
ORDER BY 1, 2;
ALTER TABLE addr_tx ADD PRIMARY KEY (addr_id, tx_id);

CREATE TABLE address2 AS
SELECT a.addr_id, a.address, a.type, h.tx_count, h.received, h.sent, o.output_count,
       o.spent_count, h.first_height, h.last_height
FROM address a
JOIN (SELECT at.addr_id, count(*) AS tx_count, sum(at.received)::bigint AS received,
             sum(at.sent)::bigint AS sent, min(x.height) AS first_height,
             max(x.height) AS last_height
      FROM addr_tx at JOIN tx x USING (tx_id) GROUP BY at.addr_id) h USING (addr_id)
JOIN (SELECT addr_id, count(*) AS output_count, count(spent_tx) AS spent_count
      FROM output WHERE addr_id IS NOT NULL GROUP BY addr_id) o USING (addr_id)
ORDER BY 1;
DROP TABLE address;
ALTER TABLE address2 RENAME TO address;
ALTER TABLE address ADD PRIMARY KEY (addr_id);
CREATE UNIQUE INDEX address_address ON address (address);

-- Labels: a repeated tag once; categories lowercased (as `ariadne tags import`); addresses that
-- never appeared on chain are left out.
CREATE TABLE label AS
SELECT DISTINCT a.addr_id, s.label, lower(s.category) AS category, s.source
FROM label_stage s JOIN address a ON a.address = s.address;
DROP TABLE label_stage;
CREATE INDEX label_addr ON label (addr_id);

-- Query indexes: an address's outputs (trace seeds, exposure), covering what the queries read.
CREATE INDEX output_addr ON output (addr_id, out_id) INCLUDE (value, spent_tx, tx_id);
CREATE INDEX output_tx ON output (tx_id);

VACUUM (ANALYZE) block, tx, output, input, address, addr_tx, label;
