-- name: idle rate-limit budgets removed
-- start_empty: the startEmpty flag of a budget's last request. Rows from before this migration
-- count as true until their next acquisition writes the flag, so none is removed unexamined.
ALTER TABLE {{schema}}.rate_limits ADD COLUMN start_empty boolean NOT NULL DEFAULT true;
CREATE INDEX ON {{schema}}.rate_limits (tat) WHERE NOT start_empty;

-- One call per batch of acquisitions, as rate_limit_acquire (which it calls), and in the same
-- transaction: records each budget's startEmpty, then removes up to 100 idle budgets, which are
-- equivalent to absent ones (see docs/rate-limits.md): not startEmpty, no reservation, TAT at
-- least a minute before the batch's earliest now (a start then conforms and sets TAT = now + T, as
-- on a key never seen), oldest first, skipping rows other transactions hold.
CREATE FUNCTION {{schema}}.rate_limit_acquire_sweep(requests jsonb)
RETURNS TABLE (ord bigint, acquired boolean, slot_at bigint, rejected boolean)
LANGUAGE plpgsql AS $fn$
BEGIN
  RETURN QUERY SELECT a.ord, a.acquired, a.slot_at, a.rejected FROM {{schema}}.rate_limit_acquire(requests) AS a;
  UPDATE {{schema}}.rate_limits b SET start_empty = w.e
  FROM (
    SELECT DISTINCT ON (x.q->>'p' COLLATE "C", x.q->>'k' COLLATE "C") x.q->>'p' AS p, x.q->>'k' AS k, (x.q->>'e')::boolean AS e
    FROM jsonb_array_elements(requests) WITH ORDINALITY AS x(q, n)
    ORDER BY x.q->>'p' COLLATE "C", x.q->>'k' COLLATE "C", x.n DESC
  ) w
  WHERE b.policy_key = w.p AND b.budget_key = w.k AND b.start_empty <> w.e;
  DELETE FROM {{schema}}.rate_limits b USING (
    SELECT i.policy_key, i.budget_key FROM {{schema}}.rate_limits i
    WHERE NOT i.start_empty
      AND i.tat <= (SELECT min((x.q->>'now')::bigint) FROM jsonb_array_elements(requests) AS x(q)) - 60000
      AND NOT EXISTS (SELECT 1 FROM {{schema}}.rate_limit_reservations v WHERE v.policy_key = i.policy_key AND v.budget_key = i.budget_key)
    ORDER BY i.tat
    LIMIT 100
    FOR UPDATE SKIP LOCKED
  ) d
  WHERE b.policy_key = d.policy_key AND b.budget_key = d.budget_key;
END
$fn$;
