//! The session file: JSON of the core's `SavedSession`, created with mode 0600 and written
//! atomically (a new file beside it, synced, then renamed over it), so a crash mid-write leaves
//! the old file whole.

use crate::failure::{CliError, Exit};
use std::io::Write;
use std::path::{Path, PathBuf};
use webwx_core::SavedSession;

/// `$XDG_CONFIG_HOME/webwx/session.json`, else `~/.config/webwx/session.json`, else
/// `webwx-session.json` in the current folder.
pub(crate) fn default_path() -> PathBuf {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")));
    match base {
        Some(dir) => dir.join("webwx").join("session.json"),
        None => PathBuf::from("webwx-session.json"),
    }
}

/// Writes `saved` to `path` atomically, mode 0600.
pub(crate) fn save(path: &Path, saved: &SavedSession) -> Result<(), CliError> {
    let fail = |e: &dyn std::fmt::Display| {
        CliError::new(
            Exit::Failure,
            format!("cannot write {}: {e}", path.display()),
        )
    };
    let json = serde_json::to_vec(saved).map_err(|e| fail(&e))?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(|e| fail(&e))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options.open(&tmp).and_then(|mut f| {
        f.write_all(&json)?;
        f.sync_all()
    });
    if let Err(e) = written.and_then(|()| std::fs::rename(&tmp, path)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(fail(&e));
    }
    Ok(())
}

/// Reads the session at `path`.
pub(crate) fn load(path: &Path) -> Result<SavedSession, CliError> {
    let bytes = std::fs::read(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            CliError::new(
                Exit::SessionExpired,
                format!("no session at {}: run `webwx login`", path.display()),
            )
        } else {
            CliError::new(
                Exit::Failure,
                format!("cannot read {}: {e}", path.display()),
            )
        }
    })?;
    serde_json::from_slice(&bytes).map_err(|e| {
        CliError::new(
            Exit::SessionExpired,
            format!(
                "{} is not a session file ({e}): run `webwx login`",
                path.display()
            ),
        )
    })
}
