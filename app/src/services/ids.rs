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

#[cfg(test)]
mod tests {
    use super::*;

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
