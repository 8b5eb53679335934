//! Saving received media: `webwx listen --save-media DIR` writes every image, voice, video, file
//! and sticker as it arrives, streamed to a file named after the message.

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use webwx_core::{Message, Variant};
use webwx_hyper::SessionHandle;

/// What became of a message's media.
pub(crate) enum Saved {
    /// Written to this path.
    At(PathBuf),
    /// Not fetched (a paid sticker), or the download failed: why.
    Failed(String),
}

/// A path in `dir` for `name` that no earlier file has: `<msgid>-<name>`, a number added on a
/// clash. Names come from the server: only their last component is used.
fn free_path(dir: &Path, msg_id: &str, name: &str) -> PathBuf {
    let base = Path::new(name)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "media".into());
    let id: String = msg_id.chars().filter(char::is_ascii_alphanumeric).collect();
    let mut path = dir.join(format!("{id}-{base}"));
    let mut n = 1;
    while path.exists() {
        path = dir.join(format!("{id}-{n}-{base}"));
        n += 1;
    }
    path
}

/// Saves the media of `m` into `dir`, if it carries any; `None` for a message without media.
/// A failed download leaves no partial file behind.
pub(crate) async fn save(handle: &SessionHandle, m: &Message, dir: &Path) -> Option<Saved> {
    let media = m.media()?;
    if !media.has(Variant::Full) {
        return Some(Saved::Failed(
            "not downloadable (a paid sticker)".to_string(),
        ));
    }
    let path = free_path(dir, &media.msg_id, &media.suggested_name());
    let mut file = match tokio::fs::File::create(&path).await {
        Ok(f) => f,
        Err(e) => return Some(Saved::Failed(format!("{}: {e}", path.display()))),
    };
    let result = handle
        .download(&media, Variant::Full, &mut file, |_, _| {
            ControlFlow::Continue(())
        })
        .await;
    drop(file);
    Some(match result {
        Ok(_) => Saved::At(path),
        Err(e) => {
            let _ = tokio::fs::remove_file(&path).await;
            Saved::Failed(e.to_string())
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_stay_in_the_folder_and_never_clash() {
        let dir = std::env::temp_dir().join(format!("webwx-media-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let a = free_path(&dir, "12/3", "../../etc/passwd");
        assert_eq!(a, dir.join("123-passwd"));
        std::fs::write(&a, b"x").unwrap();
        assert_eq!(free_path(&dir, "123", "passwd"), dir.join("123-1-passwd"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
