//! Sending a file: the official client's upload (`chatSenderController` with WebUploader), one
//! file at a time in the send lane.
//!
//! ```text
//!  send_file ──► queued ──► (md5 not given) Hashing: ask chunk, hash, ask next …
//!                                │
//!                                ▼
//!                size > 25 MiB ? CheckUpload ──(server has it: MediaId)──────────┐
//!                                │                                               │
//!                                ▼                                               ▼
//!                 Uploading: ask chunk n ──► webwxuploadmedia chunk n ──► … ──► Sending
//!                            (a failed chunk is retried with its own bytes)   (webwxsendmsgimg,
//!                                                                              …videomsg,
//!                                                                              …emoticon,
//!                                                                              …appmsg)
//! ```
//!
//! The client holds at most one chunk ([`CHUNK_SIZE`] bytes) of a file: the bytes come from the
//! application when asked ([`ChunkRequest`]), the MD5 is computed as they go by, and the chunk in
//! flight is kept for its retries. Requests follow `webwxApp.js` and WebUploader 0.1.5 (see
//! `core/PROTOCOL.md`, "Uploads").

use super::calls::{Exchange, Stamp};
use super::commands::PendingSend;
use super::forward::Forward;
use super::{Client, Fault};
use crate::credentials::BaseRequest;
use crate::model::{CheckUploadAnswer, UploadAnswer};
use crate::multipart::{FilePart, Form};
use crate::request::ApiRequest;
use crate::upload::{self, CHECK_UPLOAD_ABOVE, CHUNK_SIZE, ChunkRequest, FileInfo, SendKind};
use crate::{Endpoint, Error, Event, MAX_VIDEO_BYTES, Secret, SendHandle, Timestamp, UsageError};
use bytes::Bytes;
use md5::{Digest, Md5};

/// What a queued file send carries until its upload starts.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct UploadJob {
    pub(crate) file: FileInfo,
    /// WebUploader's `WU_FILE_<n>`: given when the file is picked.
    pub(crate) id: String,
}

/// The file being uploaded (the send lane's item in flight).
#[derive(Debug)]
pub(super) struct UploadRun {
    send: PendingSend,
    file: FileInfo,
    id: String,
    /// When the upload started: the file's `lastModifiedDate` when none was given.
    started_at: Timestamp,
    /// The lane's time for the send: the final message does not go out before it.
    not_before: Timestamp,
    phase: Phase,
    /// The bytes asked for and not yet given.
    asked: Option<ChunkRequest>,
    /// Asked for, not yet taken by [`Client::poll_chunk_request`].
    unpolled: bool,
    md5: Option<[u8; 16]>,
    /// Set when the chunks start: the DeviceID and `ClientMediaId` of every chunk's
    /// `uploadmediarequest` (the official client builds that object once per file).
    device_id: String,
    client_media_id: u64,
    /// `AESKey` and `Signature` from `webwxcheckupload`.
    checked: Option<(Secret<String>, Secret<String>)>,
}

#[derive(Debug)]
enum Phase {
    /// Reading the file for its MD5.
    Hashing { hasher: Box<Md5>, offset: u64 },
    /// `webwxcheckupload` in flight.
    Checking,
    /// Uploading chunk `n`.
    Uploading { chunk: u32 },
}

impl UploadRun {
    fn chunks(&self) -> u32 {
        u32::try_from(self.file.size.div_ceil(CHUNK_SIZE as u64)).unwrap_or(u32::MAX)
    }

    /// The bytes of `chunk`: where they start and how many.
    fn chunk_span(&self, chunk: u32) -> (u64, usize) {
        let start = u64::from(chunk) * CHUNK_SIZE as u64;
        let len = self.file.size.saturating_sub(start).min(CHUNK_SIZE as u64);
        (start, usize::try_from(len).unwrap_or(CHUNK_SIZE))
    }
}

/// `uploadmediarequest`, in the official key order.
#[derive(serde::Serialize)]
struct UploadMediaRequest<'a> {
    #[serde(rename = "UploadType")]
    upload_type: u32,
    #[serde(rename = "BaseRequest")]
    base_request: BaseRequest<'a>,
    #[serde(rename = "ClientMediaId")]
    client_media_id: u64,
    #[serde(rename = "TotalLen")]
    total_len: u64,
    #[serde(rename = "StartPos")]
    start_pos: u64,
    #[serde(rename = "DataLen")]
    data_len: u64,
    #[serde(rename = "MediaType")]
    media_type: u32,
    #[serde(rename = "FromUserName")]
    from: &'a str,
    #[serde(rename = "ToUserName")]
    to: &'a str,
    #[serde(rename = "FileMd5")]
    file_md5: String,
    #[serde(rename = "AESKey", skip_serializing_if = "Option::is_none")]
    aes_key: Option<&'a str>,
    #[serde(rename = "Signature", skip_serializing_if = "Option::is_none")]
    signature: Option<&'a str>,
}

/// `webwxuploadmedia?f=json`: chunk `chunk` of the file of `handle`, with its bytes (kept for
/// retries).
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct UploadChunkCall {
    handle: SendHandle,
    chunk: u32,
    data: Bytes,
}

impl std::fmt::Debug for UploadChunkCall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UploadChunkCall")
            .field("handle", &self.handle)
            .field("chunk", &self.chunk)
            .field("bytes", &self.data.len())
            .finish()
    }
}

impl UploadChunkCall {
    pub(super) fn send_handle(&self) -> SendHandle {
        self.handle
    }
}

impl Exchange for UploadChunkCall {
    const ENDPOINT: Endpoint = Endpoint::UploadMedia;
    type Answer = UploadAnswer;

    fn request(&self, client: &Client, at: &Stamp) -> Option<ApiRequest> {
        let (run, creds, me) = client.upload_context(self.handle)?;
        let file = &run.file;
        let kind = file.kind();
        let request = UploadMediaRequest {
            upload_type: 2,
            base_request: creds.base_request(&run.device_id),
            client_media_id: run.client_media_id,
            total_len: file.size,
            start_pos: 0,
            data_len: file.size,
            media_type: 4,
            from: me,
            to: &run.send.to,
            file_md5: upload::hex(&run.md5?),
            aes_key: run.checked.as_ref().map(|(k, _)| k.expose().as_str()),
            signature: run.checked.as_ref().map(|(_, s)| s.expose().as_str()),
        };
        let modified = file.modified.unwrap_or(run.started_at);
        let chunks = run.chunks();
        let mut fields: Vec<(&'static str, String)> = vec![
            ("id", run.id.clone()),
            ("name", file.name.clone()),
            ("type", upload::mime_type(&file.name).to_string()),
            (
                "lastModifiedDate",
                modified.js_date_text(&client.config.lang),
            ),
            ("size", file.size.to_string()),
        ];
        if chunks > 1 {
            fields.push(("chunks", chunks.to_string()));
            fields.push(("chunk", self.chunk.to_string()));
        }
        // The form carries the pass_ticket decoded (`decodeURIComponent(getPassticket())`).
        let pass_ticket =
            percent_encoding::percent_decode_str(creds.pass_ticket.expose()).decode_utf8_lossy();
        fields.extend([
            ("mediatype", kind.media_type().to_string()),
            (
                "uploadmediarequest",
                serde_json::to_string(&request).unwrap_or_default(),
            ),
            (
                "webwx_data_ticket",
                client.data_ticket().unwrap_or_default(),
            ),
            ("pass_ticket", pass_ticket.into_owned()),
        ]);
        // A whole file keeps its type; a slice of one (`Blob.slice` with no type) is
        // `application/octet-stream`.
        let content_type = if chunks > 1 {
            "application/octet-stream"
        } else {
            upload::mime_type(&file.name)
        };
        let form = Form {
            boundary: crate::multipart::boundary(at.boundary?),
            fields,
            file: FilePart {
                field: "filename",
                file_name: file.name.clone(),
                content_type: content_type.to_string(),
                data: self.data.clone(),
            },
        };
        Some(
            ApiRequest::new(Self::ENDPOINT)
                .raw("f", "json")
                .multipart(form),
        )
    }

    fn handle(
        &self,
        client: &mut Client,
        answer: UploadAnswer,
        _sent_at: Timestamp,
        now: Timestamp,
    ) -> Result<(), Fault> {
        let Some(run) = client
            .upload
            .as_mut()
            .filter(|r| r.send.handle == self.handle)
        else {
            return Ok(());
        };
        let last = self.chunk + 1 >= run.chunks();
        let (start, len) = run.chunk_span(self.chunk);
        let (handle, total) = (run.send.handle, run.file.size);
        client.events.push(Event::UploadProgress {
            handle,
            sent: start + len as u64,
            total,
        });
        if !last {
            client.ask_chunk(self.chunk + 1);
            return Ok(());
        }
        if answer.media_id.is_empty() {
            // The server did not take the chunks as one file (ItChat #538): sending them again
            // would not change that.
            client.fail_upload(
                self.handle,
                Some(self.chunk),
                "the server answered the last chunk without a MediaId".to_string(),
                now,
            );
            return Ok(());
        }
        client.upload_done(answer.media_id, now);
        Ok(())
    }

    /// Retried while its file is still the one being uploaded.
    fn failed(self, client: &mut Client, failure: crate::Failure, attempt: u32, now: Timestamp) {
        if client.uploading(self.handle) {
            client.retry(self.into(), attempt, failure, now);
        }
    }

    fn give_up(self, client: &mut Client, error: Error, now: Timestamp) {
        client.fail_upload(self.handle, Some(self.chunk), error.to_string(), now);
    }
}

/// `webwxcheckupload`'s body, in the official order (`BaseRequest` last: `angular.extend(u,
/// getBaseRequest())`).
#[derive(serde::Serialize)]
struct CheckUploadBody<'a> {
    #[serde(rename = "FromUserName")]
    from: &'a str,
    #[serde(rename = "ToUserName")]
    to: &'a str,
    #[serde(rename = "FileSize")]
    file_size: u64,
    #[serde(rename = "FileMd5")]
    file_md5: String,
    #[serde(rename = "FileName")]
    file_name: &'a str,
    #[serde(rename = "FileType")]
    file_type: u32,
    #[serde(rename = "BaseRequest")]
    base_request: BaseRequest<'a>,
}

/// `webwxcheckupload`: a file over 25 MiB is announced first.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct CheckUploadCall {
    handle: SendHandle,
}

impl CheckUploadCall {
    pub(super) fn send_handle(&self) -> SendHandle {
        self.handle
    }
}

impl Exchange for CheckUploadCall {
    const ENDPOINT: Endpoint = Endpoint::CheckUpload;
    type Answer = CheckUploadAnswer;

    fn request(&self, client: &Client, at: &Stamp) -> Option<ApiRequest> {
        let (run, creds, me) = client.upload_context(self.handle)?;
        Some(ApiRequest::new(Self::ENDPOINT).json(&CheckUploadBody {
            from: me,
            to: &run.send.to,
            file_size: run.file.size,
            file_md5: upload::hex(&run.md5?),
            file_name: &run.file.name,
            file_type: 7,
            base_request: creds.base_request(&at.device_id),
        }))
    }

    fn handle(
        &self,
        client: &mut Client,
        answer: CheckUploadAnswer,
        _sent_at: Timestamp,
        now: Timestamp,
    ) -> Result<(), Fault> {
        let Some(run) = client
            .upload
            .as_mut()
            .filter(|r| r.send.handle == self.handle)
        else {
            return Ok(());
        };
        run.checked = Some((answer.aes_key, answer.signature));
        if answer.media_id.is_empty() {
            client.start_chunks(now);
        } else {
            // The server has the file already: no upload.
            let (handle, total) = (run.send.handle, run.file.size);
            client.events.push(Event::UploadProgress {
                handle,
                sent: total,
                total,
            });
            client.upload_done(answer.media_id, now);
        }
        Ok(())
    }

    /// Retried while its file is still the one being uploaded.
    fn failed(self, client: &mut Client, failure: crate::Failure, attempt: u32, now: Timestamp) {
        if client.uploading(self.handle) {
            client.retry(self.into(), attempt, failure, now);
        }
    }

    fn give_up(self, client: &mut Client, error: Error, now: Timestamp) {
        client.fail_upload(self.handle, None, error.to_string(), now);
    }
}

/// The file card's `Content` (postAppMessage): the name and extension as they are (the official
/// client escapes neither), `undefined` for a name without an extension.
fn app_msg_content(file: &FileInfo, media_id: &str) -> String {
    format!(
        "<appmsg appid='wxeb7ec651dd0aefa9' sdkver=''><title>{}</title><des></des><action></action>\
         <type>6</type><content></content><url></url><lowurl></lowurl><appattach><totallen>{}\
         </totallen><attachid>{}</attachid><fileext>{}</fileext></appattach><extinfo></extinfo>\
         </appmsg>",
        file.name,
        file.size,
        media_id,
        upload::extension(&file.name).unwrap_or("undefined")
    )
}

impl Client {
    /// Queues the file `file` to `to` (a user name, a group's `@@…`, or `filehelper`), sent as
    /// the official client sends a file of its name ([`SendKind::of_name`]): an image, a video
    /// (an mp4 under 20 MiB), a sticker (a gif) or a file card.
    ///
    /// The bytes are asked for when the file's turn comes, a chunk at a time, through
    /// [`poll_chunk_request`](Client::poll_chunk_request); answer with
    /// [`handle_chunk`](Client::handle_chunk). The upload goes through the same paced, ordered
    /// lane as texts; [`Event::UploadProgress`] follows it, and the outcome arrives as
    /// [`Event::Sent`] or [`Event::SendFailed`] (with [`Error::Upload`] naming the file, the
    /// chunk and the reason). A chunk that fails is retried with backoff from that chunk.
    ///
    /// Refused like the official client refuses: an empty file, an mp4 of
    /// [`MAX_VIDEO_BYTES`] or more. A file still queued when the session is saved is not part of
    /// the saved session (its bytes are the application's).
    pub fn send_file(
        &mut self,
        to: &str,
        file: FileInfo,
        now: Timestamp,
    ) -> Result<SendHandle, UsageError> {
        self.observe(now);
        self.check_can_send(to)?;
        if file.name.is_empty() {
            return Err(UsageError::InvalidMessage("a file without a name"));
        }
        if file.size == 0 {
            return Err(UsageError::InvalidMessage(
                "an empty file (the official client does not send one)",
            ));
        }
        if file.kind() == SendKind::Video && file.size >= MAX_VIDEO_BYTES {
            return Err(UsageError::InvalidMessage(
                "an mp4 of 20 MiB or more (the official client refuses to send it)",
            ));
        }
        if let Some(local_id) = &file.local_id {
            super::commands::check_local_id(local_id)?;
        }
        let id = format!("WU_FILE_{}", self.page.files);
        self.page.files += 1;
        let local_id = file.local_id.clone();
        let job = UploadJob { file, id };
        Ok(self.queue_send(
            to,
            super::commands::Outgoing {
                upload: Some(Box::new(job)),
                local_id,
                ..Default::default()
            },
            now,
        ))
    }

    /// The bytes the client needs next, if any: read them from the file of
    /// [`ChunkRequest::handle`] and answer with [`handle_chunk`](Client::handle_chunk). At most
    /// one request is outstanding at a time.
    pub fn poll_chunk_request(&mut self) -> Option<ChunkRequest> {
        let run = self.upload.as_mut().filter(|r| r.unpolled)?;
        run.unpolled = false;
        run.asked
    }

    /// The bytes a [`ChunkRequest`] asked for: exactly `len` bytes from `offset`. Fewer (the
    /// file shrank) fail the send. Errors when no such request is outstanding (the send ended
    /// meanwhile, or the offset is not the one asked for).
    pub fn handle_chunk(
        &mut self,
        handle: SendHandle,
        offset: u64,
        data: Bytes,
        now: Timestamp,
    ) -> Result<(), UsageError> {
        self.observe(now);
        let Some(run) = self.upload.as_mut().filter(|r| r.send.handle == handle) else {
            return Err(UsageError::Unavailable(
                "no upload of this send is under way",
            ));
        };
        let Some(asked) = run.asked.filter(|a| a.offset == offset) else {
            return Err(UsageError::Unavailable("these bytes were not asked for"));
        };
        if data.len() != asked.len {
            let chunk = match run.phase {
                Phase::Uploading { chunk } => Some(chunk),
                _ => None,
            };
            let reason = format!(
                "read {} bytes at offset {offset} where {} were expected: the file is not {} bytes long",
                data.len(),
                asked.len,
                run.file.size
            );
            self.fail_upload(handle, chunk, reason, now);
            return Ok(());
        }
        run.asked = None;
        run.unpolled = false;
        match &mut run.phase {
            Phase::Hashing { hasher, offset } => {
                hasher.update(&data);
                *offset += data.len() as u64;
                if *offset < run.file.size {
                    let len = (run.file.size - *offset).min(CHUNK_SIZE as u64);
                    run.asked = Some(ChunkRequest {
                        handle,
                        offset: *offset,
                        len: usize::try_from(len).unwrap_or(CHUNK_SIZE),
                    });
                    run.unpolled = true;
                } else {
                    let hasher = std::mem::replace(hasher, Box::new(Md5::new()));
                    run.md5 = Some(hasher.finalize().into());
                    self.hashed(now);
                }
            }
            Phase::Uploading { chunk } => {
                let chunk = *chunk;
                self.issue(
                    UploadChunkCall {
                        handle,
                        chunk,
                        data,
                    },
                    0,
                    now,
                );
            }
            Phase::Checking => {}
        }
        Ok(())
    }

    /// The bytes of a [`ChunkRequest`] cannot be read: the send fails with [`Error::Upload`]
    /// and `reason`.
    pub fn handle_chunk_error(&mut self, handle: SendHandle, reason: &str, now: Timestamp) {
        self.observe(now);
        if let Some(run) = self.upload.as_ref().filter(|r| r.send.handle == handle) {
            let chunk = match run.phase {
                Phase::Uploading { chunk } => Some(chunk),
                _ => None,
            };
            self.fail_upload(handle, chunk, format!("reading the file: {reason}"), now);
        }
    }

    /// The lane's next item is a file: its upload starts (the MD5 first, unless given).
    pub(super) fn start_upload(&mut self, mut send: PendingSend, at: Timestamp, now: Timestamp) {
        let Some(job) = send.upload.take() else {
            return;
        };
        let UploadJob { file, id } = *job;
        let handle = send.handle;
        let md5 = file.md5;
        let first = file.size.min(CHUNK_SIZE as u64);
        self.upload = Some(Box::new(UploadRun {
            send,
            id,
            started_at: now,
            not_before: at,
            phase: Phase::Hashing {
                hasher: Box::new(Md5::new()),
                offset: 0,
            },
            asked: None,
            unpolled: false,
            md5,
            device_id: String::new(),
            client_media_id: 0,
            checked: None,
            file,
        }));
        if md5.is_some() {
            self.hashed(now);
        } else if let Some(run) = self.upload.as_mut() {
            run.asked = Some(ChunkRequest {
                handle,
                offset: 0,
                len: usize::try_from(first).unwrap_or(CHUNK_SIZE),
            });
            run.unpolled = true;
        }
    }

    /// The MD5 is known: check the upload first (over 25 MiB), or start the chunks.
    fn hashed(&mut self, now: Timestamp) {
        let Some(run) = self.upload.as_mut() else {
            return;
        };
        if run.file.size > CHECK_UPLOAD_ABOVE {
            run.phase = Phase::Checking;
            let handle = run.send.handle;
            self.issue(CheckUploadCall { handle }, 0, now);
        } else {
            self.start_chunks(now);
        }
    }

    /// The chunks start: the `uploadmediarequest` is fixed (a fresh DeviceID, `ClientMediaId`
    /// the time now), chunk 0 is asked for.
    fn start_chunks(&mut self, now: Timestamp) {
        let device_id = self.rng.device_id();
        let Some(run) = self.upload.as_mut() else {
            return;
        };
        run.device_id = device_id;
        run.client_media_id = now.as_unix_millis();
        self.ask_chunk(0);
    }

    /// Asks for the bytes of `chunk`.
    fn ask_chunk(&mut self, chunk: u32) {
        let Some(run) = self.upload.as_mut() else {
            return;
        };
        let (offset, len) = run.chunk_span(chunk);
        run.phase = Phase::Uploading { chunk };
        run.asked = Some(ChunkRequest {
            handle: run.send.handle,
            offset,
            len,
        });
        run.unpolled = true;
    }

    /// The server has the file as `media_id`: the message goes out (paced like any send).
    fn upload_done(&mut self, media_id: String, now: Timestamp) {
        let Some(run) = self.upload.take() else {
            return;
        };
        let UploadRun {
            mut send,
            file,
            checked,
            not_before,
            ..
        } = *run;
        send.forward = Some(match file.kind() {
            SendKind::Image => Forward::Image {
                media_id,
                content: String::new(),
            },
            SendKind::Video => Forward::Video {
                msg_type: 43,
                media_id,
                content: String::new(),
            },
            SendKind::Sticker => Forward::Sticker {
                md5: String::new(),
                media_id,
                emoji_flag: 2,
            },
            SendKind::File => Forward::File {
                app_type: 6,
                content: app_msg_content(&file, &media_id),
                signature: checked.map(|(_, signature)| signature),
            },
        });
        self.issue_at(super::commands::SendCall(send), not_before.max(now), now);
    }

    /// Stops sending the file of `handle`, queued or uploading: it fails with
    /// [`Error::Upload`] ("cancelled"). `false` when it is neither (already sent or failed, or
    /// not a file); a file whose upload is done and whose message is being sent goes on.
    pub fn cancel_file(&mut self, handle: SendHandle, now: Timestamp) -> bool {
        self.observe(now);
        if let Some(queued) = self
            .sends
            .remove(|s| s.handle == handle && s.upload.is_some())
        {
            let file = queued.upload.map(|j| j.file.name).unwrap_or_default();
            self.events.push(Event::SendFailed {
                handle,
                error: Error::Upload {
                    file,
                    chunk: None,
                    reason: "cancelled".to_string(),
                },
            });
            return true;
        }
        if !self.uploading(handle) {
            return false;
        }
        self.scheduler.forget(|c| c.upload_of() == Some(handle));
        let chunk = match self.upload.as_ref().map(|r| &r.phase) {
            Some(Phase::Uploading { chunk }) => Some(*chunk),
            _ => None,
        };
        self.fail_upload(handle, chunk, "cancelled".to_string(), now);
        true
    }

    /// Whether the send `handle` is queued or under way (a transport keeps a file's source
    /// open until it is not).
    pub fn is_send_pending(&self, handle: SendHandle) -> bool {
        self.upload
            .as_ref()
            .is_some_and(|r| r.send.handle == handle)
            || self.sends.waiting().any(|s| s.handle == handle)
            || self
                .scheduler
                .calls()
                .any(|c| c.as_send().is_some_and(|s| s.handle == handle))
    }

    /// What an upload request of `handle` is built from: the run, the credentials, the
    /// account's user name.
    fn upload_context(
        &self,
        handle: SendHandle,
    ) -> Option<(&UploadRun, &crate::credentials::Credentials, &str)> {
        let run = self.upload.as_ref().filter(|r| r.send.handle == handle)?;
        let creds = self.session.credentials.as_ref()?;
        let me = self.session.user.as_ref()?.user_name();
        Some((run, creds, me))
    }

    /// Whether the file of `handle` is the one being uploaded.
    fn uploading(&self, handle: SendHandle) -> bool {
        self.upload
            .as_ref()
            .is_some_and(|r| r.send.handle == handle)
    }

    /// The upload of `handle` failed: the send is reported failed, the lane goes on.
    pub(super) fn fail_upload(
        &mut self,
        handle: SendHandle,
        chunk: Option<u32>,
        reason: String,
        now: Timestamp,
    ) {
        if !self.uploading(handle) {
            return;
        }
        let Some(run) = self.upload.take() else {
            return;
        };
        tracing::info!(file = %run.file.name, ?chunk, %reason, "upload failed");
        self.events.push(Event::SendFailed {
            handle: run.send.handle,
            error: Error::Upload {
                file: run.file.name,
                chunk,
                reason,
            },
        });
        self.sends.done(now);
        self.pump_outbox(now);
    }

    /// The handle of the file being uploaded, dropped (the session is ending).
    pub(super) fn take_upload(&mut self) -> Option<SendHandle> {
        self.upload.take().map(|r| r.send.handle)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_card_is_the_official_template() {
        let file = FileInfo::new("Q3 report & notes.PDF", 1234);
        assert_eq!(
            app_msg_content(&file, "@crypt_1"),
            "<appmsg appid='wxeb7ec651dd0aefa9' sdkver=''><title>Q3 report & notes.PDF</title>\
             <des></des><action></action><type>6</type><content></content><url></url><lowurl>\
             </lowurl><appattach><totallen>1234</totallen><attachid>@crypt_1</attachid><fileext>PDF\
             </fileext></appattach><extinfo></extinfo></appmsg>"
        );
        let bare = FileInfo::new("Makefile", 1);
        assert!(app_msg_content(&bare, "x").contains("<fileext>undefined</fileext>"));
    }
}
