use crate::api::{changes::*, PortalError};
use crate::{auth::CurrentUser, domain::deployment::DeploySpec};

/// Change requests: submission, reviews, and the lists and pages that show them. Every method
/// checks what `user` may do itself (the API under /api/v1 calls these too).
#[async_trait::async_trait]
pub trait ChangesBackend {
    /// Validates the change against ECS and records it as a request under the matching policy;
    /// one that needs no approval executes at once. Returns the request as it stands after.
    async fn submit_change(
        &self,
        user: &CurrentUser,
        ip: &str,
        input: ChangeInput,
    ) -> Result<ChangeRequestRow, PortalError>;
    async fn list_changes(
        &self,
        user: &CurrentUser,
        filter: RequestFilter,
    ) -> Result<RequestPage, PortalError>;
    async fn get_change(&self, user: &CurrentUser, id: &str) -> Result<ChangeRequestDetail, PortalError>;
    async fn approval_counts(&self, user: &CurrentUser) -> Result<ApprovalCounts, PortalError>;
    /// Approves or rejects `version` (the one the reviewer saw: a stale one is a conflict and
    /// nothing is counted); the approval that completes the policies executes the request.
    async fn review_change(
        &self,
        user: &CurrentUser,
        ip: &str,
        id: &str,
        version: i64,
        approve: bool,
        comment: &str,
    ) -> Result<ChangeRequestRow, PortalError>;
    async fn cancel_change(&self, user: &CurrentUser, ip: &str, id: &str) -> Result<(), PortalError>;
    /// Replaces a pending request's deploy settings; approvals given so far are void.
    async fn edit_change(
        &self,
        user: &CurrentUser,
        ip: &str,
        id: &str,
        spec: DeploySpec,
    ) -> Result<(), PortalError>;
    async fn override_freeze(
        &self,
        user: &CurrentUser,
        ip: &str,
        id: &str,
        reason: &str,
    ) -> Result<(), PortalError>;
    /// Before registering a revision of `family`: refuses a user who is not a deployer of the
    /// team owning it; a family nobody owns yet becomes the user's team's.
    async fn claim_family(&self, user: &CurrentUser, family: &str) -> Result<(), PortalError>;
}
