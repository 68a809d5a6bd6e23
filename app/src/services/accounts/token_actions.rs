//! `TokensBackend`: API tokens in the database, creation and revocation audited.

use crate::{
    api::tokens::{ApiTokenRow, CreatedToken},
    auth::CurrentUser,
    domain::api_token::TokenSpec,
};
use serde_json::json;

use super::{error::AccountsError, tokens, users, Accounts};
use crate::services::audit::log as audit;

impl Accounts {
    /// The id of a signed-in user's row (`SignedOut` if it has gone since).
    pub async fn token_owner_id(&self, user: &CurrentUser) -> Result<String, AccountsError> {
        users::find_by_username(&self.db, &user.username)
            .await?
            .filter(|r| !r.disabled)
            .map(|r| r.id)
            .ok_or(AccountsError::SignedOut)
    }
}

impl Accounts {
    pub async fn create_token(
        &self,
        user: &CurrentUser,
        spec: &TokenSpec,
        ip: &str,
    ) -> Result<CreatedToken, AccountsError> {
        let user_id = self.token_owner_id(user).await?;
        let (secret, row) = tokens::create(&self.db, &user_id, spec).await?;
        let detail =
            json!({"id": row.id, "name": row.name, "scope": row.scope, "expires_at": row.expires_at});
        audit::record(&self.db, &user.username, ip, "token.create", &row.prefix, &detail).await?;
        Ok(CreatedToken { row, secret })
    }

    pub async fn list_tokens(&self, user: &CurrentUser) -> Result<Vec<ApiTokenRow>, AccountsError> {
        let user_id = self.token_owner_id(user).await?;
        Ok(tokens::list(&self.db, &user_id).await?)
    }

    pub async fn revoke_token(&self, user: &CurrentUser, id: &str, ip: &str) -> Result<(), AccountsError> {
        let user_id = self.token_owner_id(user).await?;
        let Some(name) = tokens::revoke(&self.db, &user_id, id).await? else {
            return Err(AccountsError::NoSuchToken);
        };
        audit::record(&self.db, &user.username, ip, "token.revoke", id, &json!({"id": id, "name": name}))
            .await?;
        Ok(())
    }
}
