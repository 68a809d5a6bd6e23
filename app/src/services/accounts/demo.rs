//! First start: the accounts a newcomer signs in with.
//!
//! With an empty `users` table, embedded mode creates the demo accounts (unless
//! `PORTAL_DEMO_USERS=off`); otherwise an `admin` account is created with `PORTAL_ADMIN_PASSWORD`
//! or a generated password printed once to stderr.

use crate::auth::Role;

use super::{password, users};
use crate::services::{db::Db, random::random_hex};

pub const DEMO_PASSWORD: &str = "demo-password";

/// (username, admin, team membership)
const DEMO_USERS: [(&str, bool, Option<Role>); 4] = [
    ("admin", true, None),
    ("alice", false, Some(Role::Deployer)),
    ("bob", false, Some(Role::Approver)),
    ("carol", false, Some(Role::Viewer)),
];
pub const DEMO_TEAM: &str = "platform";

/// Creates the initial accounts if there are none. Safe when several replicas start at once:
/// inserts skip names that exist.
pub async fn ensure_initial_users(db: &Db, demo: bool, admin_password: Option<&str>) -> Result<(), String> {
    let err = |e: sqlx::Error| format!("creating the initial accounts: {e}");
    if users::count(db).await.map_err(err)? > 0 {
        return Ok(());
    }
    if demo {
        // One hash for all: the demo password is public anyway, and each hash takes a while.
        let hash = password::hash_async(DEMO_PASSWORD.to_string()).await?;
        for (name, admin, role) in DEMO_USERS {
            users::create(db, name, &hash, admin).await.map_err(err)?;
            if let Some(role) = role {
                users::add_membership(db, name, DEMO_TEAM, role).await.map_err(err)?;
            }
        }
        tracing::info!("created the demo accounts admin, alice, bob and carol (password `{DEMO_PASSWORD}`)");
        return Ok(());
    }
    let (secret, generated) = match admin_password.filter(|p| !p.is_empty()) {
        Some(p) => (p.to_string(), false),
        None => (random_hex(12), true),
    };
    let hash = password::hash_async(secret.clone()).await?;
    if users::create(db, "admin", &hash, true).await.map_err(err)?.is_some() && generated {
        eprintln!("Daemon Portal: created user `admin` with password `{secret}` (shown once; set PORTAL_ADMIN_PASSWORD to choose it)");
    }
    Ok(())
}
