use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Validation messages keyed by the form field they belong to (e.g. `family`,
/// `containers.0.image`), so the UI can show each next to its field.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldErrors(pub BTreeMap<String, String>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.entry(field.into()).or_insert_with(|| message.into());
    }
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// Records the error of a parse under `field` and returns the value, if any.
    pub fn check<T>(&mut self, field: impl Into<String>, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.add(field, e);
                None
            }
        }
    }
    /// Adds `other`'s messages for fields that have none yet (the first message per field wins).
    pub fn merge(&mut self, other: FieldErrors) {
        for (k, v) in other.0 {
            self.add(k, v);
        }
    }
    /// A one-paragraph summary, for API clients and the form's top alert.
    pub fn summary(&self) -> String {
        self.0.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join("; ")
    }
}

/// A field's parse result as `FieldErrors`, so that `?` in a server function turns it into a
/// validation error shown next to that field: `parse_username(&u).for_field("username")?`.
pub trait ForField<T> {
    fn for_field(self, field: &str) -> Result<T, FieldErrors>;
}

impl<T> ForField<T> for Result<T, String> {
    fn for_field(self, field: &str) -> Result<T, FieldErrors> {
        self.map_err(|message| {
            let mut e = FieldErrors::new();
            e.add(field, message);
            e
        })
    }
}
