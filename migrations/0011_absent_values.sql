-- A change request's deployment ARN and execution times are NULL until they exist (they were
-- '' and 0). Both engines: add a nullable column, copy, drop the old one, rename (SQLite
-- cannot relax NOT NULL in place); the indexes that name deployment_arn go first and come
-- back with IS NULL / IS NOT NULL.
DROP INDEX change_requests_one_claim;
DROP INDEX change_requests_one_call_per_daemon;

ALTER TABLE change_requests ADD COLUMN deployment_arn_v2 TEXT;
UPDATE change_requests SET deployment_arn_v2 = NULLIF(deployment_arn, '');
ALTER TABLE change_requests DROP COLUMN deployment_arn;
ALTER TABLE change_requests RENAME COLUMN deployment_arn_v2 TO deployment_arn;

ALTER TABLE change_requests ADD COLUMN executed_at_v2 BIGINT;
UPDATE change_requests SET executed_at_v2 = NULLIF(executed_at, 0);
ALTER TABLE change_requests DROP COLUMN executed_at;
ALTER TABLE change_requests RENAME COLUMN executed_at_v2 TO executed_at;

ALTER TABLE change_requests ADD COLUMN finished_at_v2 BIGINT;
UPDATE change_requests SET finished_at_v2 = NULLIF(finished_at, 0);
ALTER TABLE change_requests DROP COLUMN finished_at;
ALTER TABLE change_requests RENAME COLUMN finished_at_v2 TO finished_at;

-- One ECS deployment belongs to at most one request.
CREATE UNIQUE INDEX change_requests_one_claim ON change_requests (deployment_arn)
    WHERE deployment_arn IS NOT NULL;
-- At most one request per daemon has a mutating call whose outcome is unknown.
CREATE UNIQUE INDEX change_requests_one_call_per_daemon ON change_requests (cluster, daemon)
    WHERE state = 'executing' AND deployment_arn IS NULL AND daemon <> '';
