-- Reviews record what their reviewer could approve for, so that a request governed by several
-- policies counts each approval only towards the policies naming one of the reviewer's
-- approver teams (app::domain::policy::CombinedPolicy::is_satisfied). NULL on reviews given
-- before this migration: those were checked against the request's single policy when given,
-- and keep counting as they did.
ALTER TABLE request_reviews ADD COLUMN approver_teams TEXT;
ALTER TABLE request_reviews ADD COLUMN approver_admin BIGINT NOT NULL DEFAULT 0;
