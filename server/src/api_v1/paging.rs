//! Keyset pagination for lists the portal reads whole from ECS (clusters, daemons, task
//! definitions, instances): the items are sorted by a key, and `after` names the last key of
//! the previous page, so a page never repeats or skips an item when others come or go between
//! calls (an offset would). Lists read from the database page in SQL (change requests, history).

use serde::Deserialize;
use utoipa::IntoParams;

use super::error::ApiError;

pub const DEFAULT_LIMIT: usize = 50;
pub const MAX_LIMIT: usize = 200;

/// `limit` and `after`, shared by every list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Items per page, 1–200 (default 50).
    pub limit: Option<String>,
    /// The `next` of the previous page.
    pub after: Option<String>,
}

impl PageParams {
    pub fn limit(&self) -> Result<usize, ApiError> {
        parse_limit(self.limit.as_deref()).map_err(|m| app::api::PortalError::invalid("limit", m).into())
    }
}

pub fn parse_limit(s: Option<&str>) -> Result<usize, String> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(DEFAULT_LIMIT),
        Some(s) => s
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| format!("A whole number from 1 to {MAX_LIMIT}.")),
    }
}

/// One page of `items` by `key`: those after `after`, at most `limit`, and the key to pass next.
pub fn keyset<T>(
    mut items: Vec<T>,
    key: impl Fn(&T) -> String,
    params: &PageParams,
) -> Result<(Vec<T>, Option<String>), ApiError> {
    let limit = params.limit()?;
    items.sort_by_key(|a| key(a));
    let after = params.after.as_deref().unwrap_or("");
    let mut page: Vec<T> =
        items.into_iter().filter(|i| after.is_empty() || key(i).as_str() > after).collect();
    let more = page.len() > limit;
    page.truncate(limit);
    let next = if more { page.last().map(&key) } else { None };
    Ok((page, next))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(limit: &str, after: &str) -> PageParams {
        PageParams { limit: Some(limit.into()), after: (!after.is_empty()).then(|| after.into()) }
    }

    #[test]
    fn pages_follow_each_other_without_gaps_or_repeats() {
        let items: Vec<String> = ["d", "a", "c", "b", "e"].iter().map(|s| s.to_string()).collect();
        let (p1, next) = keyset(items.clone(), String::clone, &params("2", "")).unwrap();
        assert_eq!((p1, next.as_deref()), (vec!["a".to_string(), "b".into()], Some("b")));
        let (p2, next) = keyset(items.clone(), String::clone, &params("2", "b")).unwrap();
        assert_eq!((p2, next.as_deref()), (vec!["c".to_string(), "d".into()], Some("d")));
        let (p3, next) = keyset(items, String::clone, &params("2", "d")).unwrap();
        assert_eq!((p3, next), (vec!["e".to_string()], None));
    }

    #[test]
    fn an_item_removed_between_pages_does_not_shift_the_next() {
        let before: Vec<String> = ["a", "b", "c", "d"].iter().map(|s| s.to_string()).collect();
        let (_, next) = keyset(before, String::clone, &params("2", "")).unwrap();
        let after_removal: Vec<String> = ["b", "c", "d"].iter().map(|s| s.to_string()).collect();
        let (p2, _) = keyset(after_removal, String::clone, &params("2", next.as_deref().unwrap())).unwrap();
        assert_eq!(p2, vec!["c".to_string(), "d".into()]);
    }

    #[test]
    fn limits_are_bounded() {
        assert_eq!(parse_limit(None), Ok(DEFAULT_LIMIT));
        assert_eq!(parse_limit(Some("200")), Ok(200));
        for bad in ["0", "201", "-1", "x"] {
            assert!(parse_limit(Some(bad)).is_err(), "{bad}");
        }
    }
}
