-- Indexes for the audit log viewer: newest first by (at, id), optionally narrowed to one
-- actor or one action, read page by page with a keyset cursor.
CREATE INDEX audit_log_at_id ON audit_log (at, id);
CREATE INDEX audit_log_actor ON audit_log (actor, at, id);
CREATE INDEX audit_log_action ON audit_log (action, at, id);
