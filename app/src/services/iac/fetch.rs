//! Reads what an export holds through an environment's gateway: DescribeDaemonTaskDefinition
//! for a revision; for daemons, the daemon page's reading of its settings
//! (`EcsGateway::daemon_detail`: DescribeDaemon, its newest deployment's configuration and
//! target revision), its tags (ListTagsForResource) and the ARNs of its cluster and providers.

use super::model::{Bundle, DaemonIac, RevisionIac};
use crate::{
    domain::iac::ExportTarget,
    services::gateway::{daemon_live::Requests, error::GatewayError, EcsGateway},
};

/// DescribeDaemonTaskDefinition of `family:revision`; one ECS does not know is NotFound (ECS
/// answers ClientException, which would otherwise read as a bad request).
async fn revision(gw: &EcsGateway, family: &str, revision: u32) -> Result<RevisionIac, GatewayError> {
    match gw.describe_task_definition(family, revision).await {
        Ok(r) => Ok(RevisionIac { arn: r.arn, revision: r.revision, spec: r.spec }),
        Err(GatewayError::Ecs(e)) if e.is("ClientException") || e.is("InvalidParameterException") => {
            Err(GatewayError::NotFound(format!("Daemon task definition {family}:{revision} does not exist.")))
        }
        Err(e) => Err(e),
    }
}

async fn daemon(
    gw: &EcsGateway,
    cluster: &str,
    name: &str,
) -> Result<(DaemonIac, String, u32), GatewayError> {
    let detail = gw.daemon_detail(cluster, name, Requests::default()).await?;
    let mut draft = detail.settings;
    let revision = draft.revision.ok_or_else(|| {
        GatewayError::Unexpected(format!("ECS names no daemon task definition revision for daemon {name}."))
    })?;
    draft.tags = gw.resource_tags(&detail.arn).await?;
    let spec = draft.validate().map_err(|e| {
        GatewayError::Unexpected(format!("The settings of daemon {name} cannot be exported: {}", e.summary()))
    })?;
    let summary = gw.cluster_summary(cluster).await?;
    let providers = gw.providers(&summary).await?;
    let capacity_provider_arns = spec
        .capacity_providers
        .iter()
        .map(|p| {
            providers.iter().find(|i| i.name == p.as_str()).map(|i| i.arn.clone()).unwrap_or(p.to_string())
        })
        .collect();
    let family = draft.family.clone();
    Ok((
        DaemonIac {
            spec,
            cluster_arn: summary.arn,
            capacity_provider_arns,
            task_definition_arn: String::new(),
        },
        family,
        revision,
    ))
}

pub(super) async fn bundle(gw: &EcsGateway, target: &ExportTarget) -> Result<Bundle, GatewayError> {
    let mut bundle = Bundle::default();
    match target {
        ExportTarget::Revision { family, revision: r } => {
            bundle.revisions.push(revision(gw, family.as_str(), *r).await?);
        }
        ExportTarget::Daemons { cluster, daemons } => {
            // An unknown cluster is a 404 before any daemon is looked at.
            gw.cluster_summary(cluster.as_str()).await?;
            for name in daemons {
                let (mut d, family, r) = daemon(gw, cluster.as_str(), name.as_str()).await?;
                let i = match bundle
                    .revisions
                    .iter()
                    .position(|x| x.spec.family.as_str() == family && x.revision == r)
                {
                    Some(i) => i,
                    None => {
                        bundle.revisions.push(revision(gw, &family, r).await?);
                        bundle.revisions.len() - 1
                    }
                };
                d.task_definition_arn = bundle.revisions[i].arn.clone();
                bundle.daemons.push(d);
            }
        }
    }
    Ok(bundle)
}
