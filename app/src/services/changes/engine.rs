//! The approval workflow: a change becomes a request under every policy of its scope (where
//! the daemon runs now and where it will run, `domain::policy`); reviews of the version their
//! reviewer saw move it on; the approval that satisfies every policy (or policies needing none)
//! hands it to the executor at once. An edit recomputes scope, policies and ownership. Every
//! rule is checked here, whoever calls (UI or /api/v1).

use crate::{
    api::changes::{ChangeInput, ChangeRequestRow, PolicySnapshot},
    auth::CurrentUser,
    domain::{
        change::{review_refusal, ChangeKind, ChangeState},
        deployment::DeploySpec,
        diff::{line_diff, DiffLine},
        policy::{stale_review_message, Approval, Scope},
    },
    services::changes::error::ChangeError,
};
use serde_json::json;

use super::ChangeEngine;
use super::{
    call::{DeleteTaskDefinition, EcsCall, RegisterTaskDefinition},
    notify, ownership, store,
    store::NewRequest,
};
use crate::services::{audit::log as audit, random::random_hex};

/// What a change turns into before it is stored.
struct Prepared {
    kind: ChangeKind,
    cluster: String,
    daemon: String,
    family: String,
    from_revision: String,
    to_revision: String,
    /// Where the daemon will run (empty for deletes).
    providers: Vec<String>,
    /// Where it runs now, from ECS (empty for a new daemon and for revision deletes).
    providers_now: Vec<String>,
    summary: String,
    call: EcsCall,
    diff: String,
}

/// `- old` / `+ new` lines of what differs (unchanged lines left out).
pub fn diff_text(old: &str, new: &str) -> String {
    line_diff(old, new)
        .into_iter()
        .filter_map(|l| match l {
            DiffLine::Same(_) => None,
            DiffLine::Removed(s) => Some(format!("- {s}")),
            DiffLine::Added(s) => Some(format!("+ {s}")),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn settings_text(spec: &DeploySpec) -> String {
    format!(
        "capacity providers: {}\ndrain percent: {}\nbake time (minutes): {}\nalarms: {}\nroll back on alarm: {}\ncritical: {}",
        spec.capacity_providers.join(", "),
        spec.drain_percent,
        spec.bake_time_minutes,
        spec.alarms.join(", "),
        spec.rollback_on_alarm,
        spec.critical
    )
}

impl ChangeEngine {
    /// The definition of `family:rev` as pretty JSON ("" when it cannot be read).
    async fn definition_text(&self, family_rev: &str) -> String {
        let Some((family, rev)) = family_rev.rsplit_once(':') else { return String::new() };
        let Ok(rev) = rev.parse::<u32>() else { return String::new() };
        match self.gateway.describe_task_definition(family, rev).await {
            Ok(r) => r.spec.to_json_pretty(),
            Err(_) => String::new(),
        }
    }

    /// A deploy or update may only run a definition whose roles the requester may name (the
    /// role allowlist; registration checks it too, but a definition can be registered outside
    /// the portal). A rollback restores what ran before and is not held back.
    async fn check_roles(&self, user: &CurrentUser, p: &Prepared) -> Result<(), ChangeError> {
        use crate::domain::role_allowlist::{refusal_message, refused};
        if let EcsCall::RegisterDaemonTaskDefinition(reg) = &p.call {
            // A registration names its roles itself: the same rule as the create form's.
            let allowed = self.policies.allowed_roles(user).await?;
            let mut errors = crate::domain::FieldErrors::new();
            for (field, member) in [("task_role", "taskRoleArn"), ("execution_role", "executionRoleArn")] {
                if let Some(role) =
                    reg.definition[member].as_str().filter(|r| !refused(&[r], &allowed).is_empty())
                {
                    errors.add(field, refusal_message(role));
                }
            }
            return if errors.is_empty() { Ok(()) } else { Err(ChangeError::Invalid(errors)) };
        }
        if !matches!(p.kind, ChangeKind::Deploy | ChangeKind::Update) {
            return Ok(());
        }
        let Some((family, rev)) = p.to_revision.rsplit_once(':') else { return Ok(()) };
        let Ok(rev) = rev.parse::<u32>() else { return Ok(()) };
        let td = self.gateway.describe_task_definition(family, rev).await?;
        let allowed = self.policies.allowed_roles(user).await?;
        let roles: Vec<&str> = [&td.spec.task_role_arn, &td.spec.execution_role_arn]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect();
        let refusal = refused(&roles, &allowed).first().map(|role| refusal_message(role));
        match refusal {
            Some(m) => Err(ChangeError::invalid("revision", format!("{}: {m}", p.to_revision))),
            None => Ok(()),
        }
    }

    async fn prepare(&self, id: &str, input: &ChangeInput) -> Result<Prepared, ChangeError> {
        match input {
            ChangeInput::Deploy { spec, rollback } => {
                let providers_now = self.providers_now(&spec.cluster, &spec.daemon_name).await?;
                let p = self.gateway.prepare_deploy(spec, id).await?;
                let kind = match (&spec.daemon_arn, rollback) {
                    (None, _) => ChangeKind::Deploy,
                    (Some(_), true) => ChangeKind::Rollback,
                    (Some(_), false) => ChangeKind::Update,
                };
                let old = if p.from_revision.is_empty() {
                    String::new()
                } else {
                    self.definition_text(&p.from_revision).await
                };
                let new = self.definition_text(&p.to_revision).await;
                let mut diff = diff_text(&old, &new);
                if diff.is_empty() {
                    diff = format!("(same definition {})", p.to_revision);
                }
                diff.push_str("\n\nsettings:\n");
                diff.push_str(&settings_text(spec));
                let summary = match kind {
                    ChangeKind::Deploy => format!(
                        "Deploy {} as daemon {} on cluster {} ({})",
                        p.to_revision,
                        spec.daemon_name,
                        spec.cluster,
                        spec.capacity_providers.join(", ")
                    ),
                    ChangeKind::Rollback => format!(
                        "Roll back daemon {} on cluster {} from {} to {}",
                        spec.daemon_name, spec.cluster, p.from_revision, p.to_revision
                    ),
                    _ => format!(
                        "Update daemon {} on cluster {} from {} to {}",
                        spec.daemon_name, spec.cluster, p.from_revision, p.to_revision
                    ),
                };
                Ok(Prepared {
                    kind,
                    cluster: spec.cluster.to_string(),
                    daemon: spec.daemon_name.to_string(),
                    family: spec.family.to_string(),
                    from_revision: p.from_revision,
                    to_revision: p.to_revision,
                    providers: spec.capacity_providers.iter().map(ToString::to_string).collect(),
                    providers_now,
                    summary,
                    call: p.call,
                    diff,
                })
            }
            ChangeInput::DeleteDaemon { cluster, daemon } => {
                let providers_now = self.providers_now(cluster, daemon).await?;
                let (call, from, _) = self.gateway.prepare_delete_daemon(cluster, daemon).await?;
                let old = self.definition_text(&from).await;
                Ok(Prepared {
                    kind: ChangeKind::DeleteDaemon,
                    cluster: cluster.clone(),
                    daemon: daemon.clone(),
                    family: from.rsplit_once(':').map(|(f, _)| f.to_string()).unwrap_or_default(),
                    from_revision: from.clone(),
                    to_revision: String::new(),
                    providers: vec![],
                    providers_now,
                    summary: format!("Delete daemon {daemon} on cluster {cluster} (runs {from})"),
                    call,
                    diff: diff_text(&old, ""),
                })
            }
            ChangeInput::RegisterRevision { definition, source } => {
                let family = definition.family.to_string();
                // What the family's newest revision here holds, for the diff ("" for a new family).
                let revisions = self
                    .gateway
                    .list_task_definition_revisions(Some(family.clone()), None, None, false)
                    .await?;
                let old = match revisions.iter().map(|r| r.revision).max() {
                    Some(n) => self.definition_text(&format!("{family}:{n}")).await,
                    None => String::new(),
                };
                let new = definition.to_json_pretty();
                let mut diff = diff_text(&old, &new);
                if diff.is_empty() {
                    diff = "(the same definition as the family's newest revision here)".into();
                }
                Ok(Prepared {
                    kind: ChangeKind::RegisterRevision,
                    cluster: String::new(),
                    daemon: String::new(),
                    family: family.clone(),
                    from_revision: String::new(),
                    to_revision: String::new(),
                    providers: vec![],
                    providers_now: vec![],
                    summary: format!(
                        "Register the next revision of {family} in {} (a copy of {source})",
                        self.environment.name
                    ),
                    call: EcsCall::RegisterDaemonTaskDefinition(RegisterTaskDefinition {
                        definition: definition.to_json(),
                    }),
                    diff,
                })
            }
            ChangeInput::DeleteRevision { family, revision } => {
                let record = self.gateway.describe_task_definition(family, *revision).await?;
                if record.status != "ACTIVE" {
                    return Err(ChangeError::Conflict(format!(
                        "{family}:{revision} is {}; only ACTIVE revisions can be deleted.",
                        record.status
                    )));
                }
                Ok(Prepared {
                    kind: ChangeKind::DeleteRevision,
                    cluster: String::new(),
                    daemon: String::new(),
                    family: family.clone(),
                    from_revision: format!("{family}:{revision}"),
                    to_revision: String::new(),
                    providers: vec![],
                    providers_now: vec![],
                    summary: format!(
                        "Delete daemon task definition revision {family}:{revision} (daemons running it keep running)"
                    ),
                    call: EcsCall::DeleteDaemonTaskDefinition(DeleteTaskDefinition {
                        daemon_task_definition: format!("{family}:{revision}"),
                    }),
                    diff: diff_text(&record.spec.to_json_pretty(), ""),
                })
            }
        }
    }

    /// Every policy governing `p`'s scope, combined (see `domain::policy`).
    async fn policy_snapshot(&self, p: &Prepared) -> Result<PolicySnapshot, ChangeError> {
        let scope =
            Scope::new(&p.cluster, &p.providers_now, &p.providers).in_environment(&self.environment.name);
        Ok(crate::services::policies::approval_policies::combined_for(&self.db, scope).await?)
    }

    /// `p` as a request to store: content, owning team (checked for `user`), policies.
    async fn to_request(
        &self,
        user: &CurrentUser,
        id: &str,
        kind: ChangeKind,
        p: Prepared,
    ) -> Result<NewRequest, ChangeError> {
        let key = self.daemon_key(&p.cluster, &p.daemon);
        let team = ownership::team_for_change(&self.db, user, kind, &key, &p.daemon, &p.family).await?;
        let policy = self.policy_snapshot(&p).await?;
        Ok(NewRequest {
            id: id.to_string(),
            kind,
            cluster: p.cluster,
            daemon: p.daemon,
            family: p.family,
            from_revision: p.from_revision,
            to_revision: p.to_revision,
            capacity_providers: p.providers,
            team,
            requester: user.username.clone(),
            summary: p.summary,
            input: p.call.to_json(),
            diff: p.diff,
            policy,
            environment: self.environment.name.clone(),
        })
    }

    pub async fn submit(
        &self,
        user: &CurrentUser,
        ip: &str,
        input: ChangeInput,
    ) -> Result<ChangeRequestRow, ChangeError> {
        self.submit_with_id(user, ip, input, &random_hex(16)).await
    }

    /// [`Self::submit`] under an id the caller chose and wrote down first (a promotion's stage):
    /// when a request with this id exists already, that request is the answer, so a caller that
    /// crashed after submitting and submits again makes it once.
    pub async fn submit_with_id(
        &self,
        user: &CurrentUser,
        ip: &str,
        input: ChangeInput,
        id: &str,
    ) -> Result<ChangeRequestRow, ChangeError> {
        // The server functions check this too; the engine does not rely on them.
        user.require_deployer().map_err(|e| ChangeError::NotAllowed(e.to_string()))?;
        if let Some(existing) = store::get(&self.db, id).await? {
            return Ok(existing.row);
        }
        let id = id.to_string();
        let p = self.prepare(&id, &input).await?;
        self.check_roles(user, &p).await?;
        let new = self.to_request(user, &id, p.kind, p).await?;
        let immediate = new.policy.is_satisfied(&user.username, &[]);
        let state = if immediate { ChangeState::Approved } else { ChangeState::Pending };
        match store::insert(&self.db, &new, state).await {
            // Another replica made it meanwhile.
            Err(e) if store::is_unique_violation(&e) => return self.request_row(&id).await,
            other => other?,
        }
        store::add_event(&self.db, &id, &user.username, "created", &new.summary).await?;
        audit::record(
            &self.db,
            &user.username,
            ip,
            "change.request",
            &id,
            &json!({"kind": new.kind.as_str(), "environment": new.environment, "cluster": new.cluster,
                    "daemon": new.daemon, "family": new.family, "to": new.to_revision, "summary": new.summary}),
        )
        .await?;
        if immediate {
            store::add_event(&self.db, &id, "portal", "approved", "its policies need no approval").await?;
            self.execute_now(&id).await;
        } else {
            notify::enqueue(self, "approval_needed", &id).await;
        }
        self.request_row(&id).await
    }

    pub async fn request_row(&self, id: &str) -> Result<ChangeRequestRow, ChangeError> {
        store::get(&self.db, id)
            .await?
            .map(|r| r.row)
            .ok_or_else(|| ChangeError::NoSuchRequest(id.to_string()))
    }

    async fn stored(&self, id: &str) -> Result<store::StoredRequest, ChangeError> {
        store::get(&self.db, id).await?.ok_or_else(|| ChangeError::NoSuchRequest(id.to_string()))
    }

    /// A pending request past its expiry becomes expired (the worker also sweeps these).
    async fn check_expiry(&self, r: &store::StoredRequest) -> Result<(), ChangeError> {
        if r.row.state == ChangeState::Pending && r.row.expires_at <= crate::services::clock::now_ms() {
            if store::transition(&self.db, &r.row.id, ChangeState::Pending, ChangeState::Expired).await? {
                store::add_event(&self.db, &r.row.id, "portal", "expired", "nobody approved it in time")
                    .await?;
                notify::enqueue(self, "request_ended", &r.row.id).await;
            }
            return Err(ChangeError::Conflict("This request has expired; submit a new one.".into()));
        }
        Ok(())
    }

    /// A review of `version`, the version the reviewer saw: if the request changed since, it is
    /// refused with 409 and nothing is counted.
    pub async fn review(
        &self,
        user: &CurrentUser,
        ip: &str,
        id: &str,
        version: i64,
        approve: bool,
        comment: &str,
    ) -> Result<ChangeRequestRow, ChangeError> {
        let comment = crate::domain::change::parse_comment(comment, !approve)
            .map_err(|e| ChangeError::invalid("comment", e))?;
        let r = self.stored(id).await?;
        if r.row.state != ChangeState::Pending {
            return Err(ChangeError::Conflict(format!(
                "This request is {}; only requests pending approval can be reviewed.",
                r.row.state.label().to_lowercase()
            )));
        }
        self.check_expiry(&r).await?;
        if let Some(why) =
            review_refusal(user, &r.row.requester, &r.policy.approver_teams, r.policy.allow_self_approval)
        {
            return Err(ChangeError::NotAllowed(why));
        }
        if version != r.version {
            return Err(ChangeError::Conflict(stale_review_message(version, r.version)));
        }
        // Conditional on the version: an edit landing since the read above wins, and the
        // review is refused rather than counted for content its reviewer did not see.
        if !store::add_review(&self.db, id, &Approval::of(user), version, approve, &comment).await? {
            let now = self.stored(id).await?;
            return Err(ChangeError::Conflict(if now.row.state == ChangeState::Pending {
                stale_review_message(version, now.version)
            } else {
                format!("This request is {}; nothing was recorded.", now.row.state.label().to_lowercase())
            }));
        }
        let action = if approve { "change.approve" } else { "change.reject" };
        audit::record(
            &self.db,
            &user.username,
            ip,
            action,
            id,
            &json!({"version": version, "comment": comment}),
        )
        .await?;
        if !approve {
            store::add_event(&self.db, id, &user.username, "rejected", &comment).await?;
            if store::reject_version(&self.db, id, version).await? {
                notify::enqueue(self, "request_ended", id).await;
            }
            return self.request_row(id).await;
        }
        store::add_event(&self.db, id, &user.username, "approved", &comment).await?;
        let approvals = store::approvals(&self.db, id, version).await?;
        if r.policy.is_satisfied(&r.row.requester, &approvals)
            && store::approve_version(&self.db, id, version).await?
        {
            // Only the reviewer whose update moved the request runs it.
            let names: Vec<&str> = approvals.iter().map(|a| a.reviewer.as_str()).collect();
            store::add_event(
                &self.db,
                id,
                "portal",
                "approved",
                &format!("every policy is satisfied ({}): {}", r.policy.source, names.join(", ")),
            )
            .await?;
            self.execute_now(id).await;
        }
        self.request_row(id).await
    }

    pub async fn cancel(&self, user: &CurrentUser, ip: &str, id: &str) -> Result<(), ChangeError> {
        let r = self.stored(id).await?;
        if r.row.requester != user.username {
            return Err(ChangeError::NotAllowed("Only the requester may cancel a request.".into()));
        }
        self.cancel_unchecked(&user.username, ip, id, "").await
    }

    /// Cancels a request that has not started executing, whoever asks: the caller decided they
    /// may (an aborted promotion cancels its stage's request). `why` goes into its timeline.
    pub async fn cancel_unchecked(
        &self,
        actor: &str,
        ip: &str,
        id: &str,
        why: &str,
    ) -> Result<(), ChangeError> {
        let r = self.stored(id).await?;
        let mut done = false;
        for from in [ChangeState::Pending, ChangeState::Approved] {
            if r.row.state == from {
                done = store::transition(&self.db, id, from, ChangeState::Cancelled).await?;
            }
        }
        if !done {
            return Err(ChangeError::Conflict(
                "This request can no longer be cancelled: it has started executing or has ended.".into(),
            ));
        }
        store::add_event(&self.db, id, actor, "cancelled", why).await?;
        audit::record(&self.db, actor, ip, "change.cancel", id, &json!({})).await?;
        notify::enqueue(self, "request_ended", id).await;
        Ok(())
    }

    pub async fn edit(
        &self,
        user: &CurrentUser,
        ip: &str,
        id: &str,
        mut spec: DeploySpec,
    ) -> Result<(), ChangeError> {
        let r = self.stored(id).await?;
        if r.row.requester != user.username {
            return Err(ChangeError::NotAllowed("Only the requester may edit a request.".into()));
        }
        if r.row.state != ChangeState::Pending
            || !matches!(r.row.kind, ChangeKind::Deploy | ChangeKind::Update | ChangeKind::Rollback)
        {
            return Err(ChangeError::Conflict(
                "Only pending deploy, update and rollback requests can be edited.".into(),
            ));
        }
        if spec.cluster != r.row.cluster || spec.daemon_name != r.row.daemon {
            return Err(ChangeError::invalid(
                "daemon_name",
                "An edit cannot move the request to another daemon.",
            ));
        }
        // The kind stays what it was: an update stays an update.
        let existing = EcsCall::from_json(&r.input)?;
        spec.daemon_arn = match existing {
            EcsCall::UpdateDaemon(u) => Some(u.daemon_arn),
            _ => None,
        };
        let input = ChangeInput::Deploy { spec, rollback: r.row.kind == ChangeKind::Rollback };
        // As a new submission would be: checked against ECS, where the daemon runs now read
        // again, its owner and every policy of the new scope worked out afresh, all in the
        // request's own environment.
        let engine = self.within(r.environment.as_deref()).await?;
        let p = engine.prepare(id, &input).await?;
        engine.check_roles(user, &p).await?;
        let new = engine.to_request(user, id, r.row.kind, p).await?;
        if !store::edit(&self.db, id, r.version, &new).await? {
            return Err(ChangeError::Conflict("The request changed meanwhile; reload it.".into()));
        }
        let version = r.version + 1;
        store::add_event(
            &self.db,
            id,
            &user.username,
            "edited",
            &format!("version {version}; approvals given so far are void; policies: {}", new.policy.source),
        )
        .await?;
        audit::record(
            &self.db,
            &user.username,
            ip,
            "change.edit",
            id,
            &json!({"to": new.to_revision, "version": version, "policy": new.policy.source}),
        )
        .await?;
        // Edited onto providers whose policies need no approval: as a submission would, it goes.
        if new.policy.is_satisfied(&user.username, &[])
            && store::approve_version(&self.db, id, version).await?
        {
            store::add_event(&self.db, id, "portal", "approved", "its policies need no approval").await?;
            self.execute_now(id).await;
        }
        Ok(())
    }

    pub async fn override_freeze(
        &self,
        user: &CurrentUser,
        ip: &str,
        id: &str,
        reason: &str,
    ) -> Result<(), ChangeError> {
        if !user.is_admin() {
            return Err(ChangeError::NotAllowed("Only admins may override a freeze window.".into()));
        }
        let reason = crate::domain::change::parse_override_reason(reason)
            .map_err(|e| ChangeError::invalid("reason", e))?;
        if !store::set_override(&self.db, id, &reason).await? {
            return Err(ChangeError::Conflict(
                "Only approved requests waiting for a freeze to end can be overridden.".into(),
            ));
        }
        store::add_event(&self.db, id, &user.username, "freeze_overridden", &reason).await?;
        audit::record(&self.db, &user.username, ip, "change.override_freeze", id, &json!({"reason": reason}))
            .await?;
        self.execute_now(id).await;
        Ok(())
    }
}
