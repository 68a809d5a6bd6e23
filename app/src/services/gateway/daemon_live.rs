//! What the daemon page shows as *the* deployment. The portal's own change requests are the
//! freshest word on a daemon: a request's deployment ARN is in the shared database the moment
//! the ECS call returns, on every replica, while an ECS answer cached before the call may
//! still be in this replica's cache. So the page checks its ECS view against the newest
//! request on the daemon and, when the view does not know that request's deployment yet,
//! treats it as a change seen (invalidates the cluster) and reads ECS again; likewise when a
//! request has ended while the cached view still shows its deployment running.

use super::error::GatewayError;
use crate::api::daemons::DeploymentView;
use sqlx::Row;

use crate::services::db::Db;

/// The daemon's newest change requests, as far as the page cares.
#[derive(Debug, Default, PartialEq)]
pub struct Requests {
    /// A request approved or executing whose ECS call has not returned yet: the page keeps
    /// refreshing until its deployment shows.
    pub in_flight: Option<String>,
    /// Deployment ARNs of the newest requests (in flight, then the last executed).
    pub deployment_arns: Vec<String>,
    /// Of those, the ones whose request has ended: ECS said they finished.
    pub ended: Vec<String>,
}

pub async fn newest_requests(
    db: &Db,
    environment: &str,
    cluster: &str,
    daemon: &str,
) -> Result<Requests, GatewayError> {
    let mut out = Requests::default();
    let in_flight = sqlx::query(
        "SELECT id, deployment_arn FROM change_requests WHERE cluster = $1 AND daemon = $2 \
         AND environment = $3 AND state IN ('approved', 'executing') ORDER BY created_at DESC LIMIT 1",
    )
    .bind(cluster)
    .bind(daemon)
    .bind(environment)
    .fetch_optional(db.pool())
    .await?;
    if let Some(row) = in_flight {
        let arn: Option<String> = row.try_get("deployment_arn")?;
        match arn {
            None => out.in_flight = Some(row.try_get("id")?),
            Some(arn) => out.deployment_arns.push(arn),
        }
    }
    let executed = sqlx::query(
        "SELECT deployment_arn, state FROM change_requests WHERE cluster = $1 AND daemon = $2 \
         AND environment = $3 AND deployment_arn IS NOT NULL ORDER BY executed_at DESC LIMIT 1",
    )
    .bind(cluster)
    .bind(daemon)
    .bind(environment)
    .fetch_optional(db.pool())
    .await?;
    if let Some(row) = executed {
        let arn: String = row.try_get("deployment_arn")?;
        let state: String = row.try_get("state")?;
        let state = crate::domain::change::ChangeState::parse(&state).ok_or_else(|| {
            GatewayError::from(sqlx::Error::Decode(format!("unknown change state {state:?}").into()))
        })?;
        if !matches!(
            state,
            crate::domain::change::ChangeState::Approved | crate::domain::change::ChangeState::Executing
        ) {
            out.ended.push(arn.clone());
        }
        if !out.deployment_arns.contains(&arn) {
            out.deployment_arns.push(arn);
        }
    }
    Ok(out)
}

/// True when the cached ECS view lags behind the requests: it lacks a request's deployment
/// (`known`), or shows running a deployment whose request has ended (`running`).
pub(crate) fn view_is_behind(
    requests: &Requests,
    known: impl Fn(&str) -> bool,
    running: impl Fn(&str) -> bool,
) -> bool {
    requests.deployment_arns.iter().any(|a| !known(a)) || requests.ended.iter().any(|a| running(a))
}

/// Splits the daemon's deployments into the one the page shows and the earlier ones. Newest
/// first by ECS's own `createdAt`; the shown one is the newest still running (PENDING,
/// IN_PROGRESS, a stop or rollback under way), else the daemon's current one (DescribeDaemon's
/// `deploymentArn`), else the newest.
pub(crate) fn pick(
    mut views: Vec<DeploymentView>,
    current: Option<&str>,
) -> (Option<DeploymentView>, Vec<DeploymentView>) {
    views.sort_by(|a, b| b.created_at.partial_cmp(&a.created_at).unwrap_or(std::cmp::Ordering::Equal));
    views.dedup_by(|a, b| a.arn == b.arn);
    let shown = views
        .iter()
        .position(DeploymentView::is_active)
        .or_else(|| views.iter().position(|v| Some(v.arn.as_str()) == current))
        .or((!views.is_empty()).then_some(0));
    match shown {
        Some(i) => {
            let d = views.remove(i);
            (Some(d), views)
        }
        None => (None, views),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(arn: &str, status: &str, created: f64) -> DeploymentView {
        DeploymentView {
            id: arn.into(),
            arn: arn.into(),
            status: status.into(),
            status_reason: None,
            target: String::new(),
            sources: vec![],
            on_target: 0,
            total_instances: 0,
            draining: 0,
            percent: 0,
            rollback_reason: None,
            circuit_breaker: None,
            triggered_alarms: vec![],
            drain_percent: None,
            bake_time_minutes: None,
            created_at: Some(created),
            finished_at: None,
        }
    }

    #[test]
    fn a_running_deployment_wins_over_the_current_finished_one() {
        let views = vec![view("old", "SUCCESSFUL", 1.0), view("new", "PENDING", 2.0)];
        let (shown, past) = pick(views, Some("old"));
        assert_eq!(shown.unwrap().arn, "new");
        assert_eq!(past.iter().map(|v| v.arn.as_str()).collect::<Vec<_>>(), ["old"]);
    }

    #[test]
    fn when_nothing_runs_the_current_one_then_the_newest_is_shown() {
        let views = vec![view("a", "SUCCESSFUL", 1.0), view("b", "STOPPED", 2.0)];
        assert_eq!(pick(views.clone(), Some("a")).0.unwrap().arn, "a");
        assert_eq!(pick(views, None).0.unwrap().arn, "b");
        assert_eq!(pick(vec![], None), (None, vec![]));
    }

    #[test]
    fn the_view_is_behind_when_it_lacks_a_deployment_or_still_runs_an_ended_one() {
        let r = Requests { in_flight: None, deployment_arns: vec!["d2".into()], ended: vec!["d2".into()] };
        assert!(view_is_behind(&r, |a| a == "d1", |_| false), "d2 unknown");
        assert!(view_is_behind(&r, |_| true, |a| a == "d2"), "d2 ended, cached as running");
        assert!(!view_is_behind(&r, |_| true, |_| false));
        assert!(!view_is_behind(&Requests::default(), |_| false, |_| true));
    }

    #[test]
    fn a_deployment_listed_twice_is_shown_once() {
        let views = vec![view("a", "IN_PROGRESS", 1.0), view("a", "IN_PROGRESS", 1.0)];
        let (shown, past) = pick(views, Some("a"));
        assert_eq!(shown.unwrap().arn, "a");
        assert!(past.is_empty());
    }
}
