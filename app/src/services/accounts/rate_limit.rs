//! Login rate limiting, in the database so every replica sees the same counts. Attempts are
//! counted per key in fixed windows, and counted *before* the password is checked: taking an
//! attempt is one conditional upsert that succeeds only while the key has attempts left, so
//! any number of parallel requests get at most the allowed number of password checks.
//!
//! Keys: the pair (account, address) — an attacker at one address locks only themselves out
//! of that account, never its owner signing in from elsewhere — and the address alone, which
//! caps how many accounts one address may try. IPv6 addresses count by their /64, the block
//! one subscriber usually gets.

use std::net::IpAddr;

use crate::services::db::Db;

/// Length of a counting window.
pub const WINDOW_MS: i64 = 15 * 60 * 1000;
/// Failed logins allowed per (account, address) in a window.
pub const MAX_PER_ACCOUNT: i64 = 5;
/// Failed logins allowed per address in a window (several people may share one).
pub const MAX_PER_ADDRESS: i64 = 20;

/// The key of an (account, address) pair; account names are case-folded.
pub fn account_key(username: &str, ip: &str) -> String {
    format!("user:{}@{}", username.to_lowercase(), address_part(ip))
}

pub fn address_key(ip: &str) -> String {
    format!("ip:{}", address_part(ip))
}

/// An IPv4 address as it is; an IPv6 address as its /64 network (`2001:db8:1:2::/64`);
/// anything unparsable (no address known) as given.
fn address_part(ip: &str) -> String {
    match ip.trim().parse::<IpAddr>().map(|a| a.to_canonical()) {
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Ok(IpAddr::V6(v6)) => {
            let network = u128::from(v6) & !((1u128 << 64) - 1);
            format!("{}/64", std::net::Ipv6Addr::from(network))
        }
        Err(_) => ip.trim().to_string(),
    }
}

/// Takes one attempt for the key if it has any left in the current window (a window that has
/// ended starts again at one). One statement, so racing callers cannot all pass a check
/// before any of them counts. `true`: taken; `false`: the key is used up.
pub async fn take(db: &Db, key: &str, max: i64, now: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO login_attempts (key, window_start, count) VALUES ($1, $2, 1) \
         ON CONFLICT (key) DO UPDATE SET \
           count = CASE WHEN login_attempts.window_start <= $3 THEN 1 ELSE login_attempts.count + 1 END, \
           window_start = CASE WHEN login_attempts.window_start <= $3 THEN $2 ELSE login_attempts.window_start END \
         WHERE login_attempts.window_start <= $3 OR login_attempts.count < $4",
    )
    .bind(key)
    .bind(now)
    .bind(now - WINDOW_MS)
    .bind(max)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Gives back an attempt taken by [`take`] that should not count: the login succeeded, or
/// the other key refused it.
pub async fn give_back(db: &Db, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE login_attempts SET count = count - 1 WHERE key = $1 AND count > 0")
        .bind(key)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// When the key may try again (epoch ms), for the message of a refused attempt.
pub async fn retry_at(db: &Db, key: &str) -> Result<Option<i64>, sqlx::Error> {
    use sqlx::Row;
    let row = sqlx::query("SELECT window_start FROM login_attempts WHERE key = $1")
        .bind(key)
        .fetch_optional(db.pool())
        .await?;
    row.map(|r| r.try_get::<i64, _>("window_start").map(|s| s + WINDOW_MS)).transpose()
}

/// Forgets the failures of a key (an account after a successful login).
pub async fn clear(db: &Db, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_attempts WHERE key = $1").bind(key).execute(db.pool()).await?;
    Ok(())
}

/// Forgets windows that have ended (called at each successful login).
pub async fn purge_expired(db: &Db, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_attempts WHERE window_start <= $1")
        .bind(now - WINDOW_MS)
        .execute(db.pool())
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_counts_by_its_64_and_ipv4_by_itself() {
        assert_eq!(address_key("2001:db8:1:2:aaaa::1"), address_key("2001:db8:1:2:bbbb::9"));
        assert_eq!(address_key("2001:db8:1:2:aaaa::1"), "ip:2001:db8:1:2::/64");
        assert_ne!(address_key("2001:db8:1:2::1"), address_key("2001:db8:1:3::1"));
        assert_eq!(address_key("203.0.113.7"), "ip:203.0.113.7");
        assert_eq!(address_key("::ffff:203.0.113.7"), "ip:203.0.113.7", "IPv4-mapped");
        assert_ne!(address_key("203.0.113.7"), address_key("203.0.113.8"));
    }

    #[test]
    fn account_keys_pair_the_folded_name_with_the_address() {
        assert_eq!(account_key("Alice", "2001:db8::1"), account_key("alice", "2001:db8::2"));
        assert_ne!(account_key("alice", "203.0.113.7"), account_key("alice", "203.0.113.8"));
    }
}
