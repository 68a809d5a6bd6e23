-- Change requests and rollouts belong to an environment. Rows from before environments are
-- given the default environment's name at the first start after this migration (the name is
-- configuration SQL cannot know): services/environments/startup.rs::claim_unscoped. NULL only
-- until then.
ALTER TABLE change_requests ADD COLUMN environment TEXT;
ALTER TABLE rollouts ADD COLUMN environment TEXT;
