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

-- One call per batch of acquisitions (one round trip): locks the batch's budgets in key order
-- (so two batches never deadlock), then applies each request in order with the GCRA arithmetic
-- of evertask's applyGcra. Requests: [{ p, k, id, now, t, tau, h, e }].
CREATE FUNCTION {{schema}}.rate_limit_acquire(requests jsonb)
RETURNS TABLE (ord bigint, acquired boolean, slot_at bigint, rejected boolean)
LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
DECLARE
  r record;
  cur double precision;
  booked bigint;
  slot bigint;
BEGIN
  INSERT INTO {{schema}}.rate_limits AS b (policy_key, budget_key, tat, tolerance_ms)
  SELECT DISTINCT q->>'p', q->>'k', NULL::double precision, (q->>'tau')::double precision
  FROM jsonb_array_elements(requests) AS q
  ORDER BY 1, 2
  ON CONFLICT (policy_key, budget_key) DO UPDATE SET tolerance_ms = b.tolerance_ms;

  FOR r IN
    SELECT e.n, e.q->>'p' AS p, e.q->>'k' AS k, e.q->>'id' AS id, (e.q->>'now')::bigint AS now,
      (e.q->>'t')::double precision AS t, (e.q->>'tau')::double precision AS tau,
      (e.q->>'h')::double precision AS h, (e.q->>'e')::boolean AS empty
    FROM jsonb_array_elements(requests) WITH ORDINALITY AS e(q, n)
    ORDER BY e.n
  LOOP
    SELECT b.tat INTO cur FROM {{schema}}.rate_limits b WHERE b.policy_key = r.p AND b.budget_key = r.k;
    IF cur IS NULL THEN
      cur := CASE WHEN r.empty THEN r.now + r.tau ELSE r.now END;
    END IF;
    SELECT x.slot_at INTO booked FROM {{schema}}.rate_limit_reservations x WHERE x.reservation_id = r.id FOR UPDATE;
    IF FOUND THEN
      UPDATE {{schema}}.rate_limits b SET tat = cur WHERE b.policy_key = r.p AND b.budget_key = r.k AND b.tat IS NULL;
      IF r.now >= booked THEN
        DELETE FROM {{schema}}.rate_limit_reservations x WHERE x.reservation_id = r.id;
        ord := r.n; acquired := true; slot_at := booked; rejected := false;
      ELSE
        ord := r.n; acquired := false; slot_at := booked; rejected := false;
      END IF;
    ELSIF r.now >= cur - r.tau THEN
      UPDATE {{schema}}.rate_limits b SET tat = greatest(r.now::double precision, cur) + r.t, tolerance_ms = r.tau
      WHERE b.policy_key = r.p AND b.budget_key = r.k;
      ord := r.n; acquired := true; slot_at := r.now; rejected := false;
    ELSE
      slot := ceil(cur - r.tau)::bigint;
      IF slot - r.now > r.h THEN
        UPDATE {{schema}}.rate_limits b SET tat = cur WHERE b.policy_key = r.p AND b.budget_key = r.k AND b.tat IS NULL;
        ord := r.n; acquired := false; slot_at := slot; rejected := true;
      ELSE
        UPDATE {{schema}}.rate_limits b SET tat = cur + r.t, tolerance_ms = r.tau WHERE b.policy_key = r.p AND b.budget_key = r.k;
        INSERT INTO {{schema}}.rate_limit_reservations AS x (reservation_id, policy_key, budget_key, slot_at, interval_ms)
        VALUES (r.id, r.p, r.k, slot, r.t)
        ON CONFLICT (reservation_id) DO UPDATE SET policy_key = EXCLUDED.policy_key, budget_key = EXCLUDED.budget_key,
          slot_at = EXCLUDED.slot_at, interval_ms = EXCLUDED.interval_ms;
        ord := r.n; acquired := false; slot_at := slot; rejected := false;
      END IF;
    END IF;
    RETURN NEXT;
  END LOOP;
END
$fn$;
