-- name: instance task names
-- The task names each instance runs (a JSON array), so that an operator sees a waiting task whose
-- name no alive instance knows; engines claim only those names. NULL on rows written before this
-- column (read as an empty list): MySQL before 8.0.13 takes no default on a LONGTEXT column.
-- Safe to run twice (MySQL 8 has no ADD COLUMN IF NOT EXISTS): the column is added only when
-- information_schema shows it missing.
SET @evertask_ddl = (SELECT IF(COUNT(*) = 0, 'ALTER TABLE {{prefix}}instances ADD COLUMN task_names LONGTEXT NULL', 'DO 0') FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '{{prefix}}instances' AND COLUMN_NAME = 'task_names');
PREPARE evertask_migration FROM @evertask_ddl;
EXECUTE evertask_migration;
DEALLOCATE PREPARE evertask_migration;
