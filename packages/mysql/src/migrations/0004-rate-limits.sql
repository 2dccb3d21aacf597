-- name: rate limits
-- Keyed GCRA budgets shared by every process on these tables: one row per (task name, key) with
-- its theoretical arrival time (TAT, fractional ms), and the slots reserved for parked tasks by
-- task id. Binary collation: keys compare byte by byte, as the engine does.
CREATE TABLE IF NOT EXISTS {{prefix}}rate_limits (
  policy_key VARCHAR(256) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  budget_key VARCHAR(256) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  tat DOUBLE NULL,
  tolerance_ms DOUBLE NOT NULL,
  PRIMARY KEY (policy_key, budget_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS {{prefix}}rate_limit_reservations (
  reservation_id VARCHAR(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL PRIMARY KEY,
  policy_key VARCHAR(256) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  budget_key VARCHAR(256) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  slot_at BIGINT NOT NULL,
  interval_ms DOUBLE NOT NULL,
  KEY {{prefix}}rate_limit_reservations_key (policy_key, budget_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
