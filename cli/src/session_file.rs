//! The session file: JSON of the core's `SavedSession` (credentials, cursor, remembered ids: a
//! few kilobytes, written whenever the cursor moves), and beside it `<session>.contacts.json`,
//! the contacts (megabytes for a large account), written only when they changed. Both are
//! created with mode 0600 in a folder created with mode 0700, and written atomically (a new
//! file beside it, synced, renamed over it, then the folder synced), so a crash mid-write
//! leaves the old file whole and a crash just after leaves the new one. The contacts are
//! written before the session file, so they are never older than the cursor saved with them
//! (newer is harmless: a contact update read again is applied again).

use crate::failure::{CliError, Exit};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use webwx_core::{ContactStore, SavedSession};

/// The session file whose contacts this process last wrote or read, and the contact store's
/// [`revision`](ContactStore::revision) they were at: the contacts are written again only when
/// the revision moved. (The CLI runs one session per process.)
static CONTACTS_WRITTEN: Mutex<Option<(PathBuf, u64)>> = Mutex::new(None);

/// `<session>.contacts.json`: the contacts, saved apart from the session file.
pub(crate) fn contacts_path(session: &Path) -> PathBuf {
    let mut name = session.as_os_str().to_owned();
    name.push(".contacts.json");
    PathBuf::from(name)
}

/// Whether the contacts file of `path` holds the contacts at `revision`.
pub(crate) fn contacts_current(path: &Path, revision: u64) -> bool {
    let written = CONTACTS_WRITTEN.lock().unwrap_or_else(|e| e.into_inner());
    written
        .as_ref()
        .is_some_and(|(p, r)| p == path && *r == revision)
}

/// Writes `contacts` (at `revision`) to the contacts file of `path`, atomically, mode 0600,
/// streamed (never a second copy of them in memory).
pub(crate) fn save_contacts(
    path: &Path,
    contacts: &ContactStore,
    revision: u64,
) -> Result<(), CliError> {
    let target = contacts_path(path);
    write_streamed(&target, |w| {
        serde_json::to_writer(w, contacts).map_err(std::io::Error::other)
    })
    .map_err(|e| {
        CliError::new(
            Exit::Failure,
            format!("cannot write {}: {e}", target.display()),
        )
    })?;
    *CONTACTS_WRITTEN.lock().unwrap_or_else(|e| e.into_inner()) =
        Some((path.to_path_buf(), revision));
    Ok(())
}

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
    let json = serde_json::to_vec(saved).map_err(|e| {
        CliError::new(
            Exit::Failure,
            format!("cannot write {}: {e}", path.display()),
        )
    })?;
    write_atomically(path, &json).map_err(|e| {
        CliError::new(
            Exit::Failure,
            format!("cannot write {}: {e}", path.display()),
        )
    })
}

/// Writes `bytes` to `path` as the session file is written: atomically, mode 0600 (the friend
/// requests kept beside it hold tickets).
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomically(path, bytes)
}

/// Writes `bytes` to a new file beside `path` (mode 0600 from its creation, so the secrets are
/// never readable by others), syncs it, renames it over `path` and syncs the folder (so the
/// rename itself is on disk): a crash at any point leaves either the old file or the new one,
/// whole. A missing folder is created with mode 0700.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_with(path, bytes, |_| Ok(()))
}

/// [`write_atomically`], with what `write` writes through a buffer.
fn write_streamed(
    path: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<&mut std::fs::File>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    write_file(
        path,
        |f| {
            let mut buffered = std::io::BufWriter::with_capacity(64 * 1024, f);
            write(&mut buffered)?;
            buffered.flush()
        },
        |_| Ok(()),
    )
}

/// [`write_atomically`], with `before_rename` run on the synced temporary file just before the
/// rename (tests make it fail to play a crash at the worst moment).
fn write_with(
    path: &Path,
    bytes: &[u8],
    before_rename: impl FnOnce(&Path) -> std::io::Result<()>,
) -> std::io::Result<()> {
    write_file(path, |f| f.write_all(bytes), before_rename)
}

/// The atomic write itself: `write` fills the new file.
fn write_file(
    path: &Path,
    write: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
    before_rename: impl FnOnce(&Path) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    create_private_dir(&dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let tmp = dir.join(format!(".{name}.{}.{nanos}.tmp", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options.open(&tmp).and_then(|mut f| {
        write(&mut f)?;
        f.sync_all()
    });
    let renamed = written
        .and_then(|()| before_rename(&tmp))
        .and_then(|()| std::fs::rename(&tmp, path));
    if renamed.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    renamed?;
    sync_dir(&dir)
}

/// Creates `dir` and any missing parents, each with mode 0700 (the folder of a secret is nobody
/// else's business either). An existing folder is left as it is.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Syncs the folder `dir`, so a rename in it survives a crash. A file system that cannot sync a
/// folder says so with `InvalidInput` (EINVAL); there is nothing more to do there.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    match std::fs::File::open(dir).and_then(|d| d.sync_all()) {
        Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => {}
        other => other?,
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Reads the session at `path`, with the contacts saved beside it (none if that file is
/// missing: they are written again at the next save).
pub(crate) fn load(path: &Path) -> Result<SavedSession, CliError> {
    let saved = load_state(path)?;
    let target = contacts_path(path);
    let contacts = match std::fs::read(&target) {
        Ok(bytes) => serde_json::from_slice::<ContactStore>(&bytes).map_err(|e| {
            CliError::new(
                Exit::SessionExpired,
                format!(
                    "{} holds no contacts ({e}): run `webwx login`",
                    target.display()
                ),
            )
        })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            *CONTACTS_WRITTEN.lock().unwrap_or_else(|e| e.into_inner()) = None;
            return Ok(saved);
        }
        Err(e) => {
            return Err(CliError::new(
                Exit::Failure,
                format!("cannot read {}: {e}", target.display()),
            ));
        }
    };
    // What was read is what a resumed session starts from (revision 0).
    *CONTACTS_WRITTEN.lock().unwrap_or_else(|e| e.into_inner()) =
        Some((path.to_path_buf(), contacts.revision()));
    Ok(saved.with_contacts(contacts))
}

/// Reads the session file at `path` alone.
fn load_state(path: &Path) -> Result<SavedSession, CliError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let d =
            std::env::temp_dir().join(format!("webwx-session-file-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn writes_private_files_and_replaces_whole() {
        let d = dir("private");
        let path = d.join("session.json");
        write_atomically(&path, b"first").unwrap();
        write_atomically(&path, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        assert_eq!(
            std::fs::read_dir(&d).unwrap().count(),
            1,
            "no temporary file left behind"
        );
        let _ = std::fs::remove_dir_all(&d);
    }

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[cfg(unix)]
    #[test]
    fn missing_folders_are_created_private() {
        let d = dir("folders");
        let path = d.join("config").join("webwx").join("session.json");
        write_atomically(&path, b"secret").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"secret");
        assert_eq!(mode(&d.join("config").join("webwx")), 0o700);
        assert_eq!(mode(&d.join("config")), 0o700);
        assert_eq!(mode(&path), 0o600);
        let _ = std::fs::remove_dir_all(&d);
    }

    #[cfg(unix)]
    #[test]
    fn an_existing_folder_keeps_its_mode() {
        use std::os::unix::fs::PermissionsExt;
        let d = dir("existing");
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o751)).unwrap();
        write_atomically(&d.join("session.json"), b"secret").unwrap();
        assert_eq!(mode(&d), 0o751);
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn a_write_that_fails_midway_leaves_the_old_file_whole() {
        let d = dir("crash");
        let path = d.join("session.json");
        write_atomically(&path, b"the old session").unwrap();
        // The new data is written and synced, then the process "dies" before the rename.
        let crash = |tmp: &Path| {
            assert_eq!(
                std::fs::read(tmp).unwrap(),
                b"a new session that never lands"
            );
            Err(std::io::Error::other("simulated crash"))
        };
        assert!(write_with(&path, b"a new session that never lands", crash).is_err());
        assert_eq!(
            std::fs::read(&path).unwrap(),
            b"the old session",
            "the old file is whole"
        );
        assert_eq!(
            std::fs::read_dir(&d).unwrap().count(),
            1,
            "the partial file is gone"
        );
        let _ = std::fs::remove_dir_all(&d);
    }
}
