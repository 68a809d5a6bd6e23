//! Row ids made by the application rather than by the database.
//!
//! UUIDv7 text: the first 48 bits are the creation time in milliseconds, so ids sort by
//! creation (keyset cursors and timelines order by them), and the same `TEXT` column works on
//! SQLite and PostgreSQL without an engine-specific identity column, so one migration set
//! serves both. `Uuid::now_v7` keeps ids made by one process increasing within a millisecond.

/// A new id for `audit_log`, `request_events`, `rollouts` or `notifications`.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().hyphenated().to_string()
}

/// The smallest id made at or after `ms` (epoch ms, the portal's clock): `id >= first_id_at(t)`
/// selects rows recorded since `t` without comparing a time another clock wrote (a rollout's
/// `started_at` may be ECS's).
pub fn first_id_at(ms: i64) -> String {
    let ms = ms.max(0) as u64 & 0xffff_ffff_ffff;
    format!("{:08x}-{:04x}", ms >> 16, ms & 0xffff)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_id_at_splits_ids_by_their_time() {
        let before = new_id();
        std::thread::sleep(std::time::Duration::from_millis(3));
        let t = crate::services::clock::now_ms();
        let after = new_id();
        assert!(before < first_id_at(t), "{before} vs {}", first_id_at(t));
        assert!(after >= first_id_at(t), "{after} vs {}", first_id_at(t));
        assert!(after < first_id_at(t + 60_000));
    }

    #[test]
    fn ids_sort_by_creation() {
        let ids: Vec<String> = (0..1000).map(|_| new_id()).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted);
        assert!(ids.iter().all(|i| i.len() == 36));
        // Rows carried over from integer ids (`crate::domain::history::legacy_id`) sort first.
        assert!(crate::domain::history::legacy_id(i64::from(u32::MAX)) < ids[0]);
    }
}
