//! A database URL whose scheme has been checked (SQLite or PostgreSQL); its `Display` hides the
//! password, so it can be logged.

use std::{fmt, path::PathBuf};

/// Which storage backend a database URL selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbKind {
    Sqlite,
    Postgres,
}

/// A database URL whose scheme has been checked. Its `Display` hides any password.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    url: String,
    kind: DbKind,
}

impl DatabaseUrl {
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let (scheme, rest) = s.split_once(':').ok_or_else(|| {
            format!("`{}` is not a URL (expected sqlite://PATH or postgres://…)", redact(s))
        })?;
        let kind = match scheme {
            "sqlite" => DbKind::Sqlite,
            "postgres" | "postgresql" => DbKind::Postgres,
            other => {
                return Err(format!("unsupported scheme `{other}` (expected sqlite://PATH or postgres://…)"))
            }
        };
        let body = rest.trim_start_matches("//");
        if body.is_empty() {
            return Err(format!("`{}` names no database", redact(s)));
        }
        if kind == DbKind::Postgres
            && body.split('/').next().unwrap_or("").rsplit('@').next().unwrap_or("").is_empty()
        {
            return Err(format!("`{}` names no host", redact(s)));
        }
        Ok(Self { url: s.to_string(), kind })
    }

    pub fn kind(&self) -> DbKind {
        self.kind
    }

    /// The URL with its secret, for the driver only.
    pub fn expose(&self) -> &str {
        &self.url
    }

    /// For SQLite: the file path, if the URL names a file rather than `:memory:`.
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        if self.kind != DbKind::Sqlite {
            return None;
        }
        let body = self.url.trim_start_matches("sqlite:").trim_start_matches("//");
        let path = body.split('?').next().unwrap_or("");
        (!path.is_empty() && !path.starts_with(":memory:")).then(|| PathBuf::from(path))
    }
}

/// Replace the password in `scheme://user:password@host` with `***`.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let Some((auth, host)) = rest.split_once('@') else {
        return url.to_string();
    };
    match auth.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact(&self.url))
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}
