//! Sending a file: what the application describes ([`FileInfo`]), how the official client
//! decides what a file is sent as ([`SendKind`], by extension), and the bytes the client asks
//! for ([`ChunkRequest`]).
//!
//! The client never holds a whole file. It asks for the file's bytes a chunk at a time
//! ([`Client::poll_chunk_request`](crate::Client::poll_chunk_request)), at most
//! [`CHUNK_SIZE`] bytes, and the application (or the transport's driver) answers with
//! [`Client::handle_chunk`](crate::Client::handle_chunk) from a file, a stream or whatever
//! holds the bytes. Unless the MD5 is supplied, the file is read twice: once to compute the
//! MD5 (which the first upload request already carries), once to upload it.

use crate::Timestamp;

/// The size of one upload request's bytes: WebUploader's `chunkSize` in the official client.
pub const CHUNK_SIZE: usize = 524_288;

/// Files larger than this are first announced with `webwxcheckupload` (the official client's
/// `e.size > 1024 * 25 * 1024`).
pub const CHECK_UPLOAD_ABOVE: u64 = 25 * 1024 * 1024;

/// The official client refuses to send an mp4 of this size or more ("发送视频文件不允许超过
/// 20MB").
pub const MAX_VIDEO_BYTES: u64 = 20 * 1024 * 1024;

/// What a file is sent as, decided by its extension as the official client does.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SendKind {
    /// `bmp`, `png`, `jpeg`, `jpg` (any case): uploaded as `pic`, sent with `webwxsendmsgimg`.
    Image,
    /// `mp4`: uploaded as `video`, sent with `webwxsendvideomsg`.
    Video,
    /// `gif`: uploaded as `doc`, sent as a sticker with `webwxsendemoticon` (`EmojiFlag` 2).
    Sticker,
    /// Anything else: uploaded as `doc`, sent as a file card with `webwxsendappmsg`.
    File,
}

impl SendKind {
    /// The kind the official client sends a file named `name` as.
    pub fn of_name(name: &str) -> SendKind {
        match extension(name).map(str::to_ascii_lowercase).as_deref() {
            Some("bmp" | "png" | "jpeg" | "jpg") => SendKind::Image,
            Some("mp4") => SendKind::Video,
            Some("gif") => SendKind::Sticker,
            _ => SendKind::File,
        }
    }

    /// The upload form's `mediatype`.
    pub(crate) fn media_type(self) -> &'static str {
        match self {
            SendKind::Image => "pic",
            SendKind::Video => "video",
            SendKind::Sticker | SendKind::File => "doc",
        }
    }

    /// A lower-case name, as the CLI and logs write it.
    pub fn as_str(self) -> &'static str {
        match self {
            SendKind::Image => "image",
            SendKind::Video => "video",
            SendKind::Sticker => "sticker",
            SendKind::File => "file",
        }
    }
}

impl std::fmt::Display for SendKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The extension of `name` as WebUploader reads it (`/\.([^.]+)$/`, case kept); `None` when
/// the name has none.
pub(crate) fn extension(name: &str) -> Option<&str> {
    let (_, ext) = name.rsplit_once('.')?;
    (!ext.is_empty()).then_some(ext)
}

/// The MIME type Chrome gives a picked file of this name (`File.type`), as WebUploader sends it
/// in the form's `type`: by extension, `application/octet-stream` (WebUploader's default for an
/// empty type) when the browser knows none.
pub(crate) fn mime_type(name: &str) -> &'static str {
    let ext = extension(name).map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("jpg" | "jpeg" | "jfif" | "pjpeg" | "pjp") => "image/jpeg",
        Some("png") => "image/png",
        Some("gif") => "image/gif",
        Some("bmp") => "image/bmp",
        Some("webp") => "image/webp",
        Some("svg") => "image/svg+xml",
        Some("ico") => "image/x-icon",
        Some("tif" | "tiff") => "image/tiff",
        Some("mp4" | "m4v") => "video/mp4",
        Some("webm") => "video/webm",
        Some("mov") => "video/quicktime",
        Some("avi") => "video/x-msvideo",
        Some("mp3") => "audio/mpeg",
        Some("m4a") => "audio/x-m4a",
        Some("wav") => "audio/wav",
        Some("ogg") => "audio/ogg",
        Some("txt" | "text") => "text/plain",
        Some("htm" | "html") => "text/html",
        Some("css") => "text/css",
        Some("csv") => "text/csv",
        Some("xml") => "text/xml",
        Some("js") => "text/javascript",
        Some("json") => "application/json",
        Some("pdf") => "application/pdf",
        Some("zip") => "application/x-zip-compressed",
        Some("gz" | "tgz") => "application/x-gzip",
        Some("rar") => "application/x-rar-compressed",
        Some("7z") => "application/x-7z-compressed",
        Some("doc") => "application/msword",
        Some("docx") => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Some("xls") => "application/vnd.ms-excel",
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Some("ppt") => "application/vnd.ms-powerpoint",
        Some("pptx") => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        _ => "application/octet-stream",
    }
}

/// A file to send, described without its bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct FileInfo {
    pub(crate) name: String,
    pub(crate) size: u64,
    pub(crate) modified: Option<Timestamp>,
    pub(crate) md5: Option<[u8; 16]>,
    pub(crate) local_id: Option<String>,
}

impl std::fmt::Debug for FileInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileInfo")
            .field("name", &self.name)
            .field("size", &self.size)
            .field("kind", &self.kind())
            .finish_non_exhaustive()
    }
}

impl FileInfo {
    /// A file named `name` (the name the receiver sees, with its extension, which decides
    /// what it is sent as) of `size` bytes.
    pub fn new(name: impl Into<String>, size: u64) -> FileInfo {
        FileInfo {
            name: name.into(),
            size,
            modified: None,
            md5: None,
            local_id: None,
        }
    }

    /// The file at `path` as the file system describes it (`metadata` of it): its name, size
    /// and modification time. (Reading the metadata is the caller's: the core does no I/O.)
    pub fn of_file(path: &std::path::Path, metadata: &std::fs::Metadata) -> FileInfo {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let info = FileInfo::new(name, metadata.len());
        match metadata.modified() {
            Ok(t) => info.modified(Timestamp::from_system_time(t)),
            Err(_) => info,
        }
    }

    /// When the file was last modified (the upload form's `lastModifiedDate`); without it, the
    /// time the upload starts, as a browser does for a file it knows no date of.
    pub fn modified(mut self, at: Timestamp) -> FileInfo {
        self.modified = Some(at);
        self
    }

    /// The MD5 of the whole file, when it is known: the client then reads the file once
    /// instead of twice.
    pub fn md5(mut self, md5: [u8; 16]) -> FileInfo {
        self.md5 = Some(md5);
        self
    }

    /// The `LocalID` the message of this file is sent with, chosen and recorded beforehand by
    /// the application (see [`Client::send_text_with_local_id`](crate::Client::send_text_with_local_id));
    /// a new one when not set. 1 to 32 ASCII digits, else the send is refused.
    pub fn local_id(mut self, local_id: impl Into<String>) -> FileInfo {
        self.local_id = Some(local_id.into());
        self
    }

    /// The file's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The file's size in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// What it is sent as ([`SendKind::of_name`]).
    pub fn kind(&self) -> SendKind {
        SendKind::of_name(&self.name)
    }
}

/// Bytes the client needs: `len` bytes of the file of the send `handle` from `offset` (always
/// the whole rest of a chunk; `len` is at most [`CHUNK_SIZE`]). Answer with
/// [`Client::handle_chunk`](crate::Client::handle_chunk), or
/// [`Client::handle_chunk_error`](crate::Client::handle_chunk_error) when they cannot be read.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ChunkRequest {
    /// The send the file belongs to.
    pub handle: crate::SendHandle,
    /// Where the bytes start in the file.
    pub offset: u64,
    /// How many bytes are wanted.
    pub len: usize,
}

/// Lower-case hex, as SparkMD5 writes an MD5.
pub(crate) fn hex(md5: &[u8; 16]) -> String {
    use std::fmt::Write;
    md5.iter().fold(String::with_capacity(32), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Parses 32 hex digits (either case) into an MD5.
pub fn parse_md5(text: &str) -> Option<[u8; 16]> {
    let text = text.as_bytes();
    if text.len() != 32 {
        return None;
    }
    let mut out = [0u8; 16];
    for (byte, pair) in out.iter_mut().zip(text.chunks_exact(2)) {
        let digit = |c: u8| char::from(c).to_digit(16);
        let (Some(hi), Some(lo)) = (
            pair.first().and_then(|c| digit(*c)),
            pair.get(1).and_then(|c| digit(*c)),
        ) else {
            return None;
        };
        *byte = u8::try_from(hi * 16 + lo).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_extension_as_the_official_client() {
        assert_eq!(SendKind::of_name("a.JPG"), SendKind::Image);
        assert_eq!(SendKind::of_name("a.b.jpeg"), SendKind::Image);
        assert_eq!(SendKind::of_name("x.bmp"), SendKind::Image);
        assert_eq!(SendKind::of_name("clip.Mp4"), SendKind::Video);
        assert_eq!(SendKind::of_name("funny.GIF"), SendKind::Sticker);
        assert_eq!(SendKind::of_name("photo.webp"), SendKind::File);
        assert_eq!(SendKind::of_name("README"), SendKind::File);
        assert_eq!(SendKind::of_name("trailing."), SendKind::File);
        assert_eq!(SendKind::Sticker.media_type(), "doc");
        assert_eq!(SendKind::Image.media_type(), "pic");
        assert_eq!(extension("a.tar.GZ"), Some("GZ"));
        assert_eq!(extension("noext"), None);
        assert_eq!(mime_type("a.PNG"), "image/png");
        assert_eq!(mime_type("a.unknown"), "application/octet-stream");
    }

    #[test]
    fn md5_text_round_trips() {
        let md5 = [
            0xa5, 0xa0, 0x3d, 0xda, 0x33, 0x42, 0x44, 0x3c, 0xfd, 0x15, 0xc2, 0xcc, 0xc8, 0xf9,
            0x70, 0xe5,
        ];
        assert_eq!(hex(&md5), "a5a03dda3342443cfd15c2ccc8f970e5");
        assert_eq!(parse_md5("A5A03DDA3342443CFD15C2CCC8F970E5"), Some(md5));
        assert_eq!(parse_md5("a5a0"), None);
        assert_eq!(parse_md5("g5a03dda3342443cfd15c2ccc8f970e5"), None);
    }
}
