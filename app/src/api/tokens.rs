//! API tokens for automation: view models and server functions. A token is created and
//! revoked by its owner in the UI (never with another token), shown once, and stored hashed.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::PortalError;
use crate::domain::api_token::TokenForm;

/// A row of the user's token list. The secret is never part of it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApiTokenRow {
    pub id: String,
    pub name: String,
    /// The first characters of the secret (`dpt_1a2b…`), to recognise it.
    pub prefix: String,
    /// `admin`, `platform:deployer`, …
    pub scope: Vec<String>,
    /// Epoch milliseconds.
    pub created_at: i64,
    pub expires_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

impl ApiTokenRow {
    /// `active`, `expired` or `revoked` at `now` (epoch ms).
    pub fn status(&self, now: i64) -> &'static str {
        if self.revoked_at.is_some() {
            "revoked"
        } else if self.expires_at <= now {
            "expired"
        } else {
            "active"
        }
    }
}

/// A token just created: the only time its secret is shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CreatedToken {
    pub row: ApiTokenRow,
    pub secret: String,
}

/// What the tokens page shows: the scopes the user may grant and their tokens.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TokensPage {
    pub scope_options: Vec<String>,
    pub tokens: Vec<ApiTokenRow>,
    /// The server's clock (epoch ms), so statuses render the same on server and browser.
    pub now: i64,
    /// The secret of a token just created by a plain form post (no JavaScript), handed over
    /// once through a short-lived cookie scoped to the tokens page.
    pub fresh_secret: Option<String>,
}

/// The cookie that carries a new secret from a plain form post to the page it redirects to.
pub const NEW_TOKEN_COOKIE: &str = "portal_new_token";
/// Only the page itself receives the cookie (not the API): it is read once during the page's
/// server render, then cleared.
pub const TOKENS_PAGE: &str = "/account/tokens";

/// Tokens are managed with a session: a token cannot mint or revoke tokens (a leaked token
/// must not be able to outlive its expiry by creating another).
#[cfg(feature = "ssr")]
fn require_session_user() -> Result<crate::auth::CurrentUser, PortalError> {
    let user = crate::auth::require_user()?;
    if crate::auth::via_token() {
        return Err(PortalError::Forbidden(
            "API tokens are managed in the portal's UI, not with a token.".into(),
        ));
    }
    Ok(user)
}

#[server(prefix = "/api", endpoint = "list-api-tokens")]
pub async fn list_api_tokens() -> Result<TokensPage, PortalError> {
    let user = require_session_user()?;
    let s = crate::services::services()?;
    let tokens = s.accounts.list_tokens(&user).await?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    Ok(TokensPage {
        scope_options: crate::domain::api_token::TokenScope::options_for(&user),
        tokens,
        now,
        fresh_secret: take_fresh_secret(),
    })
}

/// Creates a token; the answer carries its secret, which is not stored and never shown again.
#[server(prefix = "/api", endpoint = "create-api-token")]
pub async fn create_api_token(form: TokenForm) -> Result<CreatedToken, PortalError> {
    let user = require_session_user()?;
    let spec = form.parse()?;
    spec.scope.within(&user).map_err(PortalError::Forbidden)?;
    let s = crate::services::services()?;
    let created = s.accounts.create_token(&user, &spec, &crate::auth::client_ip()).await?;
    if super::error::plain_form_post() {
        // Without JavaScript the answer is a redirect; the secret rides along in a cookie only
        // the tokens page receives, for a minute, and is cleared when shown.
        super::auth::set_cookie(&format!(
            "{NEW_TOKEN_COOKIE}={}; Path={TOKENS_PAGE}; HttpOnly; SameSite=Strict; Max-Age=60",
            created.secret
        ));
        leptos_axum::redirect(TOKENS_PAGE);
    }
    Ok(created)
}

#[server(prefix = "/api", endpoint = "revoke-api-token")]
pub async fn revoke_api_token(id: String) -> Result<(), PortalError> {
    let user = require_session_user()?;
    if id.is_empty() || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(PortalError::invalid("id", "Not a token id."));
    }
    let s = crate::services::services()?;
    s.accounts.revoke_token(&user, &id, &crate::auth::client_ip()).await?;
    if super::error::plain_form_post() {
        leptos_axum::redirect(TOKENS_PAGE);
    }
    Ok(())
}

/// The secret in the hand-over cookie, if this request carries one (it clears it).
#[cfg(feature = "ssr")]
fn take_fresh_secret() -> Option<String> {
    let parts = use_context::<http::request::Parts>()?;
    let secret = parts
        .headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|h| crate::auth::cookie_value(h, NEW_TOKEN_COOKIE).map(str::to_string))
        .filter(|s| s.starts_with(crate::domain::api_token::TOKEN_PREFIX))?;
    super::auth::set_cookie(&format!(
        "{NEW_TOKEN_COOKIE}=; Path={TOKENS_PAGE}; HttpOnly; SameSite=Strict; Max-Age=0"
    ));
    Some(secret)
}
