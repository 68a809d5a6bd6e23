//! `--state-file`: the whole state as JSON, written atomically (temp file +
//! rename) at most once a second while something changed, and on shutdown.

use crate::error::SimError;
use crate::state::State;
use std::path::{Path, PathBuf};

pub fn load(path: &Path) -> Result<Option<State>, SimError> {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str::<State>(&text)
            .map(|mut st| {
                st.rebuild_counts();
                Some(st)
            })
            .map_err(|e| SimError::StateFile { path: path.display().to_string(), message: e.to_string() }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

pub fn save(path: &PathBuf, json: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, json)?;
    std::fs::rename(&tmp, path)
}
