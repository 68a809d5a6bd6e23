//! Infrastructure-as-code export: a daemon task definition revision, or daemons with the
//! revisions they run, as a CloudFormation template (YAML or JSON), Terraform HCL for the AWS
//! provider, or the AWS CLI's `--cli-input-json` documents.
//!
//! - `model`: what is exported ([`Bundle`]), in the portal's own types (`TaskDefinitionSpec`,
//!   `DeploySpec`) plus the ARNs ECS gave them, and the names each resource gets;
//! - `cloudformation`, `terraform`, `cli`: pure renderers, one per format, through serializers
//!   (serde_json, serde_norway, hcl-rs), never by pasting strings;
//! - `fetch`: reads the bundle through an environment's gateway.
//!
//! [`export`] is the one entry point (the UI's `GET /iac/export`, and `/api/v1`).

pub mod cli;
pub mod cloudformation;
mod fetch;
pub mod model;
pub mod terraform;

pub use crate::domain::iac::{ExportFormat, ExportRequest, ExportTarget};
pub use model::{Bundle, DaemonIac, RevisionIac};

use super::{
    gateway::{error::GatewayError, EcsGateway},
    Services,
};
use crate::api::PortalError;

/// A rendered export.
#[derive(Clone, Debug, PartialEq)]
pub struct Export {
    /// A file name for the download, e.g. `cwagent.tf`.
    pub filename: String,
    pub content_type: &'static str,
    pub body: String,
}

/// Renders `bundle` in `format`.
pub fn render(bundle: &Bundle, format: ExportFormat) -> Result<String, GatewayError> {
    let out = match format {
        ExportFormat::CloudFormationYaml => cloudformation::to_yaml(bundle),
        ExportFormat::CloudFormationJson => cloudformation::to_json(bundle),
        ExportFormat::Terraform => terraform::to_hcl(bundle),
        ExportFormat::CliJson => cli::to_json(bundle),
    };
    out.map_err(|e| GatewayError::Unexpected(format!("The export could not be written: {e}")))
}

/// Reads `target` through `gateway` (an environment's: `Services::gateway_in`) and renders it.
/// An unknown cluster, daemon or revision is `GatewayError::NotFound` (404).
pub async fn export(
    gateway: &EcsGateway,
    target: &ExportTarget,
    format: ExportFormat,
) -> Result<Export, GatewayError> {
    let bundle = fetch::bundle(gateway, target).await?;
    let stem = match target {
        ExportTarget::Revision { family, revision } => format!("{family}-{revision}"),
        ExportTarget::Daemons { daemons, .. } if daemons.len() == 1 => daemons[0].to_string(),
        ExportTarget::Daemons { cluster, .. } => format!("{cluster}-daemons"),
    };
    Ok(Export {
        filename: format!("{stem}.{}", format.extension()),
        content_type: format.content_type(),
        body: render(&bundle, format)?,
    })
}

/// [`export`] in the request's environment ("" is the default one; an unknown one is a 404):
/// what `GET /iac/export` and `/api/v1` call once the caller is checked.
pub async fn export_in(services: &Services, request: &ExportRequest) -> Result<Export, PortalError> {
    let gateway = services.gateway_in(&request.environment).await?;
    Ok(export(&gateway, &request.target, request.format).await?)
}
