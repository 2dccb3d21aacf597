-- name: operator actions
-- Who made a status change (NULL: the engine itself), and the paused queues, which claims and
-- nextDueAt leave out (src/queries/queue-state.ts, src/queries/claims.ts). Safe to run twice: the
-- column is added only when information_schema shows it missing, the table only when absent.
SET @evertask_ddl = (SELECT IF(COUNT(*) = 0, 'ALTER TABLE {{prefix}}status_audit ADD COLUMN actor LONGTEXT NULL', 'DO 0') FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '{{prefix}}status_audit' AND COLUMN_NAME = 'actor');
PREPARE evertask_migration FROM @evertask_ddl;
EXECUTE evertask_migration;
DEALLOCATE PREPARE evertask_migration;

CREATE TABLE IF NOT EXISTS {{prefix}}paused_queues (
  queue VARCHAR(255) NOT NULL,
  paused_at BIGINT NOT NULL,
  paused_by LONGTEXT NULL,
  PRIMARY KEY (queue)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
