//! Saving received media: `webwx listen --save-media DIR` writes every image, voice, video, file
//! and sticker as it arrives, streamed to a file named after the message.

use crate::console;
use crate::failure::{CliError, Exit};
use indicatif::{ProgressBar, ProgressStyle};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use webwx_core::{Media, Message, Variant};
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

/// The media of a `listen --json` line, or of a `media` object alone.
fn media_of(json: &str) -> Result<Media, CliError> {
    let bad = |e: serde_json::Error| {
        CliError::new(
            Exit::Usage,
            format!("--message: not a message line of `webwx listen --json` with media ({e})"),
        )
    };
    let value: serde_json::Value = serde_json::from_str(json).map_err(bad)?;
    let media = value.get("media").cloned().unwrap_or(value);
    serde_json::from_value(media).map_err(bad)
}

/// `webwx download`: the media of a message seen earlier, written to a file (the message's own
/// name in `out` when it is a folder), with a progress bar over a few MB.
pub(crate) async fn download(
    server: Option<&str>,
    session_path: &Path,
    message: &str,
    out: Option<&Path>,
    thumbnail: bool,
) -> Result<(), CliError> {
    let media = media_of(message)?;
    let variant = if thumbnail {
        Variant::Thumbnail
    } else {
        Variant::Full
    };
    if !media.has(variant) {
        return Err(CliError::new(
            Exit::Usage,
            "this media has no such version (a paid sticker, or a thumbnail of a kind without one)",
        ));
    }
    let target = match out {
        Some(p) if p.is_dir() => free_path(p, &media.msg_id, &media.suggested_name()),
        Some(p) => p.to_path_buf(),
        None => free_path(Path::new("."), &media.msg_id, &media.suggested_name()),
    };
    let (session, ..) = crate::real::resume(server, session_path, false).await?;
    let mut file = tokio::fs::File::create(&target)
        .await
        .map_err(|e| CliError::new(Exit::Failure, format!("{}: {e}", target.display())))?;
    let bar = ProgressBar::hidden();
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message("downloading");
    let result = session
        .handle()
        .download(&media, variant, &mut file, |written, total| {
            if let Some(total) = total.filter(|t| *t > 4 * 1024 * 1024) {
                if bar.is_hidden() {
                    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                }
                bar.set_length(total);
            }
            bar.set_position(written);
            ControlFlow::Continue(())
        })
        .await;
    bar.finish_and_clear();
    drop(file);
    drop(session);
    match result {
        Ok(written) => console::result(&format!("{} ({written} bytes)", target.display())),
        Err(e) => {
            let _ = tokio::fs::remove_file(&target).await;
            Err(CliError::new(
                Exit::Failure,
                format!("download failed: {e}"),
            ))
        }
    }
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
