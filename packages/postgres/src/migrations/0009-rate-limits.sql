-- name: rate limits
-- Keyed GCRA budgets shared by every process on the schema: one row per (task name, key) with its
-- theoretical arrival time (TAT, fractional ms), and the slots reserved for parked tasks by task id.
CREATE TABLE {{schema}}.rate_limits (
  policy_key text COLLATE "C" NOT NULL,
  budget_key text COLLATE "C" NOT NULL,
  tat double precision,
  tolerance_ms double precision NOT NULL,
  PRIMARY KEY (policy_key, budget_key)
);

CREATE TABLE {{schema}}.rate_limit_reservations (
  reservation_id text PRIMARY KEY,
  policy_key text COLLATE "C" NOT NULL,
  budget_key text COLLATE "C" NOT NULL,
  slot_at bigint NOT NULL,
  interval_ms double precision NOT NULL
);
CREATE INDEX ON {{schema}}.rate_limit_reservations (policy_key, budget_key);

-- One call per batch of acquisitions (one round trip): creates or locks the batch's budgets in
-- key order (so two batches never deadlock) and reads them with the batch's reservations into
-- arrays, applies each budget's requests in batch order with the GCRA arithmetic of evertask's applyGcra on those
-- arrays, then writes every budget and reservation back once. Requests: [{ p, k, id, now, t, tau, h, e }].
CREATE FUNCTION {{schema}}.rate_limit_acquire(requests jsonb)
RETURNS TABLE (ord bigint, acquired boolean, slot_at bigint, rejected boolean)
LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
DECLARE
  pk text[];
  bk text[];
  tats double precision[];
  taus double precision[];
  rid text[];
  rslot bigint[];
  new_id text[] := '{}';
  new_p text[] := '{}';
  new_k text[] := '{}';
  new_slot bigint[] := '{}';
  new_t double precision[] := '{}';
  gone text[] := '{}';
  r record;
  j int := 1;
  m int;
  cur double precision;
  booked bigint;
  slot bigint;
BEGIN
  -- budgets are not worth a WAL flush per batch: after a database crash the last few hundred ms
  -- of acquisitions may be forgotten (the budget briefly over-granted), never a task
  PERFORM set_config('synchronous_commit', 'off', true);
  WITH wanted AS (
    SELECT DISTINCT ON (q->>'p' COLLATE "C", q->>'k' COLLATE "C") q->>'p' AS p, q->>'k' AS k, (q->>'tau')::double precision AS tau
    FROM jsonb_array_elements(requests) AS q ORDER BY q->>'p' COLLATE "C", q->>'k' COLLATE "C"
  ), up AS (
    INSERT INTO {{schema}}.rate_limits AS b (policy_key, budget_key, tat, tolerance_ms)
    SELECT p, k, NULL, tau FROM wanted ORDER BY p COLLATE "C", k COLLATE "C"
    ON CONFLICT (policy_key, budget_key) DO UPDATE SET tolerance_ms = b.tolerance_ms
    RETURNING b.policy_key, b.budget_key, b.tat, b.tolerance_ms
  )
  SELECT array_agg(up.policy_key ORDER BY up.policy_key, up.budget_key), array_agg(up.budget_key ORDER BY up.policy_key, up.budget_key),
    array_agg(up.tat ORDER BY up.policy_key, up.budget_key), array_agg(up.tolerance_ms ORDER BY up.policy_key, up.budget_key)
  INTO pk, bk, tats, taus FROM up;

  SELECT coalesce(array_agg(x.reservation_id), '{}'), coalesce(array_agg(x.slot_at), '{}') INTO rid, rslot
  FROM (
    SELECT v.reservation_id, v.slot_at FROM {{schema}}.rate_limit_reservations v
    WHERE v.reservation_id IN (SELECT q->>'id' FROM jsonb_array_elements(requests) AS q)
    ORDER BY v.reservation_id FOR UPDATE
  ) x;

  FOR r IN
    SELECT e.n, e.q->>'p' AS p, e.q->>'k' AS k, e.q->>'id' AS id, (e.q->>'now')::bigint AS now,
      (e.q->>'t')::double precision AS t, (e.q->>'tau')::double precision AS tau,
      (e.q->>'h')::double precision AS h, (e.q->>'e')::boolean AS empty
    FROM jsonb_array_elements(requests) WITH ORDINALITY AS e(q, n)
    -- requests of different budgets are independent: taken in budget order (the arrays' order),
    -- each budget's in batch order, so the budget's index only moves forward
    ORDER BY e.q->>'p' COLLATE "C", e.q->>'k' COLLATE "C", e.n
  LOOP
    WHILE pk[j] <> r.p OR bk[j] <> r.k LOOP j := j + 1; END LOOP;
    cur := coalesce(tats[j], CASE WHEN r.empty THEN r.now + r.tau ELSE r.now END);
    m := array_position(rid, r.id);
    booked := CASE WHEN m IS NULL THEN NULL ELSE rslot[m] END;
    ord := r.n;
    IF booked IS NOT NULL THEN
      tats[j] := cur;
      IF r.now >= booked THEN
        rslot[m] := NULL;
        gone := gone || r.id;
        acquired := true; slot_at := booked; rejected := false;
      ELSE
        acquired := false; slot_at := booked; rejected := false;
      END IF;
    ELSIF r.now >= cur - r.tau THEN
      tats[j] := greatest(r.now::double precision, cur) + r.t;
      taus[j] := r.tau;
      acquired := true; slot_at := r.now; rejected := false;
    ELSE
      slot := ceil(cur - r.tau)::bigint;
      tats[j] := cur;
      IF slot - r.now > r.h THEN
        acquired := false; slot_at := slot; rejected := true;
      ELSE
        tats[j] := cur + r.t;
        taus[j] := r.tau;
        IF m IS NULL THEN
          rid := rid || r.id;
          rslot := rslot || slot;
        ELSE
          rslot[m] := slot;
        END IF;
        new_id := new_id || r.id; new_p := new_p || r.p; new_k := new_k || r.k; new_slot := new_slot || slot; new_t := new_t || r.t;
        acquired := false; slot_at := slot; rejected := false;
      END IF;
    END IF;
    RETURN NEXT;
  END LOOP;

  UPDATE {{schema}}.rate_limits b SET tat = u.tat, tolerance_ms = u.tau
  FROM unnest(pk, bk, tats, taus) AS u(p, k, tat, tau)
  WHERE b.policy_key = u.p AND b.budget_key = u.k;
  IF cardinality(gone) > 0 THEN
    DELETE FROM {{schema}}.rate_limit_reservations v WHERE v.reservation_id = ANY(gone);
  END IF;
  IF cardinality(new_id) > 0 THEN
    INSERT INTO {{schema}}.rate_limit_reservations AS v (reservation_id, policy_key, budget_key, slot_at, interval_ms)
    SELECT * FROM unnest(new_id, new_p, new_k, new_slot, new_t)
    ON CONFLICT (reservation_id) DO UPDATE SET policy_key = EXCLUDED.policy_key, budget_key = EXCLUDED.budget_key,
      slot_at = EXCLUDED.slot_at, interval_ms = EXCLUDED.interval_ms;
  END IF;
END
$fn$;
