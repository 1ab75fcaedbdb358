-- The analyst's questions in SQL, with Ariadne's semantics (engine/trace/tracer.cc, taint.cc,
-- paths.cc, exposure.cc and engine/service/ariadne_service.cc), for bench/peers/postgres.
--
-- The simple questions are single statements the driver prepares (questions.cc). The graph
-- questions are PL/pgSQL functions here:
--   peers_trace(address, forward, poison, hops, max_edges)  as AriadneService::Trace
--   peers_paths(from, to, max_hops, max_paths)              as trace::FindPaths
--   peers_exposure(address, hops)                           as trace::ComputeExposure
--
-- How a trace is computed. Ariadne processes the transactions the taint reaches one at a time in
-- chain order (backward: reverse chain order), each once all of its tainted inputs are known. The
-- same result comes from processing them a set at a time in topological levels, window by
-- window of the chain in the order of the work (windows of about 2,000 candidate transactions,
-- so that a trace that is truncated early stops early, as Ariadne's does):
--   1. a recursive CTE finds every transaction of the window the taint could reach (a superset:
--      outputs of value > 0, not through CoinJoins when they stop the trace, within the hop limit
--      counted with a lower bound that treats every input's owner as already tainted); what it
--      reaches beyond the window waits in a frontier table for the next one;
--   2. a second recursive CTE gives each of those transactions its level, the longest chain of
--      candidate transactions before it, so that a level depends only on lower ones;
--   3. one statement per level moves the taint through all of the level's transactions at once:
--      shares by largest remainder exactly as taint.cc's Proportional (numeric, no overflow),
--      hops, edges aggregated per (from, to, transaction), endpoints, and the pending taint of
--      the outputs for the levels above.
-- A candidate that no taint reaches is skipped at its level. The state between statements lives
-- in plain temporary tables of the session, emptied at the start of each call (DELETE, or
-- TRUNCATE once they have grown): ON COMMIT DELETE ROWS would cost ~15 ms per call on this
-- machine (every such table truncated at each commit), and PL/pgSQL arrays go quadratic on deep
-- traces (hundreds of levels along an exchange's own chain of payments).
--
-- Ariadne's behaviour is reproduced as it is, including what bench/peers/postgres/README.md lists
-- as findings: a seed output is settled again (last write wins, an end counted again) when the
-- trace goes through the transaction that created it (forward) or spent it (backward).

DROP FUNCTION IF EXISTS peers_trace, peers_trace_run, peers_exposure, peers_paths, peers_reason,
  peers_scratch;

-- Reasons, as trace::EndReason.
--   0 unspent, 1 labelled, 2 below_threshold, 3 hop_limit, 4 time_window, 5 fee, 6 coinbase,
--   7 truncated, 8 coinjoin
CREATE OR REPLACE FUNCTION peers_reason(r int) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT (ARRAY['unspent', 'labelled', 'below_threshold', 'hop_limit', 'time_window', 'fee',
                'coinbase', 'truncated', 'coinjoin'])[r + 1]
$$;

-- Makes (once per session) and empties the scratch tables.
CREATE OR REPLACE FUNCTION peers_scratch() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  t text;
BEGIN
  IF to_regclass('pg_temp.t_rec') IS NULL THEN
    -- Outputs whose taint is on its way (tracer.cc's tainted_): computed at a level (seed false)
    -- or a seed's (seed true, hop 0); the computed one wins.
    CREATE TEMP TABLE t_rec (out_id bigint, seed boolean, amount bigint, hop int,
                             PRIMARY KEY (out_id, seed));
    -- The closure's frontier: outputs the taint could reach, with their creator, spender and the
    -- lower bound of their hop, not yet followed.
    CREATE TEMP TABLE t_front (out_id bigint, creator bigint, spent_tx bigint, lb int);
    -- Candidate transactions of the current window and their levels.
    CREATE TEMP TABLE t_tx (tx_id bigint PRIMARY KEY, lvl int NOT NULL);
    CREATE INDEX ON t_tx (lvl);
    -- Edges (from, to, tx) and end contributions; node -1 is "no address" (fees, OP_RETURN).
    CREATE TEMP TABLE t_edge (a int, b int, tx_id bigint, value bigint, tainted bigint, hop int);
    CREATE TEMP TABLE t_end (node int, reason int, amount bigint, hop int);
    -- Paths: outputs seen from each side, with depth, parent and position in their frontier.
    CREATE TEMP TABLE t_side (fwd boolean, out_id bigint, depth int, parent bigint, pos bigint,
                              PRIMARY KEY (fwd, out_id));
  END IF;
  FOREACH t IN ARRAY ARRAY['t_rec', 't_front', 't_tx', 't_edge', 't_end', 't_side'] LOOP
    IF pg_relation_size(t) > 1048576 THEN
      EXECUTE 'TRUNCATE ' || t;
    ELSE
      EXECUTE 'DELETE FROM ' || t;
    END IF;
  END LOOP;
END
$$;

-- Runs one trace into t_edge and t_end. Seeds are outputs, each tainted in full.
-- Args: stop_coinjoins: end the taint at CoinJoins (the service's default);
--       stop_labelled: end it at labelled addresses that are not in `members` (exposure);
--       max_edges: more edges than this truncate the trace (Ariadne then stops, and what it
--       returns depends on its order of work: only the flag is comparable, so this stops too).
-- Out: the seeds' value; the transactions the taint went through; the edges; truncated.
-- t_edge: (from, to, tx, value, tainted, hop), one row per (from, to, tx); t_end: contributions
-- to the endpoints, to be summed per (node, reason) with the smallest hop.
CREATE OR REPLACE FUNCTION peers_trace_run(
    seeds bigint[], forward boolean, poison boolean, max_hops int, stop_coinjoins boolean,
    stop_labelled boolean, members int[], max_edges bigint,
    OUT seed_value bigint, OUT txs bigint, OUT edges bigint, OUT truncated boolean)
LANGUAGE plpgsql
-- The level recursion joins its working table with the dependencies at every step: hashed once
-- and reused, where a merge join would sort them again at each of hundreds of levels.
SET enable_mergejoin = off
AS $$
DECLARE
  max_level int;
  bound bigint;  -- the current window ends here (forward) or starts here (backward)
  step bigint;
  cands bigint;  -- candidate transactions in the window
  n bigint;
  ne bigint;
BEGIN
  IF current_setting('peers.debug', true) = 'on' THEN
    RAISE NOTICE 'trace: start at %', clock_timestamp();
  END IF;
  PERFORM peers_scratch();
  seeds := ARRAY(SELECT DISTINCT unnest(seeds));
  SELECT coalesce(sum(o.value), 0) INTO seed_value FROM output o WHERE o.out_id = ANY (seeds);
  txs := 0;
  edges := 0;
  truncated := false;

  IF forward THEN
    -- Seeds: an unspent one ends at once, a spent one waits for its spender.
    INSERT INTO t_end
    SELECT coalesce(o.addr_id, -1), 0, o.value, 0 FROM output o
    WHERE o.out_id = ANY (seeds) AND o.value > 0 AND o.spent_tx IS NULL;
    INSERT INTO t_rec
    SELECT o.out_id, true, o.value, 0 FROM output o
    WHERE o.out_id = ANY (seeds) AND o.value > 0 AND o.spent_tx IS NOT NULL;
  ELSE
    -- Seeds: one a coinbase created ends at once, another waits for its creator.
    INSERT INTO t_end
    SELECT coalesce(o.addr_id, -1), 6, o.value, 0 FROM output o JOIN tx t ON t.tx_id = o.tx_id
    WHERE o.out_id = ANY (seeds) AND o.value > 0 AND t.n_in = 0;
    INSERT INTO t_rec
    SELECT o.out_id, true, o.value, 0 FROM output o JOIN tx t ON t.tx_id = o.tx_id
    WHERE o.out_id = ANY (seeds) AND o.value > 0 AND t.n_in > 0;
  END IF;
  -- The closure's frontier: outputs the taint could reach, not yet followed.
  INSERT INTO t_front
  SELECT o.out_id, o.tx_id, o.spent_tx, 0 FROM t_rec r JOIN output o USING (out_id);

  -- Windows of the chain, in the order of the work (forward: up the chain), of about 2,000
  -- candidate transactions each: a trace that truncates early stops early.
  SELECT CASE WHEN forward THEN min(spent_tx) + 1999 ELSE max(creator) - 1999 END INTO bound
  FROM t_front;
  step := 2000;
  WHILE bound IS NOT NULL AND NOT truncated LOOP
    DELETE FROM t_tx;
    IF forward THEN
      -- 1 and 2: candidate transactions of the window (spenders of outputs the taint could
      -- reach) and their levels.
      WITH RECURSIVE c(out_id, creator, spent_tx, lb) AS (
        SELECT out_id, creator, spent_tx, lb FROM t_front WHERE spent_tx <= bound
        UNION
        SELECT o.out_id, t.tx_id, o.spent_tx, n.lb
        FROM c
             -- OFFSET 0 keeps these per-row index probes (the planner would hash the whole
             -- table for the recursive step's guessed size).
             CROSS JOIN LATERAL (SELECT t.tx_id FROM tx t
                                 WHERE t.tx_id = c.spent_tx
                                   AND NOT (stop_coinjoins AND t.coinjoin) OFFSET 0) t
             CROSS JOIN LATERAL (SELECT o.out_id, o.spent_tx, o.addr_id FROM output o
                                 WHERE o.tx_id = t.tx_id AND o.value > 0
                                   AND o.spent_tx IS NOT NULL OFFSET 0) o
             CROSS JOIN LATERAL (
               SELECT c.lb + CASE WHEN EXISTS (SELECT 1 FROM input i
                                               WHERE i.tx_id = t.tx_id
                                                 AND i.addr_id IS NOT DISTINCT FROM o.addr_id)
                                  THEN 0 ELSE 1 END AS lb) n
        WHERE c.spent_tx <= bound AND n.lb <= max_hops
          AND NOT (stop_labelled AND n.lb > 0 AND o.addr_id <> ALL (members)
                   AND EXISTS (SELECT 1 FROM label l WHERE l.addr_id = o.addr_id))
      ),
      taken AS (DELETE FROM t_front WHERE spent_tx <= bound),
      later AS (INSERT INTO t_front SELECT * FROM c WHERE spent_tx > bound),
      cand AS (SELECT DISTINCT spent_tx AS tx_id FROM c WHERE spent_tx <= bound),
      dep AS (  -- u before v: v spends an output of u that the taint could reach
        SELECT DISTINCT c.creator AS u, c.spent_tx AS v
        FROM c WHERE c.spent_tx <= bound AND c.creator IN (SELECT tx_id FROM cand)
      ),
      lv(tx_id, d) AS (
        SELECT tx_id, 0 FROM cand WHERE tx_id NOT IN (SELECT v FROM dep)
        UNION
        SELECT dep.v, lv.d + 1 FROM lv JOIN dep ON dep.u = lv.tx_id
      )
      INSERT INTO t_tx SELECT tx_id, max(d) FROM lv GROUP BY tx_id;
    ELSE
      WITH RECURSIVE c(out_id, creator, spent_tx, lb) AS (
        SELECT out_id, creator, spent_tx, lb FROM t_front WHERE creator >= bound
        UNION
        SELECT i.prev_out, p.tx_id, t.tx_id, n.lb
        FROM c
             CROSS JOIN LATERAL (SELECT t.tx_id FROM tx t
                                 WHERE t.tx_id = c.creator
                                   AND NOT (stop_coinjoins AND t.coinjoin) OFFSET 0) t
             CROSS JOIN LATERAL (SELECT i.prev_out, i.addr_id FROM input i
                                 WHERE i.tx_id = t.tx_id AND i.value > 0 OFFSET 0) i
             CROSS JOIN LATERAL (SELECT p.tx_id FROM output p JOIN tx pt ON pt.tx_id = p.tx_id
                                 WHERE p.out_id = i.prev_out AND pt.n_in > 0 OFFSET 0) p
             CROSS JOIN LATERAL (
               SELECT c.lb + CASE WHEN EXISTS (SELECT 1 FROM output o
                                               WHERE o.tx_id = t.tx_id
                                                 AND o.addr_id IS NOT DISTINCT FROM i.addr_id)
                                  THEN 0 ELSE 1 END AS lb) n
        WHERE c.creator >= bound AND n.lb <= max_hops
          AND NOT (stop_labelled AND n.lb > 0 AND i.addr_id <> ALL (members)
                   AND EXISTS (SELECT 1 FROM label l WHERE l.addr_id = i.addr_id))
      ),
      taken AS (DELETE FROM t_front WHERE creator >= bound),
      later AS (INSERT INTO t_front SELECT * FROM c WHERE creator < bound),
      cand AS (SELECT DISTINCT creator AS tx_id FROM c WHERE creator >= bound),
      dep AS (  -- u before v: u spends an output of v that the taint could reach
        SELECT DISTINCT c.spent_tx AS u, c.creator AS v
        FROM c WHERE c.creator >= bound AND c.spent_tx IN (SELECT tx_id FROM cand)
      ),
      lv(tx_id, d) AS (
        SELECT tx_id, 0 FROM cand WHERE tx_id NOT IN (SELECT v FROM dep)
        UNION
        SELECT dep.v, lv.d + 1 FROM lv JOIN dep ON dep.u = lv.tx_id
      )
      INSERT INTO t_tx SELECT tx_id, max(d) FROM lv GROUP BY tx_id;
    END IF;
    SELECT max(lvl), count(*) INTO max_level, cands FROM t_tx;
    IF current_setting('peers.debug', true) = 'on' THEN
      RAISE NOTICE 'trace: window to %: % candidate transactions in % levels at %', bound,
        cands, max_level + 1, clock_timestamp();
    END IF;

    FOR level IN 0 .. coalesce(max_level, -1) LOOP
      IF forward THEN
        WITH
        ins AS (  -- the level's inputs with their pending taint
          SELECT i.tx_id, i.vin, coalesce(i.addr_id, -1) AS node, i.value, r.amount, r.hop
          FROM t_tx x JOIN input i ON i.tx_id = x.tx_id
               LEFT JOIN LATERAL (SELECT r.amount, r.hop FROM t_rec r WHERE r.out_id = i.prev_out
                                  ORDER BY r.seed LIMIT 1) r ON true
          WHERE x.lvl = level
        ),
        g AS (
          SELECT tx_id, min(hop) AS hop, sum(amount)::bigint AS tin
          FROM ins GROUP BY tx_id HAVING count(amount) > 0
        ),
        txs AS (
          SELECT g.tx_id, g.hop, g.tin, t.in_value, t.out_value, t.n_out,
                 stop_coinjoins AND t.coinjoin AS stop
          FROM g JOIN tx t USING (tx_id)
        ),
        tn AS (SELECT DISTINCT tx_id, node FROM ins WHERE amount IS NOT NULL),
        outs AS (  -- the outputs, and the fee as output n_out
          SELECT x.tx_id, o.vout AS j, o.out_id, o.value AS w, coalesce(o.addr_id, -1) AS node,
                 o.spent_tx, x.hop, x.tin, x.in_value,
                 x.hop + CASE WHEN tn.tx_id IS NULL THEN 1 ELSE 0 END AS out_hop
          FROM txs x JOIN output o ON o.tx_id = x.tx_id
               LEFT JOIN tn ON tn.tx_id = x.tx_id AND tn.node = coalesce(o.addr_id, -1)
          WHERE NOT x.stop
          UNION ALL
          SELECT x.tx_id, x.n_out, NULL, x.in_value - x.out_value, -1, NULL, x.hop, x.tin,
                 x.in_value, x.hop + 1
          FROM txs x WHERE NOT x.stop
        ),
        pf AS (  -- haircut: the tainted input split over outputs and fee by value
          SELECT outs.*,
                 CASE WHEN poison THEN w ELSE div(tin::numeric * w, in_value) END AS fl,
                 CASE WHEN poison THEN 0 ELSE mod(tin::numeric * w, in_value) END AS rem
          FROM outs
        ),
        parts AS (
          SELECT tx_id, j, out_id, node, spent_tx, w AS value, hop, tin, out_hop,
                 (fl + CASE WHEN NOT poison AND row_number() OVER w1 <= tin - sum(fl) OVER w2
                            THEN 1 ELSE 0 END)::bigint AS part
          FROM pf
          WINDOW w1 AS (PARTITION BY tx_id ORDER BY rem DESC, j), w2 AS (PARTITION BY tx_id)
        ),
        sh AS (  -- each output's taint attributed to the tainted inputs
          SELECT p.tx_id, p.j, p.node AS to_node, p.value, p.hop, p.out_hop, p.part, i.vin,
                 i.node AS from_node, div(p.part::numeric * i.amount, p.tin) AS fl,
                 mod(p.part::numeric * i.amount, p.tin) AS rem
          FROM parts p JOIN ins i ON i.tx_id = p.tx_id AND i.amount > 0
          WHERE p.out_id IS NOT NULL AND p.part > 0
        ),
        shares AS (
          SELECT tx_id, j, to_node, value, hop, out_hop, from_node,
                 (fl + CASE WHEN row_number() OVER w1 <= part - sum(fl) OVER w2 THEN 1 ELSE 0 END)
                   ::bigint AS share
          FROM sh
          WINDOW w1 AS (PARTITION BY tx_id, j ORDER BY rem DESC, vin),
                 w2 AS (PARTITION BY tx_id, j)
        ),
        ed AS (  -- the value of an output counted once per (from, output)
          INSERT INTO t_edge
          SELECT from_node, to_node, tx_id, sum(value), sum(share), min(out_hop)
          FROM (SELECT tx_id, j, from_node, to_node, min(value) AS value, sum(share) AS share,
                       min(out_hop) AS out_hop
                FROM shares WHERE out_hop <= max_hops AND share > 0
                GROUP BY tx_id, j, from_node, to_node) s
          GROUP BY from_node, to_node, tx_id
          RETURNING 1
        ),
        st AS (  -- where each output's taint goes
          SELECT p.*, stop_labelled AND p.out_hop > 0 AND p.node <> ALL (members)
                      AND EXISTS (SELECT 1 FROM label l WHERE l.addr_id = p.node) AS lab
          FROM parts p WHERE p.out_id IS NOT NULL AND p.out_hop <= max_hops AND p.part > 0
        ),
        ends AS (
          INSERT INTO t_end
          SELECT i.node, 8, i.amount, x.hop FROM ins i JOIN txs x USING (tx_id)
          WHERE x.stop AND i.amount > 0
          UNION ALL
          SELECT from_node, 3, share, hop FROM shares WHERE out_hop > max_hops AND share > 0
          UNION ALL
          SELECT node, CASE WHEN lab THEN 1 ELSE 0 END, part, out_hop FROM st
          WHERE lab OR spent_tx IS NULL
          UNION ALL
          SELECT -1, 5, part, out_hop FROM parts WHERE out_id IS NULL AND part > 0
        ),
        recs AS (
          INSERT INTO t_rec
          SELECT out_id, false, part, out_hop FROM st WHERE NOT lab AND spent_tx IS NOT NULL
        )
        SELECT (SELECT count(*) FROM txs WHERE NOT stop), (SELECT count(*) FROM ed) INTO n, ne;
      ELSE
        WITH
        outs AS (  -- the level's outputs with their pending taint
          SELECT o.tx_id, o.vout AS j, o.out_id, o.value, coalesce(o.addr_id, -1) AS node,
                 r.amount, r.hop
          FROM t_tx x JOIN output o ON o.tx_id = x.tx_id
               LEFT JOIN LATERAL (SELECT r.amount, r.hop FROM t_rec r WHERE r.out_id = o.out_id
                                  ORDER BY r.seed LIMIT 1) r ON true
          WHERE x.lvl = level
        ),
        g AS (
          SELECT tx_id, min(hop) AS hop, sum(amount)::bigint AS tout
          FROM outs GROUP BY tx_id HAVING count(amount) > 0
        ),
        txs AS (
          SELECT g.tx_id, g.hop, g.tout, t.in_value, stop_coinjoins AND t.coinjoin AS stop
          FROM g JOIN tx t USING (tx_id)
        ),
        tn AS (SELECT DISTINCT tx_id, node FROM outs WHERE amount IS NOT NULL),
        ins AS (
          SELECT x.tx_id, i.vin, i.prev_out, coalesce(i.addr_id, -1) AS node, i.value, x.hop,
                 x.tout, x.in_value, x.hop + CASE WHEN tn.tx_id IS NULL THEN 1 ELSE 0 END AS in_hop,
                 CASE WHEN poison THEN i.value
                      ELSE coalesce(div(x.tout::numeric * i.value, nullif(x.in_value, 0)), 0)
                 END AS fl,
                 CASE WHEN poison THEN 0
                      ELSE coalesce(mod(x.tout::numeric * i.value, nullif(x.in_value, 0)), 0)
                 END AS rem
          FROM txs x JOIN input i ON i.tx_id = x.tx_id
               LEFT JOIN tn ON tn.tx_id = x.tx_id AND tn.node = coalesce(i.addr_id, -1)
          WHERE NOT x.stop
        ),
        intaint AS (  -- haircut: the tainted outputs' value split over the inputs by value
          SELECT tx_id, vin, prev_out, node, value, hop, in_hop, in_value,
                 (fl + CASE WHEN NOT poison AND row_number() OVER w1 <= tout - sum(fl) OVER w2
                            THEN 1 ELSE 0 END)::bigint AS amount
          FROM ins
          WINDOW w1 AS (PARTITION BY tx_id ORDER BY rem DESC, vin), w2 AS (PARTITION BY tx_id)
        ),
        sh AS (  -- each tainted output's taint attributed to the inputs by value
          SELECT o.tx_id, o.j, o.node AS to_node, o.value, o.amount AS total, i.vin,
                 i.node AS from_node, i.hop, i.in_hop,
                 coalesce(div(o.amount::numeric * i.value, nullif(i.in_value, 0)), 0) AS fl,
                 coalesce(mod(o.amount::numeric * i.value, nullif(i.in_value, 0)), 0) AS rem
          FROM outs o JOIN intaint i ON i.tx_id = o.tx_id
          WHERE o.amount > 0
        ),
        shares AS (
          SELECT tx_id, j, to_node, value, hop, in_hop, from_node,
                 (fl + CASE WHEN row_number() OVER w1 <= total - sum(fl) OVER w2 THEN 1 ELSE 0 END)
                   ::bigint AS share
          FROM sh
          WINDOW w1 AS (PARTITION BY tx_id, j ORDER BY rem DESC, vin),
                 w2 AS (PARTITION BY tx_id, j)
        ),
        ed AS (
          INSERT INTO t_edge
          SELECT from_node, to_node, tx_id, sum(value), sum(share), min(in_hop)
          FROM (SELECT tx_id, j, from_node, to_node, min(value) AS value, sum(share) AS share,
                       min(in_hop) AS in_hop
                FROM shares WHERE in_hop <= max_hops AND share > 0
                GROUP BY tx_id, j, from_node, to_node) s
          GROUP BY from_node, to_node, tx_id
          RETURNING 1
        ),
        st AS (  -- where each input's taint goes
          SELECT i.*, stop_labelled AND i.in_hop > 0 AND i.node <> ALL (members)
                      AND EXISTS (SELECT 1 FROM label l WHERE l.addr_id = i.node) AS lab,
                 pt.n_in = 0 AS coinbase
          FROM intaint i JOIN output p ON p.out_id = i.prev_out JOIN tx pt ON pt.tx_id = p.tx_id
          WHERE i.in_hop <= max_hops AND i.amount > 0
        ),
        ends AS (
          INSERT INTO t_end
          SELECT o.node, 8, o.amount, x.hop FROM outs o JOIN txs x USING (tx_id)
          WHERE x.stop AND o.amount > 0
          UNION ALL
          SELECT to_node, 3, share, hop FROM shares WHERE in_hop > max_hops AND share > 0
          UNION ALL
          SELECT node, CASE WHEN lab THEN 1 ELSE 6 END, amount, in_hop FROM st
          WHERE lab OR coinbase
        ),
        recs AS (
          INSERT INTO t_rec
          SELECT prev_out, false, amount, in_hop FROM st WHERE NOT lab AND NOT coinbase
        )
        SELECT (SELECT count(*) FROM txs WHERE NOT stop), (SELECT count(*) FROM ed) INTO n, ne;
      END IF;
      txs := txs + n;
      edges := edges + ne;
      IF edges > max_edges THEN
        truncated := true;
        EXIT;
      END IF;
    END LOOP;

    -- The next window starts where the frontier is, and aims at about 2,000 candidates.
    step := greatest(1000, step * least(2.0, greatest(0.25, 2000.0 / (coalesce(cands, 0) + 1))));
    SELECT CASE WHEN forward THEN greatest(bound, min(spent_tx) - 1) + step
                ELSE least(bound, max(creator) + 1) - step END
    INTO bound FROM t_front HAVING count(*) > 0;
  END LOOP;
  IF current_setting('peers.debug', true) = 'on' THEN
    RAISE NOTICE 'trace: % transactions, % edges at %', txs, edges, clock_timestamp();
  END IF;
END
$$;

-- The trace question: from everything `seed` received, `hops` hops, stopping at CoinJoins.
-- Rows: 'n' node (a = name, b = its labels "label|category|source" ';'-joined),
--       'e' edge (a = from, b = to, txid, height, value, tainted, hop),
--       'x' endpoint (a = node, b = reason, tainted, hop),
--       's' summary (value = seed value, tainted = transactions, hop = edges; b = "truncated" when
--           there were more edges than max_edges: both stop early, at points that depend on their
--           order of work, so that only the flag and the seed value are comparable).
-- Node -1 is named "fee", as the service names kNoNode.
CREATE OR REPLACE FUNCTION peers_trace(seed text, forward boolean, poison boolean, hops int,
                                       max_edges bigint)
RETURNS TABLE (kind text, a text, b text, txid text, height int, value bigint, tainted bigint,
               hop int)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  seed_addr int;
  r record;
BEGIN
  SELECT addr_id INTO seed_addr FROM address WHERE address = seed;
  IF seed_addr IS NULL THEN
    RAISE EXCEPTION 'address % never appeared on chain', seed;
  END IF;
  SELECT * INTO r
  FROM peers_trace_run(ARRAY(SELECT out_id FROM output WHERE addr_id = seed_addr), forward,
                       poison, hops, true, false, '{}', max_edges);
  RETURN QUERY
  WITH
  ends AS (
    SELECT node, reason, sum(amount)::bigint AS amount, min(t_end.hop) AS hop
    FROM t_end GROUP BY node, reason
  ),
  nodes AS (SELECT e.a AS node FROM t_edge e UNION SELECT e.b FROM t_edge e
            UNION SELECT x.node FROM ends x),
  named AS (  -- (scalar subqueries: index probes, where a join would hash every address)
    SELECT n.node, CASE WHEN n.node < 0 THEN 'fee'
                        ELSE (SELECT ad.address FROM address ad WHERE ad.addr_id = n.node) END
                     AS name
    FROM nodes n
  )
  SELECT 'n'::text, nm.name,
         (SELECT string_agg(l.label || '|' || l.category || '|' || l.source, ';')
          FROM label l WHERE l.addr_id = nm.node),
         NULL::text, NULL::int, NULL::bigint, NULL::bigint, NULL::int
  FROM named nm
  UNION ALL
  SELECT 'e', fa.name, ta.name, encode(t.txid, 'hex'), t.height, e.value, e.tainted, e.hop
  FROM t_edge e JOIN named fa ON fa.node = e.a JOIN named ta ON ta.node = e.b
       CROSS JOIN LATERAL (SELECT t.txid, t.height FROM tx t WHERE t.tx_id = e.tx_id OFFSET 0) t
  UNION ALL
  SELECT 'x', nm.name, peers_reason(x.reason), NULL, NULL, NULL, x.amount, x.hop
  FROM ends x JOIN named nm ON nm.node = x.node
  UNION ALL
  SELECT 's', NULL, CASE WHEN r.truncated THEN 'truncated' END, NULL, NULL, r.seed_value, r.txs,
         r.edges::int;
END
$$;

-- Exposure of one address to labelled entities (trace::ComputeExposure): received, by a backward
-- trace from what it received in transactions without an input of its own; sent, paid straight to
-- a labelled address or traced onwards hops - 1 further. Haircut; CoinJoins do not stop these
-- traces. An amount counts once per distinct entity (label, category) and once per distinct
-- category of the address it reached.
-- Rows: (kind 'c' category / 'e' entity, entity, category, received_direct, received_indirect,
-- sent_direct, sent_indirect), then 't' with the totals received and sent (third and fifth amount
-- columns) and category "truncated" when a trace had more than 100,000 edges (Ariadne's default
-- limit of the traces inside an exposure).
CREATE OR REPLACE FUNCTION peers_exposure(subject text, hops int)
RETURNS TABLE (kind text, entity text, category text, received_direct bigint,
               received_indirect bigint, sent_direct bigint, sent_indirect bigint)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  me int;
  received_outs bigint[];
  total_received bigint;
  total_sent bigint;
  onward bigint[];
  back record;
  fwd record;
BEGIN
  SELECT addr_id INTO me FROM address WHERE address = subject;
  IF me IS NULL THEN
    RAISE EXCEPTION 'address % never appeared on chain', subject;
  END IF;
  -- Received from outside: outputs of transactions without an input of its own.
  SELECT coalesce(array_agg(o.out_id), '{}'), coalesce(sum(o.value), 0)
  INTO received_outs, total_received
  FROM output o
  WHERE o.addr_id = me
    AND NOT EXISTS (SELECT 1 FROM input i WHERE i.tx_id = o.tx_id AND i.addr_id = me);
  SELECT * INTO back
  FROM peers_trace_run(received_outs, false, false, hops, false, true, ARRAY[me], 100000);
  -- Labelled endpoints, one per node (at the smallest hop it was reached): field 0
  -- received_direct, 1 received_indirect, 2 sent_direct, 3 sent_indirect.
  CREATE TEMP TABLE IF NOT EXISTS t_expo (node int, amount bigint, field int);
  DELETE FROM t_expo;
  INSERT INTO t_expo
  SELECT node, sum(amount), CASE WHEN min(hop) <= 1 THEN 0 ELSE 1 END
  FROM t_end WHERE reason = 1 GROUP BY node;
  -- Paid to others: every output of a transaction spending one of its outputs, once.
  WITH sent AS (
    SELECT DISTINCT p.out_id, p.addr_id, p.value,
           EXISTS (SELECT 1 FROM label l WHERE l.addr_id = p.addr_id) AS labelled
    FROM output o JOIN output p ON p.tx_id = o.spent_tx
    WHERE o.addr_id = me AND p.addr_id IS DISTINCT FROM me
  ),
  direct AS (
    INSERT INTO t_expo SELECT addr_id, value, 2 FROM sent WHERE labelled
  )
  SELECT coalesce(sum(value), 0),
         coalesce(array_agg(out_id) FILTER (WHERE NOT labelled), '{}')
  INTO total_sent, onward
  FROM sent;
  SELECT * INTO fwd
  FROM peers_trace_run(onward, true, false, greatest(hops - 1, 0), false, true, ARRAY[me],
                       100000);
  INSERT INTO t_expo SELECT node, sum(amount), 3 FROM t_end WHERE reason = 1 GROUP BY node;

  RETURN QUERY
  WITH
  entities AS (
    SELECT m.field, m.amount, l.label, l.category
    FROM t_expo m JOIN (SELECT DISTINCT addr_id, label, category FROM label) l
         ON l.addr_id = m.node
  ),
  categories AS (
    SELECT m.field, m.amount, l.category
    FROM t_expo m JOIN (SELECT DISTINCT addr_id, category FROM label) l ON l.addr_id = m.node
  )
  SELECT 'c'::text, NULL::text, c.category,
         (sum(c.amount) FILTER (WHERE field = 0))::bigint,
         (sum(c.amount) FILTER (WHERE field = 1))::bigint,
         (sum(c.amount) FILTER (WHERE field = 2))::bigint,
         (sum(c.amount) FILTER (WHERE field = 3))::bigint
  FROM categories c GROUP BY c.category
  UNION ALL
  SELECT 'e', e.label, e.category,
         (sum(e.amount) FILTER (WHERE field = 0))::bigint,
         (sum(e.amount) FILTER (WHERE field = 1))::bigint,
         (sum(e.amount) FILTER (WHERE field = 2))::bigint,
         (sum(e.amount) FILTER (WHERE field = 3))::bigint
  FROM entities e GROUP BY e.label, e.category
  UNION ALL
  SELECT 't', NULL,
         CASE WHEN back.truncated OR fwd.truncated THEN 'truncated' END,
         total_received, NULL, total_sent, NULL;
END
$$;

-- Paths (trace::FindPaths): breadth-first from both ends at once over outputs, expanding the
-- smaller frontier by one transaction, until the sides meet; the shortest meetings, in output
-- order, give up to max_paths paths. The order of discovery is kept (pos) so that each output's
-- parent is the one Ariadne's vectors find first, and the paths come out step for step the same.
-- Rows: (path, step, txid, height, vout, value, from, to) per step, then one row with path = 0,
-- step = hops (0: none found) and height = 1 when the search was truncated.
CREATE OR REPLACE FUNCTION peers_paths(from_addr text, to_addr text, max_hops int,
                                       max_paths int)
RETURNS TABLE (path int, step int, txid text, height int, vout int, value bigint,
               from_owner text, to_owner text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  src int;
  dst int;
  -- Each side: outputs seen, their depth, parent and position in their frontier.
  f_out bigint[]; f_depth int[]; f_parent bigint[]; f_pos bigint[];
  b_out bigint[]; b_depth int[]; b_parent bigint[]; b_pos bigint[];
  n_out bigint[]; n_parent bigint[]; n_pos bigint[];
  fwd_depth int := 0;
  back_depth int := 0;
  fwd_n bigint;
  back_n bigint;
  go_forward boolean;
  met boolean := false;
  truncated boolean := false;
  best int := 0;
BEGIN
  SELECT addr_id INTO src FROM address WHERE address = from_addr;
  SELECT addr_id INTO dst FROM address WHERE address = to_addr;
  IF src IS NULL OR dst IS NULL THEN
    RAISE EXCEPTION 'address never appeared on chain';
  END IF;
  SELECT coalesce(array_agg(out_id ORDER BY out_id), '{}'),
         coalesce(array_agg(row_number ORDER BY out_id), '{}')
  INTO f_out, f_pos
  FROM (SELECT out_id, row_number() OVER (ORDER BY out_id) FROM output WHERE addr_id = src) s;
  SELECT coalesce(array_agg(out_id ORDER BY out_id), '{}'),
         coalesce(array_agg(row_number ORDER BY out_id), '{}')
  INTO b_out, b_pos
  FROM (SELECT out_id, row_number() OVER (ORDER BY out_id) FROM output WHERE addr_id = dst) s;
  fwd_n := cardinality(f_out);
  back_n := cardinality(b_out);
  f_depth := array_fill(0, ARRAY[fwd_n::int]);
  b_depth := array_fill(0, ARRAY[back_n::int]);
  f_parent := array_fill(NULL::bigint, ARRAY[fwd_n::int]);
  b_parent := array_fill(NULL::bigint, ARRAY[back_n::int]);
  WHILE NOT met AND fwd_depth + back_depth < max_hops AND (fwd_n > 0 OR back_n > 0) LOOP
    IF cardinality(f_out) + cardinality(b_out) > 2000000 THEN
      truncated := true;
      EXIT;
    END IF;
    go_forward := fwd_n > 0 AND (back_n = 0 OR fwd_n <= back_n);
    IF go_forward THEN
      fwd_depth := fwd_depth + 1;
      WITH
      front AS (
        SELECT * FROM unnest(f_out, f_depth, f_pos) AS f(out_id, depth, pos)
        WHERE f.depth = fwd_depth - 1
      ),
      cand AS (  -- every output of the transaction spending a frontier output
        SELECT o.out_id, f.out_id AS parent, f.pos AS parent_pos
        FROM front f JOIN output s ON s.out_id = f.out_id JOIN output o ON o.tx_id = s.spent_tx
      ),
      firsts AS (
        SELECT DISTINCT ON (c.out_id) c.out_id, c.parent, c.parent_pos
        FROM cand c
        WHERE NOT EXISTS (SELECT 1 FROM unnest(f_out) AS x(out_id) WHERE x.out_id = c.out_id)
        ORDER BY c.out_id, c.parent_pos
      ),
      new AS (
        SELECT out_id, parent, row_number() OVER (ORDER BY parent_pos, out_id) AS pos FROM firsts
      )
      SELECT array_agg(out_id), array_agg(parent), array_agg(pos),
             coalesce(bool_or(EXISTS (SELECT 1 FROM unnest(b_out) AS x(out_id)
                                      WHERE x.out_id = new.out_id)), false)
      INTO n_out, n_parent, n_pos, met FROM new;
      fwd_n := coalesce(cardinality(n_out), 0);
      f_out := f_out || n_out;
      f_parent := f_parent || n_parent;
      f_pos := f_pos || n_pos;
      f_depth := f_depth || array_fill(fwd_depth, ARRAY[fwd_n::int]);
    ELSE
      back_depth := back_depth + 1;
      WITH
      front AS (
        SELECT * FROM unnest(b_out, b_depth, b_pos) AS b(out_id, depth, pos)
        WHERE b.depth = back_depth - 1
      ),
      cand AS (  -- every output the transaction creating a frontier output spent
        SELECT i.prev_out AS out_id, b.out_id AS parent, b.pos AS parent_pos, i.vin
        FROM front b JOIN output s ON s.out_id = b.out_id JOIN input i ON i.tx_id = s.tx_id
      ),
      firsts AS (
        SELECT DISTINCT ON (c.out_id) c.out_id, c.parent, c.parent_pos, c.vin
        FROM cand c
        WHERE NOT EXISTS (SELECT 1 FROM unnest(b_out) AS x(out_id) WHERE x.out_id = c.out_id)
        ORDER BY c.out_id, c.parent_pos
      ),
      new AS (
        SELECT out_id, parent, row_number() OVER (ORDER BY parent_pos, vin) AS pos FROM firsts
      )
      SELECT array_agg(out_id), array_agg(parent), array_agg(pos),
             coalesce(bool_or(EXISTS (SELECT 1 FROM unnest(f_out, f_depth) AS x(out_id, depth)
                                      WHERE x.out_id = new.out_id AND x.depth > 0)), false)
      INTO n_out, n_parent, n_pos, met FROM new;
      back_n := coalesce(cardinality(n_out), 0);
      b_out := b_out || n_out;
      b_parent := b_parent || n_parent;
      b_pos := b_pos || n_pos;
      b_depth := b_depth || array_fill(back_depth, ARRAY[back_n::int]);
    END IF;
  END LOOP;
  IF met THEN
    RETURN QUERY
    WITH RECURSIVE
    fs AS (SELECT * FROM unnest(f_out, f_depth, f_parent) AS f(out_id, depth, parent)),
    bs AS (SELECT * FROM unnest(b_out, b_depth, b_parent) AS b(out_id, depth, parent)),
    meeting AS (  -- the last expansion's meetings
      SELECT f.out_id, f.depth + b.depth AS total
      FROM fs f JOIN bs b ON b.out_id = f.out_id
      WHERE f.depth > 0
        AND ((go_forward AND f.depth = fwd_depth) OR (NOT go_forward AND b.depth = back_depth))
    ),
    meets AS (
      SELECT m.out_id, (row_number() OVER (ORDER BY m.out_id))::int AS path
      FROM meeting m WHERE m.total = (SELECT min(total) FROM meeting)
      ORDER BY m.out_id LIMIT max_paths
    ),
    up(path, out_id, k) AS (  -- source side: from the meeting output back to a source output
      SELECT m.path, m.out_id, 0 FROM meets m
      UNION ALL
      SELECT up.path, f.parent, up.k - 1
      FROM up JOIN fs f ON f.out_id = up.out_id
      WHERE f.parent IS NOT NULL
    ),
    down(path, out_id, k) AS (  -- target side: each step's output spent by the next step
      SELECT m.path, m.out_id, 0 FROM meets m
      UNION ALL
      SELECT down.path, b.parent, down.k + 1
      FROM down JOIN bs b ON b.out_id = down.out_id
      WHERE b.parent IS NOT NULL
    ),
    steps AS (
      SELECT up.path, up.out_id, up.k FROM up
      WHERE EXISTS (SELECT 1 FROM fs f WHERE f.out_id = up.out_id AND f.depth > 0)
      UNION ALL
      SELECT down.path, down.out_id, down.k FROM down WHERE down.k > 0
    ),
    numbered AS (
      SELECT s.path, (row_number() OVER (PARTITION BY s.path ORDER BY s.k))::int AS step,
             o.tx_id, o.vout, o.value, o.addr_id,
             lag(o.addr_id) OVER (PARTITION BY s.path ORDER BY s.k) AS prev_addr
      FROM steps s JOIN output o ON o.out_id = s.out_id
    )
    SELECT n.path, n.step, encode(t.txid, 'hex'), t.height, n.vout, n.value,
           -- The spender's input from the path: the source's, or the previous step's output's.
           (SELECT a.address FROM input i JOIN address a ON a.addr_id = i.addr_id
            WHERE i.tx_id = n.tx_id
              AND i.addr_id = CASE WHEN n.step = 1 THEN src ELSE n.prev_addr END
            ORDER BY i.vin LIMIT 1),
           (SELECT a.address FROM address a WHERE a.addr_id = n.addr_id)
    FROM numbered n JOIN tx t ON t.tx_id = n.tx_id
    ORDER BY n.path, n.step;
    SELECT min(f.depth + b.depth) INTO best
    FROM unnest(f_out, f_depth) AS f(out_id, depth)
         JOIN unnest(b_out, b_depth) AS b(out_id, depth) ON b.out_id = f.out_id
    WHERE f.depth > 0
      AND ((go_forward AND f.depth = fwd_depth) OR (NOT go_forward AND b.depth = back_depth));
  END IF;
  RETURN QUERY SELECT 0, best, NULL::text, CASE WHEN truncated THEN 1 ELSE 0 END, NULL::int,
                      NULL::bigint, NULL::text, NULL::text;
END
$$;
