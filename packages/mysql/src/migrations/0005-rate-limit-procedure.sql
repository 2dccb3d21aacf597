-- name: rate-limit acquisitions in one call
-- One CALL per batch of acquisitions (one statement, one round trip), for MySQL 8.0.4+ and
-- MariaDB 10.6+ (JSON_TABLE). The batch is a JSON array [{ p, k, id, now, t, tau, h, e }] (e: 1
-- for startEmpty). In its own READ COMMITTED transaction the procedure creates or locks the
-- batch's budgets in key order with one upsert (two batches never deadlock), then steps the
-- requests in batch order with the arithmetic of evertask's applyGcra (DOUBLE is the same IEEE
-- double as a JavaScript number), and answers one row: a JSON array [state, slot, state, slot, …]
-- with state 0 acquired now, 1 redeemed at its slot, 2 parked at the slot, 3 rejected.
-- The migrator (and the printed script) split this file at DELIMITER lines as the mysql client does.
DROP PROCEDURE IF EXISTS {{prefix}}rate_limit_acquire;

DELIMITER //
CREATE PROCEDURE {{prefix}}rate_limit_acquire(IN requests LONGTEXT CHARACTER SET utf8mb4)
MODIFIES SQL DATA
BEGIN
  DECLARE n INT;
  DECLARE i INT DEFAULT 0;
  DECLARE no_row TINYINT DEFAULT 0;
  DECLARE v_p VARCHAR(256) CHARACTER SET utf8mb4;
  DECLARE v_k VARCHAR(256) CHARACTER SET utf8mb4;
  DECLARE v_id VARCHAR(200) CHARACTER SET utf8mb4;
  DECLARE v_now BIGINT;
  DECLARE v_t DOUBLE;
  DECLARE v_tau DOUBLE;
  DECLARE v_h DOUBLE;
  DECLARE v_e TINYINT;
  DECLARE v_tat DOUBLE;
  DECLARE v_cur DOUBLE;
  DECLARE v_booked BIGINT;
  DECLARE v_slot BIGINT;
  DECLARE v_state TINYINT;
  DECLARE decisions LONGTEXT CHARACTER SET ascii DEFAULT '';
  DECLARE batch CURSOR FOR
    SELECT q.p, q.k, q.id, q.now_ms, q.t, q.tau, q.h, q.e
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
    ORDER BY q.ord;
  DECLARE CONTINUE HANDLER FOR NOT FOUND SET no_row = 1;
  DECLARE EXIT HANDLER FOR SQLEXCEPTION
  BEGIN
    ROLLBACK;
    RESIGNAL;
  END;

  SET n = JSON_LENGTH(requests);
  SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
  START TRANSACTION;
  -- a NULL TAT marks a budget created here: its first request starts it fresh
  INSERT INTO {{prefix}}rate_limits (policy_key, budget_key, tat, tolerance_ms)
  SELECT q.p, q.k, NULL, MAX(q.tau)
  FROM JSON_TABLE(requests, '$[*]' COLUMNS (
    p VARCHAR(256) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin PATH '$.p',
    k VARCHAR(256) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin PATH '$.k',
    tau DOUBLE PATH '$.tau'
  )) AS q
  GROUP BY q.p, q.k
  ORDER BY q.p, q.k
  ON DUPLICATE KEY UPDATE tolerance_ms = tolerance_ms;

  OPEN batch;
  WHILE i < n DO
    FETCH batch INTO v_p, v_k, v_id, v_now, v_t, v_tau, v_h, v_e;
    SET i = i + 1;
    SET v_tat = NULL, v_booked = NULL, no_row = 0;
    SELECT tat INTO v_tat FROM {{prefix}}rate_limits
    WHERE policy_key = v_p COLLATE utf8mb4_bin AND budget_key = v_k COLLATE utf8mb4_bin;
    SELECT slot_at INTO v_booked FROM {{prefix}}rate_limit_reservations
    WHERE reservation_id = v_id COLLATE utf8mb4_bin FOR UPDATE;
    IF v_tat IS NOT NULL THEN
      SET v_cur = v_tat;
    ELSEIF v_e = 1 THEN
      SET v_cur = v_now + v_tau;
    ELSE
      SET v_cur = v_now;
    END IF;
    IF v_booked IS NOT NULL THEN
      -- idempotent redemption: no new budget either way
      SET v_slot = v_booked;
      IF v_now >= v_booked THEN
        SET v_state = 1;
        DELETE FROM {{prefix}}rate_limit_reservations WHERE reservation_id = v_id COLLATE utf8mb4_bin;
      ELSE
        SET v_state = 2;
      END IF;
    ELSEIF v_now >= v_cur - v_tau THEN
      SET v_state = 0, v_slot = v_now;
      IF v_now > v_cur THEN
        SET v_cur = v_now;
      END IF;
      SET v_cur = v_cur + v_t;
    ELSE
      SET v_slot = CEIL(v_cur - v_tau);
      IF v_slot - v_now > v_h THEN
        SET v_state = 3;
      ELSE
        SET v_state = 2, v_cur = v_cur + v_t;
        INSERT INTO {{prefix}}rate_limit_reservations (reservation_id, policy_key, budget_key, slot_at, interval_ms)
        VALUES (v_id, v_p, v_k, v_slot, v_t)
        ON DUPLICATE KEY UPDATE policy_key = v_p, budget_key = v_k, slot_at = v_slot, interval_ms = v_t;
      END IF;
    END IF;
    UPDATE {{prefix}}rate_limits SET tat = v_cur, tolerance_ms = v_tau
    WHERE policy_key = v_p COLLATE utf8mb4_bin AND budget_key = v_k COLLATE utf8mb4_bin;
    SET decisions = CONCAT(decisions, IF(i = 1, '', ','), v_state, ',', v_slot);
  END WHILE;
  CLOSE batch;
  COMMIT;
  SELECT CONCAT('[', decisions, ']') AS decisions;
END //
DELIMITER ;
