//! The media the simulator serves: deterministic bytes for every media message, made from the
//! scenario's seed, and the message fields that describe them.
//!
//! Small media are made whole when their message is made (a JPEG and its thumbnail, an MP3, a
//! GIF); large ones (videos, files) are a fixed head followed by seeded filler bytes, computed on
//! demand for the part a request asks for, so a long run of scheduled messages costs no memory
//! for their bytes.

use crate::ids::{hex, mix};
use bytes::Bytes;
use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// The largest video or file the simulator makes (a larger size asked for is cut to this).
pub const MAX_MEDIA_BYTES: usize = 512 * 1024 * 1024;

/// A kind of media message the simulator makes and serves (see the crate docs for the bytes of
/// each and the endpoints that serve them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    /// `MsgType` 3: a JPEG, with a smaller JPEG as its thumbnail.
    Image,
    /// `MsgType` 34: an MP3 (MPEG-2 layer III, 8 kbit/s mono) as long as its `VoiceLength`.
    Voice,
    /// `MsgType` 43: an MP4 of more than 1 MiB, with a JPEG thumbnail.
    Video,
    /// `MsgType` 62: a short MP4 (a few hundred KB), with a JPEG thumbnail.
    ShortVideo,
    /// `MsgType` 47: a GIF.
    Sticker,
    /// `MsgType` 49 with `AppMsgType` 6: a file on the file host, of any size.
    File,
}

impl MediaKind {
    /// The message's `MsgType`.
    pub fn msg_type(self) -> i64 {
        match self {
            MediaKind::Image => 3,
            MediaKind::Voice => 34,
            MediaKind::Video => 43,
            MediaKind::ShortVideo => 62,
            MediaKind::Sticker => 47,
            MediaKind::File => 49,
        }
    }

    /// The `Content-Type` of the media itself.
    pub fn content_type(self) -> &'static str {
        match self {
            MediaKind::Image => "image/jpeg",
            MediaKind::Voice => "audio/mpeg",
            MediaKind::Video | MediaKind::ShortVideo => "video/mp4",
            MediaKind::Sticker => "image/gif",
            MediaKind::File => "application/octet-stream",
        }
    }

    /// The kind as a deviation names it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            MediaKind::Image => "an image",
            MediaKind::Voice => "a voice",
            MediaKind::Video => "a video",
            MediaKind::ShortVideo => "a short video",
            MediaKind::Sticker => "a sticker",
            MediaKind::File => "a file",
        }
    }

    /// Whether the kind has a thumbnail (`webwxgetmsgimg?...&type=slave`).
    pub fn has_thumbnail(self) -> bool {
        matches!(
            self,
            MediaKind::Image | MediaKind::Video | MediaKind::ShortVideo
        )
    }
}

/// The stored media of one message, as a test sees it.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoredMedia {
    /// The message's `MsgId`.
    pub msg_id: String,
    /// What kind.
    pub kind: MediaKind,
    /// The bytes the simulator serves for the media itself.
    pub bytes: Vec<u8>,
    /// The thumbnail's bytes (`type=slave`): images and videos.
    pub thumbnail: Option<Vec<u8>>,
    /// `FileName` (files; empty for the other kinds).
    pub file_name: String,
    /// `MediaId`: what a client forwards it by (images, videos, files; empty for voices and
    /// stickers, which a client forwards by their `md5`, see [`StoredMedia::md5`]).
    pub media_id: String,
    /// A sticker's `md5`, as its `Content` gives it (empty for the other kinds).
    pub md5: String,
}

impl std::fmt::Debug for StoredMedia {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredMedia")
            .field("msg_id", &self.msg_id)
            .field("kind", &self.kind)
            .field("bytes", &self.bytes.len())
            .field("thumbnail", &self.thumbnail.as_ref().map(Vec::len))
            .field("file_name", &self.file_name)
            .finish_non_exhaustive()
    }
}

/// Bytes of a media: stored whole, or a head followed by seeded filler made on demand.
#[derive(Clone, Debug)]
pub(crate) enum Blob {
    /// Made whole.
    Whole(Bytes),
    /// `head`, then filler bytes up to `len` (byte `i` is byte `i % 8` of `mix(seed, i / 8)`).
    Filled { head: Bytes, len: usize, seed: u64 },
}

impl Blob {
    pub(crate) fn len(&self) -> usize {
        match self {
            Blob::Whole(b) => b.len(),
            Blob::Filled { len, .. } => *len,
        }
    }

    /// Bytes `start..end` (clamped to the length).
    pub(crate) fn slice(&self, start: usize, end: usize) -> Bytes {
        let end = end.min(self.len());
        let start = start.min(end);
        match self {
            Blob::Whole(b) => b.slice(start..end),
            Blob::Filled { head, seed, .. } => {
                let mut out = Vec::with_capacity(end - start);
                let mut i = start;
                if i < head.len() {
                    let upto = end.min(head.len());
                    out.extend_from_slice(&head.slice(i..upto));
                    i = upto;
                }
                while i < end {
                    let word = mix(*seed, (i / 8) as u64).to_le_bytes();
                    let from = i % 8;
                    let take = (8 - from).min(end - i);
                    out.extend_from_slice(word.get(from..from + take).unwrap_or_default());
                    i += take;
                }
                Bytes::from(out)
            }
        }
    }

    /// Every byte.
    pub(crate) fn all(&self) -> Bytes {
        self.slice(0, self.len())
    }
}

/// One stored media: its bytes and what its message says about them.
#[derive(Debug)]
pub(crate) struct Media {
    pub(crate) kind: MediaKind,
    /// The media itself.
    pub(crate) full: Blob,
    /// The thumbnail (images, videos).
    pub(crate) thumb: Option<Blob>,
    /// `ImgWidth`/`ImgHeight`: the thumbnail's size (images, videos: the page lays the bubble out
    /// with them) or the GIF's (stickers); 0 otherwise.
    pub(crate) width: u32,
    pub(crate) height: u32,
    /// `VoiceLength` (ms, voices).
    pub(crate) voice_ms: u64,
    /// `PlayLength` (s, videos).
    pub(crate) play_length: u64,
    /// Files: `FileName` and `EncryFileName` (its encodeURIComponent).
    pub(crate) file_name: String,
    pub(crate) encry_file_name: String,
    /// `MediaId` (images, videos, files; empty for voices and stickers).
    pub(crate) media_id: String,
    /// A sticker's `md5` (an id made from the seed, not the GIF's digest).
    pub(crate) md5: String,
    /// The message's `FromUserName` (the file host's `sender`).
    pub(crate) sender: String,
    /// What its upload said, for a media a client uploaded (webwxuploadmedia).
    pub(crate) upload: Option<UploadInfo>,
    /// The MD5 of `full`, once computed.
    pub(crate) digest: OnceLock<String>,
}

/// The largest received media whose MD5 a send record carries (an upload's is always known).
const DIGEST_MAX: usize = 64 * 1024 * 1024;

/// What an upload said about the media it made.
#[derive(Clone, Debug)]
pub(crate) struct UploadInfo {
    /// The MD5 of the assembled bytes (lowercase hex; equal to the upload's `FileMd5`).
    pub(crate) md5: String,
    /// `TotalLen`.
    pub(crate) size: u64,
    /// Whether the bytes were kept (the upload was not over the scenario's cap).
    pub(crate) kept: bool,
    /// The form's `mediatype` (`pic`, `video`, `doc`).
    pub(crate) media_type: String,
    /// The uploadmediarequest's `ToUserName`.
    pub(crate) to: String,
    /// The uploadmediarequest's `Signature` (a file that went through webwxcheckupload).
    pub(crate) signature: Option<String>,
    /// Its number among the account's finished uploads (from 1).
    pub(crate) order: u64,
}

impl Media {
    /// The lowercase hex MD5 of the media's bytes: an upload's, or computed for a received
    /// media of at most 64 MiB (empty above).
    pub(crate) fn md5_hex(&self) -> String {
        if let Some(u) = &self.upload {
            return u.md5.clone();
        }
        let len = self.full.len();
        if len > DIGEST_MAX {
            return String::new();
        }
        self.digest
            .get_or_init(|| {
                let mut h = Md5::new();
                let mut at = 0;
                while at < len {
                    let end = (at + (1 << 20)).min(len);
                    h.update(self.full.slice(at, end));
                    at = end;
                }
                format!("{:x}", h.finalize())
            })
            .clone()
    }

    /// The size of the media's bytes (an upload's `TotalLen`, kept or not).
    pub(crate) fn size(&self) -> u64 {
        self.upload
            .as_ref()
            .map_or(self.full.len() as u64, |u| u.size)
    }

    /// Whether the media endpoints can serve its bytes (not an upload over the cap).
    pub(crate) fn servable(&self) -> bool {
        self.upload.as_ref().is_none_or(|u| u.kept)
    }
}

/// What media to make.
#[derive(Clone, Debug)]
pub(crate) struct Spec {
    pub(crate) kind: MediaKind,
    /// The size of a video or file (default: by kind, from the seed).
    pub(crate) size: Option<usize>,
    /// A file's name (default: made from the seed).
    pub(crate) file_name: Option<String>,
}

impl Spec {
    pub(crate) fn of(kind: MediaKind) -> Spec {
        Spec {
            kind,
            size: None,
            file_name: None,
        }
    }
}

impl Media {
    /// Makes the media `spec` asks for, from `seed`, sent by `sender`.
    pub(crate) fn make(spec: &Spec, seed: u64, sender: &str) -> Media {
        let r = |n: u64| mix(seed, n);
        let mut m = Media {
            kind: spec.kind,
            full: Blob::Whole(Bytes::new()),
            thumb: None,
            width: 0,
            height: 0,
            voice_ms: 0,
            play_length: 0,
            file_name: String::new(),
            encry_file_name: String::new(),
            media_id: String::new(),
            md5: String::new(),
            sender: sender.to_string(),
            upload: None,
            digest: OnceLock::new(),
        };
        match spec.kind {
            MediaKind::Image => {
                let ((fw, fh), (tw, th)) = match r(1) % 3 {
                    0 => ((320, 240), (120, 90)),
                    1 => ((240, 320), (90, 120)),
                    _ => ((400, 300), (120, 90)),
                };
                m.full = Blob::Whole(jpeg(fw, fh, r(2)).into());
                m.thumb = Some(Blob::Whole(jpeg(tw, th, r(2)).into()));
                (m.width, m.height) = (u32::from(tw), u32::from(th));
                m.media_id = media_id(seed);
            }
            MediaKind::Voice => {
                m.voice_ms = 1_000 + r(1) % 9_000;
                m.full = Blob::Whole(mp3(m.voice_ms, r(2)).into());
            }
            MediaKind::Video | MediaKind::ShortVideo => {
                let (default, play, (tw, th)) = if spec.kind == MediaKind::Video {
                    (1_100_000 + r(1) % 300_000, 5 + r(3) % 55, (160, 90))
                } else {
                    (150_000 + r(1) % 150_000, 2 + r(3) % 8, (90, 160))
                };
                let len = clamp_size(spec.size, default as usize).max(MP4_HEAD);
                m.play_length = play;
                m.full = Blob::Filled {
                    head: mp4_head(len, play).into(),
                    len,
                    seed: r(4),
                };
                m.thumb = Some(Blob::Whole(jpeg(tw, th, r(2)).into()));
                (m.width, m.height) = (u32::from(tw), u32::from(th));
                m.media_id = media_id(seed);
            }
            MediaKind::Sticker => {
                let side = 48 + 16 * (r(1) % 3) as u16;
                m.full = Blob::Whole(gif(side, r(2)).into());
                (m.width, m.height) = (u32::from(side), u32::from(side));
                m.md5 = hex(seed, 5, 32);
            }
            MediaKind::File => {
                let name = spec
                    .file_name
                    .clone()
                    .unwrap_or_else(|| format!("报告 {}.pdf", hex(seed, 6, 4)));
                let len = clamp_size(spec.size, 50_000 + (r(1) % 200_000) as usize).max(1);
                let ext = extension(&name).to_ascii_lowercase();
                let magic: &[u8] = match ext.as_str() {
                    "pdf" => b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n",
                    "zip" | "docx" | "xlsx" | "pptx" => b"PK\x03\x04",
                    _ => b"",
                };
                let head = magic.get(..magic.len().min(len)).unwrap_or_default();
                m.full = Blob::Filled {
                    head: Bytes::copy_from_slice(head),
                    len,
                    seed: r(4),
                };
                m.encry_file_name = crate::official::encode_uri_component(&name);
                m.file_name = name;
                m.media_id = media_id(seed);
            }
        }
        m
    }

    /// The media as a test sees it.
    pub(crate) fn stored(&self, msg_id: &str) -> StoredMedia {
        StoredMedia {
            msg_id: msg_id.to_string(),
            kind: self.kind,
            bytes: self.full.all().to_vec(),
            thumbnail: self.thumb.as_ref().map(|t| t.all().to_vec()),
            file_name: self.file_name.clone(),
            media_id: self.media_id.clone(),
            md5: self.md5.clone(),
        }
    }
}

/// A `MediaId` made from `seed`: `@crypt_`, 8 hex digits, `_`, 160 hex digits.
fn media_id(seed: u64) -> String {
    format!("@crypt_{}_{}", hex(seed, 7, 8), hex(seed, 8, 160))
}

fn clamp_size(asked: Option<usize>, default: usize) -> usize {
    asked.unwrap_or(default).min(MAX_MEDIA_BYTES)
}

/// The extension of a file name (after its last dot), or "".
pub(crate) fn extension(name: &str) -> &str {
    name.rsplit_once('.').map_or("", |(_, e)| e)
}

/// Bits written most significant first, as JPEG's entropy-coded data wants them (a 0xFF byte is
/// followed by a stuffed 0x00).
struct Bits {
    out: Vec<u8>,
    acc: u32,
    n: u32,
}

impl Bits {
    fn put(&mut self, value: u32, len: u32) {
        self.acc = (self.acc << len) | (value & ((1 << len) - 1));
        self.n += len;
        while self.n >= 8 {
            let byte = (self.acc >> (self.n - 8)) as u8;
            self.out.push(byte);
            if byte == 0xFF {
                self.out.push(0);
            }
            self.n -= 8;
        }
        self.acc &= (1 << self.n) - 1;
    }

    /// Pads the last byte with 1 bits.
    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            let pad = 8 - self.n;
            self.put((1 << pad) - 1, pad);
        }
        self.out
    }
}

/// JPEG's magnitude category of `v` and its bits.
fn category(v: i32) -> (u32, u32) {
    let size = 32 - v.unsigned_abs().leading_zeros();
    let bits = if v >= 0 { v } else { v + (1 << size) - 1 };
    (size, bits as u32)
}

/// The DC table's symbols (magnitude categories 0..=11), each coded in 4 bits by its position.
const DC_SYMBOLS: [u8; 12] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
/// The AC table's symbols: end of block, run 0 with sizes 1..=10, and 16 zeros; 4 bits each.
const AC_SYMBOLS: [u8; 12] = [
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0xF0,
];

fn segment(out: &mut Vec<u8>, marker: u8, body: &[u8]) {
    out.extend([0xFF, marker]);
    out.extend(((body.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(body);
}

/// A baseline greyscale JPEG of `width`×`height` made from `seed`: a gradient of 8×8 blocks with
/// a little texture in each. Its Huffman tables are its own (every symbol in 4 bits), which any
/// decoder reads.
pub(crate) fn jpeg(width: u16, height: u16, seed: u64) -> Vec<u8> {
    let mut out = vec![0xFF, 0xD8];
    segment(&mut out, 0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
    let mut dqt = vec![0u8];
    dqt.extend([16u8; 64]);
    segment(&mut out, 0xDB, &dqt);
    let mut sof = vec![8];
    sof.extend(height.to_be_bytes());
    sof.extend(width.to_be_bytes());
    sof.extend([1, 1, 0x11, 0]);
    segment(&mut out, 0xC0, &sof);
    for (class, symbols) in [(0x00, &DC_SYMBOLS), (0x10, &AC_SYMBOLS)] {
        let mut dht = vec![class];
        let mut counts = [0u8; 16];
        counts[3] = symbols.len() as u8;
        dht.extend(counts);
        dht.extend_from_slice(symbols);
        segment(&mut out, 0xC4, &dht);
    }
    segment(&mut out, 0xDA, &[1, 1, 0x00, 0, 63, 0]);
    let (bw, bh) = (u32::from(width).div_ceil(8), u32::from(height).div_ceil(8));
    let tint = (seed % 64) as u32;
    let mut bits = Bits {
        out: Vec::new(),
        acc: 0,
        n: 0,
    };
    let mut previous = 0i32;
    for by in 0..bh {
        for bx in 0..bw {
            // The block's mean level (0..=255) and its quantised DC coefficient, (level-128)/2.
            let level = 30 + bx * 150 / bw.max(1) + by * 60 / bh.max(1) + tint;
            let dc = (level.min(255) as i32 - 128) / 2;
            let (size, value) = category(dc - previous);
            previous = dc;
            bits.put(size, 4);
            bits.put(value, size);
            let noise = mix(seed, u64::from(by * bw + bx));
            for k in 0..3 {
                let v = ((noise >> (8 * k)) % 15) as i32 - 7;
                let v = if v == 0 { 1 } else { v };
                let (size, value) = category(v);
                bits.put(size, 4);
                bits.put(value, size);
            }
            bits.put(0, 4);
        }
    }
    out.extend(bits.finish());
    out.extend([0xFF, 0xD9]);
    out
}

/// A GIF89a of `side`×`side` made from `seed`: a 256-colour palette and a pattern of squares.
/// The LZW data uses 9-bit codes only (a clear code every 250 pixels keeps the table small).
pub(crate) fn gif(side: u16, seed: u64) -> Vec<u8> {
    let mut out = b"GIF89a".to_vec();
    out.extend(side.to_le_bytes());
    out.extend(side.to_le_bytes());
    out.extend([0xF7, 0, 0]);
    for i in 0..256u64 {
        let c = mix(seed, i).to_le_bytes();
        out.extend(c.get(..3).unwrap_or_default());
    }
    out.push(0x2C);
    out.extend([0, 0, 0, 0]);
    out.extend(side.to_le_bytes());
    out.extend(side.to_le_bytes());
    out.push(0);
    out.push(8);
    const CLEAR: u32 = 256;
    const END: u32 = 257;
    let mut data = Vec::new();
    let (mut acc, mut n) = (0u32, 0u32);
    let mut code = |c: u32, data: &mut Vec<u8>| {
        acc |= c << n;
        n += 9;
        while n >= 8 {
            data.push(acc as u8);
            acc >>= 8;
            n -= 8;
        }
    };
    code(CLEAR, &mut data);
    let side = u32::from(side);
    for i in 0..side * side {
        if i > 0 && i % 250 == 0 {
            code(CLEAR, &mut data);
        }
        let (x, y) = (i % side, i / side);
        code((x / 8 + y / 8 * 7 + (seed % 16) as u32) % 256, &mut data);
    }
    code(END, &mut data);
    if n > 0 {
        data.push(acc as u8);
    }
    for chunk in data.chunks(255) {
        out.push(chunk.len() as u8);
        out.extend_from_slice(chunk);
    }
    out.push(0);
    out.push(0x3B);
    out
}

/// Bytes per MP3 frame: MPEG-2 layer III, 8 kbit/s, 16 kHz, mono (72 000 × 8 / 16 000).
const MP3_FRAME: usize = 36;
/// Milliseconds per frame (576 samples at 16 kHz).
pub(crate) const MP3_FRAME_MS: u64 = 36;

/// An MP3 of `ms` milliseconds (rounded up to whole 36 ms frames) made from `seed`: silent
/// frames (zero side information) whose ancillary bytes are seeded.
pub(crate) fn mp3(ms: u64, seed: u64) -> Vec<u8> {
    let frames = ms.div_ceil(MP3_FRAME_MS) as usize;
    let mut out = Vec::with_capacity(frames * MP3_FRAME);
    for f in 0..frames {
        out.extend([0xFF, 0xF3, 0x18, 0xC4]);
        out.extend([0u8; 9]);
        for k in 0..(MP3_FRAME - 13) {
            out.push((mix(seed, (f * MP3_FRAME + k) as u64) >> 7) as u8);
        }
    }
    out
}

/// The length of [`mp4_head`]: `ftyp` (32), `moov` with `mvhd` (116), `mdat`'s header (8).
const MP4_HEAD: usize = 156;

/// The start of an MP4 of `len` bytes lasting `seconds`: `ftyp`, a `moov` holding only `mvhd`
/// (timescale 1000, the duration), and the header of the `mdat` box that fills the rest.
pub(crate) fn mp4_head(len: usize, seconds: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(MP4_HEAD);
    out.extend(32u32.to_be_bytes());
    out.extend(b"ftypisom");
    out.extend(0x200u32.to_be_bytes());
    out.extend(b"isomiso2avc1mp41");
    out.extend(116u32.to_be_bytes());
    out.extend(b"moov");
    out.extend(108u32.to_be_bytes());
    out.extend(b"mvhd");
    out.extend([0u8; 12]); // version, flags, creation and modification times
    out.extend(1000u32.to_be_bytes());
    out.extend(
        u32::try_from(seconds * 1000)
            .unwrap_or(u32::MAX)
            .to_be_bytes(),
    );
    out.extend(0x0001_0000u32.to_be_bytes()); // rate 1.0
    out.extend(0x0100u16.to_be_bytes()); // volume 1.0
    out.extend([0u8; 10]);
    for v in [0x0001_0000u32, 0, 0, 0, 0x0001_0000, 0, 0, 0, 0x4000_0000] {
        out.extend(v.to_be_bytes());
    }
    out.extend([0u8; 24]);
    out.extend(2u32.to_be_bytes()); // next track id
    let mdat = u32::try_from(len.saturating_sub(MP4_HEAD - 8)).unwrap_or(u32::MAX);
    out.extend(mdat.to_be_bytes());
    out.extend(b"mdat");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads back a JPEG made by [`jpeg`]: its size from SOF0, and its entropy-coded blocks with
    /// its own tables (every block must decode, and the data must end at EOI).
    fn read_jpeg(data: &[u8]) -> (u16, u16, usize) {
        let sof = data.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        let h = u16::from_be_bytes([data[sof + 5], data[sof + 6]]);
        let w = u16::from_be_bytes([data[sof + 7], data[sof + 8]]);
        let sos = data.windows(2).position(|w| w == [0xFF, 0xDA]).unwrap();
        let start = sos + 2 + 8;
        let end = data.len() - 2;
        assert_eq!(&data[end..], [0xFF, 0xD9]);
        let mut stream = vec![];
        let mut i = start;
        while i < end {
            stream.push(data[i]);
            if data[i] == 0xFF {
                assert_eq!(data[i + 1], 0, "a stuffed 0xFF");
                i += 1;
            }
            i += 1;
        }
        let bit = |p: usize| (stream[p / 8] >> (7 - p % 8)) & 1;
        let read = |p: &mut usize, n: usize| {
            let mut v = 0u32;
            for _ in 0..n {
                v = v << 1 | u32::from(bit(*p));
                *p += 1;
            }
            v
        };
        let mut p = 0;
        let mut blocks = 0;
        let total = usize::from(w).div_ceil(8) * usize::from(h).div_ceil(8);
        while blocks < total {
            let dc = read(&mut p, 4) as usize;
            assert!(dc < DC_SYMBOLS.len());
            read(&mut p, DC_SYMBOLS[dc] as usize);
            let mut k = 1;
            loop {
                let s = AC_SYMBOLS[read(&mut p, 4) as usize];
                if s == 0 {
                    break;
                }
                read(&mut p, usize::from(s & 15));
                k += 1 + usize::from(s >> 4);
                assert!(k <= 64);
            }
            blocks += 1;
        }
        assert!(stream.len() * 8 - p < 8, "nothing after the last block");
        (w, h, blocks)
    }

    #[test]
    fn images_are_jpegs_of_their_size_and_differ_from_their_thumbnails() {
        for seed in 0..6 {
            let m = Media::make(&Spec::of(MediaKind::Image), seed, "@a");
            let full = m.full.all();
            let thumb = m.thumb.as_ref().unwrap().all();
            assert!(full.starts_with(&[0xFF, 0xD8, 0xFF, 0xE0]));
            let (tw, th, _) = read_jpeg(&thumb);
            assert_eq!((u32::from(tw), u32::from(th)), (m.width, m.height));
            let (fw, fh, _) = read_jpeg(&full);
            assert!(fw > tw && fh > th);
            assert!(full.len() > 2_000 && full.len() < 20_000, "{}", full.len());
            assert_ne!(full, thumb);
        }
        let a = Media::make(&Spec::of(MediaKind::Image), 1, "@a").full.all();
        assert_eq!(
            a,
            Media::make(&Spec::of(MediaKind::Image), 1, "@a").full.all()
        );
        assert_ne!(
            a,
            Media::make(&Spec::of(MediaKind::Image), 4, "@a").full.all()
        );
    }

    #[test]
    fn gif_lzw_codes_stay_nine_bits() {
        let g = gif(48, 3);
        assert!(g.starts_with(b"GIF89a"));
        assert_eq!(u16::from_le_bytes([g[6], g[7]]), 48);
        assert_eq!(g.last(), Some(&0x3B));
        // Unpack the sub-blocks and the codes: clear first, end last, a clear every 250 pixels.
        let mut i = 13 + 768 + 10;
        assert_eq!(g[i], 8);
        i += 1;
        let mut data = vec![];
        while g[i] != 0 {
            let n = usize::from(g[i]);
            data.extend_from_slice(&g[i + 1..i + 1 + n]);
            i += 1 + n;
        }
        let codes: Vec<u32> = (0..data.len() * 8 / 9)
            .map(|c| {
                (0..9).fold(0, |v, b| {
                    let p = c * 9 + b;
                    v | (u32::from(data[p / 8] >> (p % 8)) & 1) << b
                })
            })
            .collect();
        let pixels = codes.iter().filter(|c| **c < 256).count();
        assert_eq!(codes[0], 256);
        assert_eq!(pixels, 48 * 48);
        assert_eq!(codes.iter().position(|c| *c == 257), Some(codes.len() - 1));
    }

    #[test]
    fn voices_videos_and_files_are_shaped_like_theirs() {
        let v = Media::make(&Spec::of(MediaKind::Voice), 9, "@a");
        let mp3 = v.full.all();
        assert_eq!(&mp3[..4], [0xFF, 0xF3, 0x18, 0xC4]);
        assert_eq!(
            mp3.len() as u64 / 36 * MP3_FRAME_MS,
            v.voice_ms.div_ceil(36) * 36
        );
        assert!(mp3.chunks(36).all(|f| f.starts_with(&[0xFF, 0xF3])));

        let video = Media::make(&Spec::of(MediaKind::Video), 9, "@a");
        assert!(video.full.len() > 1024 * 1024);
        let head = video.full.slice(0, 200);
        assert_eq!(&head[4..8], b"ftyp");
        assert_eq!(&head[36..40], b"moov");
        let duration = u32::from_be_bytes([head[64], head[65], head[66], head[67]]);
        assert_eq!(u64::from(duration), video.play_length * 1000);
        let mdat = u32::from_be_bytes([head[148], head[149], head[150], head[151]]) as usize;
        assert_eq!(&head[152..156], b"mdat");
        assert_eq!(148 + mdat, video.full.len());
        let all = video.full.all();
        assert_eq!(all.len(), video.full.len());
        assert_eq!(video.full.slice(1000, 1010), all.slice(1000..1010));

        let spec = Spec {
            kind: MediaKind::File,
            size: Some(3 * 1024 * 1024 + 5),
            file_name: Some("数据 备份.zip".into()),
        };
        let f = Media::make(&spec, 9, "@a");
        assert_eq!(f.full.len(), 3 * 1024 * 1024 + 5);
        assert!(f.full.all().starts_with(b"PK\x03\x04"));
        assert_eq!(
            f.encry_file_name,
            "%E6%95%B0%E6%8D%AE%20%E5%A4%87%E4%BB%BD.zip"
        );
        assert!(f.media_id.starts_with("@crypt_"));
        let sticker = Media::make(&Spec::of(MediaKind::Sticker), 9, "@a");
        assert!(sticker.full.all().starts_with(b"GIF89a"));
    }
}
