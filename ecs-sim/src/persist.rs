//! `--state-file`: every world as JSON, written atomically (temp file +
//! rename) at most once a second while something changed, and on shutdown.

use crate::error::SimError;
use crate::state::worlds::Worlds;
use crate::state::State;
use crate::world::{WorldSpec, WorldsFile};
use std::path::{Path, PathBuf};

/// A state file from before accounts holds one bare world: it becomes the default
/// account's default region, and the other accounts are built from `world`.
pub fn load(path: &Path, world: &WorldSpec) -> Result<Option<Worlds>, SimError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let invalid = |e: serde_json::Error| SimError::StateFile {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let value: serde_json::Value = serde_json::from_str(&text).map_err(invalid)?;
    let mut worlds = if value.get("worlds").is_some() {
        serde_json::from_value::<Worlds>(value).map_err(invalid)?
    } else {
        let old: State = serde_json::from_value(value).map_err(invalid)?;
        let mut w = WorldsFile::load(world)?.build(old.now)?;
        w.insert(old);
        w
    };
    for st in worlds.worlds.values_mut() {
        st.rebuild_counts();
    }
    Ok(Some(worlds))
}
pub fn save(path: &PathBuf, json: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, json)?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arn::Scope;

    #[test]
    fn a_state_file_from_before_accounts_is_the_default_world() {
        let dir = std::env::temp_dir().join(format!("ecs-sim-persist-{}", std::process::id()));
        let path = dir.join("old.json");
        let mut old = crate::WorldFile::default_world().build(1_700_000_000_000).unwrap();
        old.set_alarm("only-in-the-old-file", "ALARM");
        let mut json: serde_json::Value = serde_json::to_value(&old).unwrap();
        json.as_object_mut().unwrap().remove("scope");
        save(&path, &json.to_string()).unwrap();
        let w = load(&path, &WorldSpec::Default).unwrap().unwrap();
        assert!(w.worlds[&Scope::default()].alarms.contains_key("only-in-the-old-file"));
        assert!(w.worlds.contains_key(&Scope::new("234567890123", "eu-west-1")));
        w.check_invariants().unwrap();
        let _ = std::fs::remove_dir_all(&dir);
    }
}
