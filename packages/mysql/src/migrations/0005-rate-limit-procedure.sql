-- name: rate-limit acquisitions in one call
-- One CALL per batch of acquisitions (one statement, one round trip), for MySQL 8.0.4+ and
-- MariaDB 10.6+ (JSON_TABLE, SKIP LOCKED). Safe to run twice: the column is
-- added only when information_schema shows it missing, the procedure is dropped and created.
--
-- start_empty: the startEmpty flag of a budget's last request. Rows from before this migration
-- count as 1 until their next acquisition writes the flag, so none is removed unexamined.
SET @evertask_ddl = (SELECT IF(COUNT(*) = 0, 'ALTER TABLE {{prefix}}rate_limits ADD COLUMN start_empty TINYINT NOT NULL DEFAULT 1, ADD KEY {{prefix}}rate_limits_idle (start_empty, tat)', 'DO 0') FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '{{prefix}}rate_limits' AND COLUMN_NAME = 'start_empty');
PREPARE evertask_migration FROM @evertask_ddl;
EXECUTE evertask_migration;
DEALLOCATE PREPARE evertask_migration;

DROP PROCEDURE IF EXISTS {{prefix}}rate_limit_acquire;

-- The batch is a JSON array [{ p, k, id, now, t, tau, h, e }] (e: 1 for startEmpty). In its own
-- READ COMMITTED transaction the procedure
-- 1. creates or locks the batch's budgets in key order with one upsert (two batches never deadlock);
-- 2. reads each request with its budget's TAT and its reservation in one cursor, in budget order
--    and, within a budget, in batch order (budgets are independent), and steps it with the
--    arithmetic of evertask's applyGcra (DOUBLE is the same IEEE double as a JavaScript number);
--    a reservation is written when booked or redeemed, a budget once, after its last request;
-- 3. removes up to 100 idle budgets (when the index shows any), equivalent to absent ones (see docs/rate-limits.md): not
--    startEmpty, no reservation, TAT at least a minute before the batch's earliest now (a start
--    then conforms and sets TAT = now + T, as on a key never seen), skipping rows other
--    transactions hold;
-- and answers one row: a JSON array [ord, state, slot, …] with ord the request's place in the
-- batch (from 1) and state 0 acquired now, 1 redeemed at its slot, 2 parked at the slot, 3 rejected.
-- The migrator (and the printed script) split this file at DELIMITER lines as the mysql client does.
DELIMITER //
CREATE PROCEDURE {{prefix}}rate_limit_acquire(IN requests LONGTEXT CHARACTER SET utf8mb4)
MODIFIES SQL DATA
BEGIN
  DECLARE n INT;
  DECLARE i INT DEFAULT 0;
  DECLARE no_row TINYINT DEFAULT 0;
  DECLARE repeated_ids INT;
  DECLARE v_ord INT;
  DECLARE v_p VARCHAR(256) CHARACTER SET utf8mb4;
  DECLARE v_k VARCHAR(256) CHARACTER SET utf8mb4;
  DECLARE v_id VARCHAR(200) CHARACTER SET utf8mb4;
  DECLARE v_now BIGINT;
  DECLARE v_min_now BIGINT;
  DECLARE v_t DOUBLE;
  DECLARE v_tau DOUBLE;
  DECLARE v_h DOUBLE;
  DECLARE v_e TINYINT;
  DECLARE v_tat DOUBLE;
  DECLARE v_cur DOUBLE;
  DECLARE v_booked BIGINT;
  DECLARE v_slot BIGINT;
  DECLARE b_p VARCHAR(256) CHARACTER SET utf8mb4;
  DECLARE b_k VARCHAR(256) CHARACTER SET utf8mb4;
  DECLARE b_tau DOUBLE;
  DECLARE b_e TINYINT;
  DECLARE idle_before DOUBLE;
  DECLARE decisions LONGTEXT CHARACTER SET ascii DEFAULT '';
  DECLARE batch CURSOR FOR
    SELECT q.ord, q.p, q.k, q.id, q.now_ms, q.t, q.tau, q.h, q.e, COALESCE(b.tat, IF(q.e = 1, q.now_ms + q.tau, q.now_ms)), r.slot_at
    FROM JSON_TABLE(requests, '$[*]' COLUMNS (
      ord FOR ORDINALITY,
      p VARCHAR(256) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin PATH '$.p',
      k VARCHAR(256) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin PATH '$.k',
      id VARCHAR(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin PATH '$.id',
      now_ms BIGINT PATH '$.now',
      t DOUBLE PATH '$.t',
      tau DOUBLE PATH '$.tau',
      h DOUBLE PATH '$.h',
      e TINYINT PATH '$.e'
    )) AS q
    JOIN {{prefix}}rate_limits b ON b.policy_key = q.p AND b.budget_key = q.k
    LEFT JOIN {{prefix}}rate_limit_reservations r ON r.reservation_id = q.id
    ORDER BY q.p, q.k, q.ord
    FOR UPDATE;
  DECLARE idle CURSOR FOR
    SELECT d.policy_key, d.budget_key FROM {{prefix}}rate_limits d
    WHERE d.start_empty = 0 AND d.tat <= idle_before
      AND NOT EXISTS (SELECT 1 FROM {{prefix}}rate_limit_reservations x WHERE x.policy_key = d.policy_key AND x.budget_key = d.budget_key)
    ORDER BY d.tat
    LIMIT 100
    FOR UPDATE SKIP LOCKED;
  DECLARE CONTINUE HANDLER FOR NOT FOUND SET no_row = 1;
  DECLARE EXIT HANDLER FOR SQLEXCEPTION
  BEGIN
    ROLLBACK;
    RESIGNAL;
  END;

  SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
  START TRANSACTION;
  -- a NULL TAT marks a budget created here: its first request starts it fresh
  INSERT INTO {{prefix}}rate_limits (policy_key, budget_key, tat, tolerance_ms, start_empty)
  SELECT q.p, q.k, NULL, MAX(q.tau), 1
  FROM JSON_TABLE(requests, '$[*]' COLUMNS (
    p VARCHAR(256) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin PATH '$.p',
    k VARCHAR(256) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin PATH '$.k',
    tau DOUBLE PATH '$.tau'
  )) AS q
  GROUP BY q.p, q.k
  ORDER BY q.p, q.k
  ON DUPLICATE KEY UPDATE tolerance_ms = tolerance_ms;
  -- a reservation id twice in the batch: the later request reads what the earlier one wrote
  SELECT COUNT(*) - COUNT(DISTINCT q.id), COUNT(*), MIN(q.now_ms) INTO repeated_ids, n, v_min_now
  FROM JSON_TABLE(requests, '$[*]' COLUMNS (
    id VARCHAR(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin PATH '$.id',
    now_ms BIGINT PATH '$.now'
  )) AS q;

  OPEN batch;
  WHILE i < n DO
    FETCH batch INTO v_ord, v_p, v_k, v_id, v_now, v_t, v_tau, v_h, v_e, v_tat, v_booked;
    SET i = i + 1;
    -- the first request of a budget (the cursor runs budget by budget): its TAT, or a fresh one
    IF i = 1 OR NOT (v_p COLLATE utf8mb4_bin = b_p AND v_k COLLATE utf8mb4_bin = b_k) THEN
      IF i > 1 THEN
        UPDATE {{prefix}}rate_limits SET tat = v_cur, tolerance_ms = b_tau, start_empty = b_e
        WHERE policy_key = b_p COLLATE utf8mb4_bin AND budget_key = b_k COLLATE utf8mb4_bin;
      END IF;
      SET v_cur = v_tat, b_p = v_p, b_k = v_k, b_tau = v_tau, b_e = v_e;
    END IF;
    IF repeated_ids > 0 THEN
      SET v_booked = NULL;
      SELECT slot_at INTO v_booked FROM {{prefix}}rate_limit_reservations WHERE reservation_id = v_id COLLATE utf8mb4_bin;
    END IF;
    -- each branch appends ,place,state,slot to the answer
    IF v_booked IS NOT NULL THEN
      -- idempotent redemption: no new budget either way
      IF v_now >= v_booked THEN
        DELETE FROM {{prefix}}rate_limit_reservations WHERE reservation_id = v_id COLLATE utf8mb4_bin;
        SET decisions = CONCAT(decisions, ',', v_ord, ',1,', v_booked);
      ELSE
        SET decisions = CONCAT(decisions, ',', v_ord, ',2,', v_booked);
      END IF;
    ELSEIF v_now >= v_cur - v_tau THEN
      SET v_cur = GREATEST(v_now, v_cur) + v_t, decisions = CONCAT(decisions, ',', v_ord, ',0,', v_now);
    ELSE
      SET v_slot = CEIL(v_cur - v_tau);
      IF v_slot - v_now > v_h THEN
        SET decisions = CONCAT(decisions, ',', v_ord, ',3,', v_slot);
      ELSE
        SET v_cur = v_cur + v_t, decisions = CONCAT(decisions, ',', v_ord, ',2,', v_slot);
        INSERT INTO {{prefix}}rate_limit_reservations (reservation_id, policy_key, budget_key, slot_at, interval_ms)
        VALUES (v_id, v_p, v_k, v_slot, v_t)
        ON DUPLICATE KEY UPDATE policy_key = v_p, budget_key = v_k, slot_at = v_slot, interval_ms = v_t;
      END IF;
    END IF;
  END WHILE;
  CLOSE batch;
  IF n > 0 THEN
    UPDATE {{prefix}}rate_limits SET tat = v_cur, tolerance_ms = b_tau, start_empty = b_e
    WHERE policy_key = b_p COLLATE utf8mb4_bin AND budget_key = b_k COLLATE utf8mb4_bin;
  END IF;

  SET idle_before = v_min_now - 60000, no_row = 0;
  IF EXISTS (SELECT 1 FROM {{prefix}}rate_limits WHERE start_empty = 0 AND tat <= idle_before) THEN
    OPEN idle;
    sweep: LOOP
      FETCH idle INTO b_p, b_k;
      IF no_row = 1 THEN
        LEAVE sweep;
      END IF;
      DELETE FROM {{prefix}}rate_limits WHERE policy_key = b_p COLLATE utf8mb4_bin AND budget_key = b_k COLLATE utf8mb4_bin;
    END LOOP;
    CLOSE idle;
  END IF;
  COMMIT;
  SELECT CONCAT('[', SUBSTRING(decisions, 2), ']') AS decisions;
END //
DELIMITER ;
