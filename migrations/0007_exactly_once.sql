-- Exactly-once execution without comparing clocks.

-- The daemon's newest deployment in ECS just before this request's mutating call, as ECS
-- listed it ('' = the daemon had none or did not exist). NULL until recorded. On resume
-- after a crash, only deployments newer than this one, in ECS's own ordering, can be the
-- request's own.
ALTER TABLE change_requests ADD COLUMN baseline_deployment_arn TEXT;

-- Earlier versions could adopt another request's deployment after a crash. Before the
-- constraint below, the later claimant of a shared ARN gives it up (the earliest keeps it).
UPDATE change_requests
SET outcome = outcome || ' [deployment ' || deployment_arn || ' belongs to an earlier request]',
    deployment_arn = ''
WHERE deployment_arn <> ''
  AND EXISTS (
    SELECT 1 FROM change_requests o
    WHERE o.deployment_arn = change_requests.deployment_arn
      AND (o.executed_at < change_requests.executed_at
           OR (o.executed_at = change_requests.executed_at AND o.id < change_requests.id)));

-- One ECS deployment belongs to at most one request.
CREATE UNIQUE INDEX change_requests_one_claim ON change_requests (deployment_arn)
    WHERE deployment_arn <> '';

-- At most one request per daemon has a mutating call whose outcome is unknown (executing,
-- no deployment recorded yet). So a resumed request knows that any deployment newer than
-- its baseline came from its own call, or from outside the portal.
CREATE UNIQUE INDEX change_requests_one_call_per_daemon ON change_requests (cluster, daemon)
    WHERE state = 'executing' AND deployment_arn = '' AND daemon <> '';
