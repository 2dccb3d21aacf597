-- name: tasks, audits, execution logs and instances
-- Times are BIGINT epoch milliseconds, exactly as the storage port carries them: the server
-- compares them natively (every due/lease/retention predicate runs in SQL) with no session time
-- zone involved, and a millisecond is never rounded away. FROM_UNIXTIME(col / 1000) reads them.
-- Text columns use utf8mb4_bin: every character stored, sorted by code point like the other storages.
-- Every statement is idempotent (IF NOT EXISTS): MySQL commits DDL at once, so a migration cut
-- short is completed by the next run.
CREATE TABLE IF NOT EXISTS {{prefix}}tasks (
  id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  name LONGTEXT NOT NULL,
  payload LONGTEXT NOT NULL,
  status VARCHAR(20) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  queue LONGTEXT NOT NULL,
  task_key LONGTEXT NULL,
  task_key_hash BINARY(32) AS (UNHEX(SHA2(task_key, 256))) STORED,
  audit_level VARCHAR(20) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  scheduled_at BIGINT NULL,
  due_at BIGINT NULL,
  attempts INT NOT NULL DEFAULT 0,
  last_execution_at BIGINT NULL,
  execution_time_ms DOUBLE NULL,
  error LONGTEXT NULL,
  lease_owner LONGTEXT NULL,
  lease_expires_at BIGINT NULL,
  recovery_failures INT NOT NULL DEFAULT 0,
  recurring LONGTEXT NULL,
  recurring_info LONGTEXT NULL,
  run_count INT NOT NULL DEFAULT 0,
  max_runs INT NULL,
  run_until BIGINT NULL,
  last_outcome VARCHAR(20) CHARACTER SET ascii COLLATE ascii_bin NULL,
  -- which transition batch last changed the row (see queries/transitions.ts)
  change_token VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
  PRIMARY KEY (id),
  -- one task per key (NULL keys do not collide); keys of any length, by their SHA-256
  UNIQUE KEY tasks_task_key_uq (task_key_hash),
  -- the due claim and the expired-lease claim walk these in order
  KEY tasks_due_idx (status, due_at),
  KEY tasks_lease_idx (status, lease_expires_at),
  -- dashboard default sort and the pending keyset scan
  KEY tasks_created_idx (created_at, id),
  -- retention: finished tasks by last write
  KEY tasks_retention_idx (status, updated_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS {{prefix}}status_audit (
  id BIGINT NOT NULL AUTO_INCREMENT,
  task_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  status VARCHAR(20) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  at BIGINT NOT NULL,
  error LONGTEXT NULL,
  PRIMARY KEY (id),
  KEY status_audit_task_idx (task_id, at),
  KEY status_audit_at_idx (at),
  CONSTRAINT {{prefix}}status_audit_task_fk FOREIGN KEY (task_id) REFERENCES {{prefix}}tasks (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS {{prefix}}run_audit (
  id BIGINT NOT NULL AUTO_INCREMENT,
  task_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  at BIGINT NOT NULL,
  status VARCHAR(20) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  execution_time_ms DOUBLE NOT NULL,
  error LONGTEXT NULL,
  PRIMARY KEY (id),
  KEY run_audit_task_idx (task_id, at),
  KEY run_audit_at_idx (at),
  CONSTRAINT {{prefix}}run_audit_task_fk FOREIGN KEY (task_id) REFERENCES {{prefix}}tasks (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS {{prefix}}execution_logs (
  id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  task_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  at BIGINT NOT NULL,
  level VARCHAR(20) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  message LONGTEXT NOT NULL,
  exception LONGTEXT NULL,
  sequence INT NOT NULL,
  PRIMARY KEY (id),
  KEY execution_logs_task_idx (task_id, at, sequence, id),
  KEY execution_logs_at_idx (at),
  CONSTRAINT {{prefix}}execution_logs_task_fk FOREIGN KEY (task_id) REFERENCES {{prefix}}tasks (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- one row per running engine, upserted by its heartbeat: what the dashboard lists as instances
CREATE TABLE IF NOT EXISTS {{prefix}}instances (
  id VARCHAR(255) NOT NULL,
  hostname LONGTEXT NOT NULL,
  pid INT NOT NULL,
  started_at BIGINT NOT NULL,
  heartbeat_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  queues LONGTEXT NOT NULL,
  PRIMARY KEY (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
