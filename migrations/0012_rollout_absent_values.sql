-- A rollout's change request (none for out-of-band changes), deployment ARN (none until ECS
-- answered) and end (none while it runs) are NULL when absent (they were '' and 0). Same
-- column swap as 0011.
DROP INDEX rollouts_deployment;

ALTER TABLE rollouts ADD COLUMN request_id_v2 TEXT;
UPDATE rollouts SET request_id_v2 = NULLIF(request_id, '');
ALTER TABLE rollouts DROP COLUMN request_id;
ALTER TABLE rollouts RENAME COLUMN request_id_v2 TO request_id;

ALTER TABLE rollouts ADD COLUMN deployment_arn_v2 TEXT;
UPDATE rollouts SET deployment_arn_v2 = NULLIF(deployment_arn, '');
ALTER TABLE rollouts DROP COLUMN deployment_arn;
ALTER TABLE rollouts RENAME COLUMN deployment_arn_v2 TO deployment_arn;

ALTER TABLE rollouts ADD COLUMN ended_at_v2 BIGINT;
UPDATE rollouts SET ended_at_v2 = NULLIF(ended_at, 0);
ALTER TABLE rollouts DROP COLUMN ended_at;
ALTER TABLE rollouts RENAME COLUMN ended_at_v2 TO ended_at;

CREATE INDEX rollouts_deployment ON rollouts (deployment_arn);
