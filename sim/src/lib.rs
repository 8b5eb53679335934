//! # webwx-sim
//!
//! A faithful fake Web WeChat server on loopback, for tests, demos and embedders' own bot tests:
//! no phone, no internet. It speaks the real wire formats (JavaScript assignments, XML, JSON with
//! the server's field names, `Set-Cookie` for `wxuin`, `wxsid`, `webwx_data_ticket`, ...), checks
//! calls like the real server (BaseRequest, skey, sid, pass_ticket, cookies, SyncKey, the host of
//! each family), and has a scriptable phone, generated accounts and scheduled faults.
//!
//! It is an independent implementation: it does not depend on `webwx-core`, so a mistake in the
//! core's formats cannot hide behind the same mistake here. Its fidelity is checked by a real
//! client nobody here wrote (ItChat 1.3.10, run by CI: `sim/tests/itchat/`).
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use webwx_sim::{Scenario, Simulator};
//! let sim = Simulator::start(Scenario::default()).await?;
//! println!("point your client's login origin at {}", sim.base_url());
//! // ... log in; then talk to the account:
//! let account = sim.wait_for_session(std::time::Duration::from_secs(5)).await.expect("a login");
//! sim.inject_text(account.uin, None, "hello from the simulator");
//! # Ok(()) }
//! ```
//!
//! ## Deviations
//!
//! Where the real server tolerates a client that departs from the official web client (as
//! Chrome runs it: `webwxApp.js` on Angular 1 and jQuery), the simulator answers as the real
//! server would, and notes the departure in [`SessionInfo::deviations`]: at most 128 distinct
//! strings per session, each `"<rule>: <what was seen>"` naming the call and never carrying a
//! whole request. Departures before the session exists (jslogin, the login polls, the ticket)
//! are noted with the session the login makes. Tests of a client that means to behave like the
//! official client assert that this list stays empty; `sim/tests/official.rs` holds a client
//! that does, and `sim/tests/itchat/` the list ItChat 1.3.10 shows. The rules:
//!
//! - `ticket`: the ticket request carries `fun=new&version=v2` (without it: a 301, see below).
//! - `params`: each call's query parameter names in the official order (Angular's interceptor
//!   appends `lang` and `pass_ticket`, and sorts a GET's params: webwxgetcontact is
//!   `lang, pass_ticket, r, seq, skey`); `r` negative (`~ms`) on the login poll and webwxinit,
//!   positive on synccheck.
//! - `pass-ticket`: Angular calls carry the issued pass_ticket (already %-encoded) encoded again
//!   (`%2B` as `%252B`); `encoding`: skey raw (`@crypt_`) in webwxsync and webwxgetcontact, `%40`
//!   in synccheck and webwxlogout; synccheck's synckey joined with `%7C`.
//! - `headers`: `User-Agent`, `Accept-Language`, `Accept-Encoding: gzip, deflate, br`,
//!   `sec-ch-ua*` (matching a Chrome User-Agent), `Sec-Fetch-*`, `Accept` and `Referer` by kind
//!   of call (a script call, an Angular call, a jQuery JSON call, a form navigation), `Origin`
//!   and `Content-Type` on posts.
//! - `underscore`: jslogin, the login poll and synccheck end with jQuery's `_` counter, going up
//!   by one per call of the page (never synccheck's `r`); webwxpushloginurl has none.
//! - `device-id`: every BaseRequest and synccheck has a new `e` + 15 digits (a retry of the very
//!   same request aside).
//! - `uin`: webwxinit's `BaseRequest.Uin` is the ticket's string; later ones are numbers.
//! - `init-r`: webwxinit's `r` is `~(page-load ms)`, within 60 s of the jslogin's `_`.
//! - `local-id`: webwxsendmsg's `LocalID` and `ClientMsgId` are the same 17-digit string.
//! - `setup`: the first synccheck goes out with the contacts, before the first
//!   webwxbatchgetcontact; `contacts`: at most 17 webwxgetcontact requests; `statreport`: a
//!   webwxstatreport after each contact page (within a second of the next page's request),
//!   well-formed (BaseRequest without Skey, `Count` its list's length, `Text` JSON).
//! - `batch`: entries `{UserName, ChatRoomId: ""}` or `{UserName, EncryChatRoomId}` (empty for
//!   a group); at start-up only the groups of init's `ChatSet`, later those of messages.
//! - `hosts`: the login poll after a push login goes to the family's login host.
//! - `send`: the media sends (`/work/notes/media15.md` §4) have the query `fun=async&f=json`
//!   (`fun=sys` for webwxsendemoticon) before `lang` and `pass_ticket`; `Msg`'s keys in
//!   chatFactory's order (image and video `Type, MediaId, [Content], FromUserName, ToUserName,
//!   LocalID, ClientMsgId`; sticker `Type, [EmojiFlag], [EMoticonMd5], [MediaId], ...`; file
//!   `[Signature], Type, Content, ...`); `Msg.Type` 3, 43 or 62, 47, 6; `Scene` 0, or 2 for a
//!   forward; their `LocalID` as `local-id` says.
//! - `logout`: after synccheck answered 1100 the logout has `type=0`, after 1101 or 1102
//!   `type=1` ([`SessionInfo::logouts`]).
//! - `upload`, and `send` of an uploaded media: see [Uploads](#uploads); `checkupload`:
//!   webwxcheckupload's body.
//! - `send` of a text: webwxsendmsg's `Msg` keys `Type, Content, [MsgSource], FromUserName,
//!   ToUserName, LocalID, ClientMsgId`; `mention`, `revoke`, `verify`, `oplog`, `chatroom`,
//!   `search`: the account's operations, see [Operations](#operations).
//!
//! Media downloads (see [Media](#media)) are not `$http` calls: the page concatenates their URLs
//! and loads them with an element, which decides the headers.
//!
//! - `params`, `encoding`: webwxgetmsgimg is `?&MsgID=<id>&skey=<%40 skey>[&type=..]` (with the
//!   literal `?&`), webwxgetvoice `?msgid=<id>&skey=<raw skey>`, webwxgetvideo
//!   `?msgid=<id>&skey=<%40 skey>`, none with `lang` or `pass_ticket`; webwxgetmedia is
//!   `sender, mediaid, encryfilename, fromuser, pass_ticket, webwx_data_ticket` with the first four
//!   raw (`encryfilename` the message's `EncryFileName` as it is), `pass_ticket` encoded again
//!   (`pass-ticket`) and `webwx_data_ticket` the cookie's value through encodeURIComponent; an
//!   avatar is the `HeadImgUrl` as the server gave it (`seq, username, skey`, raw), or the page's
//!   own with `msgid`, `chatroomid` after, `&type=big` for a large one.
//! - `headers` by element: an `<img>` (msgimg, avatars: `Accept: image/avif,...`,
//!   `Sec-Fetch-Dest: image`, `Sec-Fetch-Mode: no-cors`), an `<audio>` or `<video>` (voice,
//!   video: `Accept: */*`, `Accept-Encoding: identity;q=1, *;q=0`, `Range: bytes=<start>-`,
//!   `Sec-Fetch-Dest: audio`/`video`), a link to the file host (files: an html `Accept`,
//!   `Sec-Fetch-Dest: document`, `Sec-Fetch-Mode: navigate`, `Sec-Fetch-User: ?1`,
//!   `Upgrade-Insecure-Requests: 1`; `Referer` the page's origin + `/` when the file host is
//!   another origin).
//! - `media`: webwxgetmsgimg's `type` by kind: `slave` or none for an image, `big` for a sticker,
//!   `slave` for a video's thumbnail.
//!
//! ## Families
//!
//! With [`Family::Loopback`] (the default) the login redirects to the simulator's own origin and
//! every call goes there. With another family the redirect names the real hosts
//! (`https://wx2.qq.com/...`): the client connects to the simulator anyway and the simulator
//! tells the calls apart by their `Host` header, answering 1101 (API) or 1102 (synccheck) to a
//! call on the wrong host of the family, as the real service does.
//!
//! Endpoints: `jslogin`, `qrcode/<uuid>` (a real PNG), the login long poll, `webwxnewloginpage`
//! (a 200 with `version=v2`; without it, like the real server, a 301 with the same XML body and
//! cookies and no `Location`),
//! `webwxinit`, `webwxstatusnotify`, `webwxgetcontact` (Seq paging), `webwxbatchgetcontact`,
//! `synccheck` (held until a message arrives or the hold time passes), `webwxsync`,
//! `webwxsendmsg`, the media sends `webwxsendmsgimg`, `webwxsendvideomsg`, `webwxsendemoticon`
//! and `webwxsendappmsg` (see [Sending media](#sending-media)), `webwxuploadmedia` (on the file
//! host, with its `OPTIONS` preflight) and `webwxcheckupload` (see [Uploads](#uploads)),
//! `webwxstatreport` (counted in
//! [`SessionInfo::stat_reports`]), `webwxlogout`, the operations `webwxrevokemsg`,
//! `webwxverifyuser`, `webwxoplog`, `webwxcreatechatroom`, `webwxupdatechatroom` and
//! `webwxsearchcontact` (see [Operations](#operations)),
//! `webwxpushloginurl`, the media endpoints `webwxgetmsgimg`, `webwxgetvoice`, `webwxgetvideo`,
//! `webwxgetmedia` (on the file host) and `webwxgeticon`/`webwxgetheadimg` (see [Media](#media));
//! the admin API under `/__sim/` (`GET state`, `GET sessions/<uin>/sent`,
//! `POST sessions/<uin>/messages`, `POST sessions/<uin>/media`,
//! `GET sessions/<uin>/media/<msgid>[?thumbnail]`, `GET sessions/<uin>/uploads`,
//! `GET sessions/<uin>/uploads/<MediaId>`, `POST sessions/<uin>/changes`,
//! `POST sessions/<uin>/end`, `GET sessions/<uin>/account`, `POST sessions/<uin>/friend_requests`,
//! `POST sessions/<uin>/recall`, `POST sessions/<uin>/articles`, `GET load`, `POST load`,
//! `GET hold/<ms>`).
//!
//! ## Media
//!
//! Every media message, scheduled or injected, refers to bytes the simulator stores for the
//! account (made from the scenario's seed: the same seed gives the same bytes; kept across the
//! account's sessions), and its fields describe those bytes:
//!
//! | kind ([`MediaKind`]) | `MsgType` | bytes | fields |
//! |---|---|---|---|
//! | image | 3 | a baseline greyscale JPEG (320×240, 240×320 or 400×300; a few KB) and a smaller JPEG thumbnail | `ImgWidth`/`ImgHeight` the thumbnail's size (the page lays the bubble out with them); `Content` `<img length cdnthumblength cdnthumbwidth cdnthumbheight>` |
//! | voice | 34 | an MP3 (MPEG-2 layer III, 8 kbit/s, 16 kHz mono: 36-byte frames of 36 ms) | `VoiceLength` in ms (the frames cover it, rounded up to 36 ms); `Content` `<voicemsg voicelength length>` |
//! | video | 43 | an MP4 of 1.0 to 1.4 MiB (`ftyp`, a `moov` with only an `mvhd` giving `PlayLength`, `mdat`) and a 160×90 JPEG thumbnail | `PlayLength` in s, `ImgWidth`/`ImgHeight` the thumbnail's; `Content` `<videomsg length playlength cdnthumb..>` |
//! | short video | 62 | the same, 150 to 300 KB, a 90×160 thumbnail | the same |
//! | sticker | 47 | a GIF89a, 48, 64 or 80 pixels square | `ImgWidth`/`ImgHeight` the GIF's; `Content` `<emoji md5 len width height>` (`md5` an id, not the GIF's digest) |
//! | file | 49, `AppMsgType` 6 | seeded bytes of any size (after `%PDF-` or `PK\3\4` for those extensions) | `FileName`, `FileSize` (the appmsg's `totallen`), `MediaId` (its `attachid`), `EncryFileName` (encodeURIComponent of `FileName`) |
//!
//! The schedule's video is always larger than 1 MiB, and its first file (every other cycle's)
//! about 3 MiB. [`Simulator::inject_media`], [`Simulator::inject_file`] (any size up to
//! [`MAX_MEDIA_BYTES`]) and `POST /__sim/sessions/<uin>/media` with
//! `{"kind": "image"|"voice"|"video"|"short_video"|"sticker"|"file", "from": .., "size": ..,
//! "file_name": ..}` (all but `kind` optional; answered `{"MsgId", "kind", "size",
//! "thumbnail_size", "file_name", "media_id"}`) queue one; [`Simulator::media`] and
//! `GET /__sim/sessions/<uin>/media/<msgid>` (`?thumbnail` for the thumbnail) give the stored
//! bytes.
//!
//! The endpoints, as the notes on the official page's downloads describe them:
//!
//! - `webwxgetmsgimg?&MsgID=<id>&skey=..[&type=..]`: with `type=slave` the thumbnail of an image or
//!   a video, without a type the full image (both `image/jpeg`); a sticker's GIF (`image/gif`)
//!   for any type (the page asks `type=big`).
//! - `webwxgetvoice?msgid=<id>&skey=..`: `audio/mpeg`. `webwxgetvideo?msgid=<id>&skey=..`:
//!   `video/mp4` (43 and 62).
//! - `webwxgetmedia?sender=..&mediaid=..&encryfilename=..&fromuser=..&pass_ticket=..&webwx_data_ticket=..`
//!   on the family's file host: `application/octet-stream` with `Content-Disposition:
//!   attachment`. The 2017 page's `filename=<FileName>` in place of `encryfilename` is taken too.
//!   The `webwx_data_ticket` cookie holds a `+` and a `/`, as real ones do, so the link must
//!   encode it.
//! - `webwxgeticon`, `webwxgetheadimg`: a JPEG avatar made from `username`, 132 pixels square,
//!   640 with `type=big`. Every `HeadImgUrl` the simulator sends ends with the session's skey, as
//!   the real server's do.
//!
//! Every media answer says `Accept-Ranges: bytes`: `Range: bytes=a-`, `bytes=a-b` and
//! `bytes=-n` get a 206 with `Content-Range`, a range that starts past the end a 416 with
//! `Content-Range: bytes */<length>`, other ranges (several, malformed) the whole. Media are
//! never compressed. A request the server does not take for a session's gets an empty 200, as
//! the real server answers it: no or wrong `wxuin`/`wxsid` cookies, a stale skey, an ended
//! session, the wrong host of the family, and for files a `webwx_data_ticket` other than the
//! cookie's or a `fromuser` other than the account. A media the account does not have, or not
//! at that endpoint (a voice asked of webwxgetvideo, a file whose `sender` or name is not its
//! message's), gets a 404. The message id's parameter is matched in any case (`MsgID`, `msgid`).
//!
//! ## Sending media
//!
//! A client forwards a received image, video, sticker or file as the official client does, by
//! what the message names: `POST webwxsendmsgimg?fun=async&f=json&lang=..&pass_ticket=..` with
//! `{BaseRequest, Msg: {Type: 3, MediaId, Content, FromUserName, ToUserName, LocalID,
//! ClientMsgId}, Scene: 2}`; `webwxsendvideomsg?fun=async&f=json&..` with `Type` 43 (62 for a
//! short video) and `MediaId`; `webwxsendemoticon?fun=sys&..` with `Type` 47 and `EMoticonMd5`
//! (the `md5` of the sticker's `<emoji>`; a `MediaId` when it has one); and
//! `webwxsendappmsg?fun=async&f=json&..` with `Type` 6 and the appmsg XML whose `<attachid>` is
//! the file's `MediaId`. Images, videos and files carry a `MediaId` ([`StoredMedia::media_id`]),
//! stickers an md5 ([`StoredMedia::md5`]). The calls are checked like webwxsendmsg (BaseRequest,
//! cookies, pass_ticket); the media must be one the account has, of the call's kind (received
//! or injected), else the answer is `Ret` 1 with an `ErrMsg`. A send is answered
//! `{"BaseResponse": {"Ret": 0, "ErrMsg": ""}, "MsgID": "<new id>", "LocalID": "<LocalID>"}`
//! and recorded once per `LocalID` in [`Simulator::sent`], with its `Msg.Type`, its
//! [`SentMessage::media_id`] and its [`SentMessage::scene`], with the media's
//! [`SentMessage::media_md5`], [`SentMessage::media_size`] and [`SentMessage::file_name`].
//!
//! ## Uploads
//!
//! `POST https://file.<host>/cgi-bin/mmwebwx-bin/webwxuploadmedia?f=json` takes a file in
//! chunks of 524,288 bytes, one multipart form per chunk (`/work/notes/upload.md`): fields `id,
//! name, type, lastModifiedDate, size, [chunks, chunk], mediatype, uploadmediarequest,
//! webwx_data_ticket, pass_ticket`, then the file part `filename`. The session is the one the
//! uploadmediarequest's `BaseRequest` names (a stale `Skey` gets `Ret` 1100, an unknown `Uin`
//! or `Sid` 1101, like the JSON calls; cookies are not required); the chunks of one file share
//! its `ClientMediaId`. They come in order: the next chunk, or the last one again (a retry:
//! it replaces the previous bytes); a skipped chunk, an earlier one, a chunk of the wrong
//! length (`[chunk * 524288, min(size, (chunk + 1) * 524288))`), an empty file, or `chunks`
//! other than `ceil(size / 524288)` is refused with `Ret` 1 and a message in `ErrMsg`. Every
//! chunk is answered `{"BaseResponse": {"Ret": 0, "ErrMsg": ""}, "MediaId": "", "StartPos": 0,
//! "CDNThumbImgHeight": 0, "CDNThumbImgWidth": 0}`, the last one, when the MD5 of the
//! assembled bytes is `FileMd5`, with the new `MediaId`, `StartPos` the size, the thumbnail's
//! size for an image (its longer side 120) and `EncryFileName` (encodeURIComponent of the name,
//! `.` as `%2E`); the same last chunk again gets the same answer. An `OPTIONS` preflight is
//! answered 200 with the `Access-Control-Allow-*` headers (the POST's answer carries
//! `Access-Control-Allow-Origin` and `-Credentials` too); preflights do not count for
//! [`FaultRule::nth`].
//!
//! A finished upload is stored for the account as a media ([`Simulator::upload`],
//! [`Simulator::uploads`], `GET /__sim/sessions/<uin>/uploads[/<MediaId>]`): by `mediatype`,
//! `pic` an image, `video` a video, `doc` a file (a `.gif` a sticker, which may go as a file
//! too). The bytes of an upload up to [`Scenario::upload_keep_bytes`] (64 MiB by default) are
//! kept; a larger one keeps only its MD5 (computed as the chunks arrive) and size. Its
//! `MediaId` is then sent like a received media's (webwxsendmsgimg, webwxsendvideomsg,
//! webwxsendemoticon with `EmojiFlag` 2, webwxsendappmsg with the appmsg's `attachid`); the
//! sent message serves the bytes by its `MsgID` as the account's other media.
//!
//! `POST /webwxcheckupload?lang=..&pass_ticket=..` (API host) answers `{"BaseResponse": ..,
//! "MediaId": "", "AESKey": .., "Signature": .., "EncryFileName": ..}`, with the `MediaId` of
//! the account's earlier upload of the same file (`FileMd5` and size) when there is one. The
//! upload of a file over 26,214,400 bytes then carries that `AESKey` and `Signature` at the
//! end of its uploadmediarequest (others are refused), and its webwxsendappmsg the `Signature`
//! first in `Msg` (without it, or with another, the send is refused).
//!
//! The rules (deviations `upload`, `checkupload`, `send`, and `headers` of "an upload XHR"):
//! the form's fields in WebUploader's order; `id` `WU_FILE_<n>` and the same on every chunk;
//! `type` a MIME type; `lastModifiedDate` JavaScript's `Date` text; `size` the `TotalLen`;
//! `chunks`/`chunk` only for more than one chunk; the file part's filename the `name` and its
//! `Content-Type` the `type` (one chunk) or `application/octet-stream` (a chunk of several);
//! `mediatype` by the extension (`pic` for bmp, png, jpeg, jpg; `video` for mp4; `doc`
//! otherwise), and no video of 20 MiB or more; the uploadmediarequest compact, its keys
//! `UploadType (2), BaseRequest {Uin (a number), Sid, Skey, DeviceID (the same on every chunk)},
//! ClientMediaId (13-digit ms), TotalLen, StartPos (0), DataLen (TotalLen), MediaType (4),
//! FromUserName (the account), ToUserName (the send's), FileMd5 (32 lowercase hex digits)[,
//! AESKey, Signature]`, the last two only over 26,214,400 bytes; `webwx_data_ticket` the
//! cookie's value, the cookie sent too; `pass_ticket` decoded (or `undefined`); the query only
//! `f=json`; Chrome's headers of a cross-origin XHR (`Origin`, the multipart boundary
//! `----WebKitFormBoundary...`). webwxcheckupload's body keys `FromUserName, ToUserName,
//! FileSize, FileMd5, FileName, FileType (7), BaseRequest`, only over 26,214,400 bytes. The send
//! of an upload: image and video `Content: ""`, a sticker's `EmojiFlag` 2, a file's `Content`
//! exactly `<appmsg appid='wxeb7ec651dd0aefa9' sdkver=''><title>NAME</title><des></des>
//! <action></action><type>6</type><content></content><url></url><lowurl></lowurl><appattach>
//! <totallen>SIZE</totallen><attachid>MEDIAID</attachid><fileext>EXT</fileext></appattach>
//! <extinfo></extinfo></appmsg>` (one line; `EXT` with its case kept, `undefined` when the name
//! has none), and a `Signature` only after a webwxcheckupload.
//!
//! ## Contact and profile changes
//!
//! `webwxsync` answers carry the changes the real server sends besides messages: a friend renamed
//! (`ModContactList`: the friend's object, same `UserName`, new `NickName`/`RemarkName`), a friend
//! deleted (`DelContactList`: `{"UserName": ..}`), members joining and leaving a group
//! (`ModChatRoomMemberList`: the group's object with its new `MemberList`), the account's own nick
//! name changed (`Profile` with `BitFlag` 190 and `NickName.Buff`). Synccheck announces them with
//! the real selectors: 2 when messages wait, else 6 when a contact was removed, else 4. The state
//! changes when the change happens: later `webwxinit`, `webwxgetcontact` and
//! `webwxbatchgetcontact` answers show the renamed friend, lack the deleted one, list the group's
//! new members and the new nick name. The changes are scripted in the scenario
//! ([`Scenario::contact_events`]; the default scenario makes one of each kind 3 to 4.5 s after
//! `webwxinit`, see [`Scenario::default_contact_events`]) and made on demand with
//! [`Simulator::change`] and its shorthands ([`Simulator::rename_friend`],
//! [`Simulator::delete_friend`], [`Simulator::change_group_members`], [`Simulator::rename_self`])
//! or `POST /__sim/sessions/<uin>/changes` with a [`ContactChange`] as JSON, e.g.
//! `{"rename_friend": {"friend": "@..", "nick_name": ".."}}`, answered `{"changed": "<user name>"}`
//! (404 when there is nothing to change).
//!
//! ## Operations
//!
//! The account's own operations, as the official page posts them (`/work/notes/ops16.md`): each
//! is checked like the other JSON calls (BaseRequest, cookies, host; query `r=<Date.now()>` or
//! `fun=..` before `lang` and `pass_ticket`; the body's keys in the page's order and their
//! types, each departure a deviation), refused when the server would refuse it, and its effect
//! queued for the next `webwxsync`. [`Simulator::account`] (`GET
//! /__sim/sessions/<uin>/account`) shows what they did ([`AccountInfo`]). Every refusal is a
//! plain `{"BaseResponse": {"Ret": 1, "ErrMsg": "<why>"}}` (with the call's other answer keys
//! for a revoke), but a revoke past the window: `Ret` -1.
//!
//! - `webwxrevokemsg?lang=..&pass_ticket=..` `{BaseRequest, SvrMsgId, ToUserName,
//!   ClientMsgId}` (strings): revokes the account's message whose `MsgID` is `SvrMsgId`, sent to
//!   `ToUserName`, within [`Scenario::revoke_window_ms`] (120 s), answered
//!   `{"BaseResponse": {"Ret": 0, "ErrMsg": ""}, "Introduction": "", "SysWording": ""}`; it is
//!   marked [`SentMessage::revoked`] and the account gets a 10002 from itself to the chat:
//!   `<sysmsg type="revokemsg"><revokemsg><session>wxid_..|<n>@chatroom</session><oldmsgid>..
//!   </oldmsgid><msgid>MsgID</msgid><replacemsg><![CDATA[你撤回了一条消息]]></replacemsg>
//!   </revokemsg></sysmsg>` (`<` `>` `&` escaped, quotes kept, as observed). Refused: "not a
//!   message this account sent" (unknown, or received), "ToUserName is not the message's chat",
//!   "message already revoked", and `Ret` -1 "message too old to revoke". A `ClientMsgId` other
//!   than the message's LocalID is accepted (peers send a fresh one and succeed: the server keys
//!   on SvrMsgId) and noted. [`Simulator::recall`] (`POST /__sim/sessions/<uin>/recall` with
//!   `{"msg_id": ..}`) makes the sender of a received message recall it: a 10002 from the same
//!   chat (`@sender:<br/>` first in a group) whose `<msgid>` names it, `replacemsg`
//!   `"<name>" 撤回了一条消息`.
//! - Friend requests: [`Scenario::friend_requests`] at the first `webwxinit`,
//!   [`Simulator::inject_friend_request`] (`POST /__sim/sessions/<uin>/friend_requests`), and the
//!   schedule's own MsgType 37: from `fmessage`, `RecommendInfo {UserName, NickName, QQNum,
//!   Province, City, Content, Signature, Alias, Scene, VerifyFlag, AttrStatus, Sex, Ticket,
//!   OpCode: 2}`, the message's own `Ticket` empty (as observed), `Content` the greeting
//!   `<msg fromusername="wxid_.." encryptusername="v1_..@stranger" fromnickname=.. content=..
//!   .. ticket=.. opcode="2" ..><brandlist ../></msg>` escaped. `webwxverifyuser?r=..&lang=..
//!   &pass_ticket=..` `{BaseRequest, Opcode, VerifyUserListSize: 1, VerifyUserList: [{Value,
//!   VerifyUserTicket}], VerifyContent, SceneListCount: 1, SceneList: [33], skey}`: `Opcode` 3
//!   accepts a pending request with its `RecommendInfo.Ticket` (the new friend, `ContactFlag` 3, in
//!   `ModContactList`, and a 10000 from it: `你已添加了<nick>，现在可以开始聊天了。`); refused
//!   "user ticket invalid" (another ticket), "no pending friend request from this user". `Opcode`
//!   2 sends a request ([`AccountInfo::outgoing_requests`] with its `VerifyContent`); refused
//!   "already a friend", "not a user name". Other opcodes: "unsupported Opcode". A body `skey`
//!   other than the session's: "skey mismatch".
//! - `webwxoplog?lang=..&pass_ticket=..`: `{UserName, CmdId: 2, RemarkName, BaseRequest}` sets a
//!   remark, `{UserName, CmdId: 3, OP: 1|0, RemarkName, BaseRequest}` pins or unpins
//!   (`ContactFlag` bit 0x800) a contact or group and sets the remark it carries: a pin without
//!   `RemarkName` clears the remark (as wechat4u notes the real server does) and is noted. The
//!   contact (a group with its members) in `ModContactList`. Refused: "no such contact",
//!   "unknown CmdId".
//! - `webwxcreatechatroom?r=..&lang=..&pass_ticket=..` `{MemberCount, MemberList: [{UserName}],
//!   Topic: "", BaseRequest}`: a group of the account (owner: `IsOwner` 1, `OwnerUin` its uin,
//!   `ChatRoomOwner` its user name) and at least two friends, answered `{BaseResponse, Topic,
//!   PYInitial, QuanPin, MemberCount, MemberList (the account first, MemberStatus 0), ChatRoomName,
//!   BlackList}`; the group in `ModContactList` and a 10000 from it `你邀请"<a>、<b>"加入了群聊`
//!   (each name the account's remark for the friend, else its nick name). Refused: `not a friend:
//!   <user name>`, "a group needs at least 2 other members".
//! - `webwxupdatechatroom?fun=..&lang=..&pass_ticket=..`, `{<key>, ChatRoomName, BaseRequest}`
//!   with the member lists comma-joined strings: `addmember` (`AddMemberList`) and `invitemember`
//!   (`InviteMemberList`) add friends (the official 40 rule: invite when the members, the account
//!   included, and the added make 40 or more; the other fun is noted, and accepted), 10000
//!   `你邀请"<names>"加入了群聊`; `delmember` (`DelMemberList`, the owner only) 10000
//!   `你将"<names>"移出了群聊`; `modtopic` (`NewTopic`) 10000 `你修改群名为“<topic>”`; each with
//!   the group (new `MemberCount`/`MemberList`, `NickName`) in `ModContactList`, answered
//!   `{BaseResponse, MemberCount, MemberList}`. `quitchatroom` (`{ChatRoomName, BaseRequest}`;
//!   dead code in the official page): the account leaves, `DelContactList` `{UserName,
//!   ContactFlag: 0}`. Refused: "unknown fun", "not a group of this account", `not a friend:
//!   <user name>`, "already a member", "no member to add", "only the group's owner can remove
//!   members", "not a member of the group", "the owner cannot remove itself". The generated
//!   groups at odd positions of [`SessionInfo::groups`] are owned by their first other member
//!   (`IsOwner` 0, `OwnerUin` 0), the others by the account.
//! - `webwxsearchcontact?lang=..&pass_ticket=..` `{BaseRequest, KeyWord}`: `{BaseResponse,
//!   Count, List}` of the friends whose `NickName`, `RemarkName` or `Alias` contains the keyword,
//!   each with `EncryUserName` (its user name).
//! - `webwxsendmsg` with `Msg.MsgSource` (after `Content`):
//!   `<msgsource><atusername>u1,u2</atusername><atchatroomname>@@room</atchatroomname></msgsource>`
//!   on a text to that group, each user a member, and `@<name> ` (the friend's remark, or the
//!   group display name, else the nick name; then U+0020) in `Content` for each: recorded in
//!   [`SentMessage::mentions`]; each departure noted (`mention`), the message sent anyway.
//! - [`Simulator::inject_article`] (`POST /__sim/sessions/<uin>/articles` with `{"count": n}`):
//!   the account's first official account pushes n articles, a MsgType 49 with `AppMsgType` 5
//!   whose appmsg has `<mmreader><category type="20" count="n"><item><title>, <url>, <pub_time>,
//!   <cover>, <digest>..</item>..</category></mmreader>`. `webwxinit`'s `MPSubscribeMsgList` has
//!   that official account with two articles (`{UserName, MPArticleCount, MPArticleList: [{Title,
//!   Digest, Cover (ending |0|0), Url}], Time, NickName}`).
//!
//! ## Load
//!
//! [`Simulator::start_load`] (or `POST /__sim/load` with a [`LoadSpec`] as JSON) delivers text
//! messages at a fixed rate, spread over every session that is set up, for a set time. Each one
//! reads `load <n> <unix_micros>`: its number in the run and the wall-clock time at which the
//! simulator queued it, so a client on the same machine can measure delivery latency.
//! [`Simulator::load_status`] (`GET /__sim/load`) tells how far the run got and how many
//! synccheck long polls are held at the moment. The scale benchmark
//! (`tests/src/bin/scale/`) is built on it.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod account;
mod changes;
mod detail;
mod gauge;
mod handlers;
mod ids;
mod load;
mod media;
mod messages;
mod official;
mod ops;
mod qr;
mod scenario;
mod server;
mod state;
mod upload;
mod wire;

pub use detail::ContactDetail;
pub use gauge::LoadStatus;
pub use handlers::admin::SessionInfo;
pub use load::{LoadError, LoadSpec};
pub use media::{MAX_MEDIA_BYTES, MediaKind, StoredMedia};
pub use ops::{AccountInfo, GroupInfo, OutgoingRequest, PendingRequest};
pub use scenario::{
    ContactChange, ContactEvent, ContactRef, ContactSpec, Family, Fault, FaultRule, MessageSpec,
    PhoneScript, Refusal, Scenario,
};
pub use state::SentMessage;
pub use upload::UploadedMedia;

/// A PNG image of a QR code encoding `payload` (what the simulator serves at `/qrcode/<uuid>`),
/// for clients that want to write the login QR code to a file.
pub fn qr_png(payload: &str) -> Vec<u8> {
    qr::png(payload)
}

use state::Shared;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// A running simulator. Dropping it stops the server.
pub struct Simulator {
    addr: SocketAddr,
    shared: Arc<Shared>,
    /// The runtime the server runs on.
    runtime: tokio::runtime::Handle,
    stop: watch::Sender<bool>,
    /// The runtime thread of a simulator made with [`Simulator::spawn`].
    thread: Option<std::thread::JoinHandle<()>>,
}

impl std::fmt::Debug for Simulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulator")
            .field("addr", &self.addr)
            .finish()
    }
}

impl Simulator {
    /// Starts a simulator on `127.0.0.1` (a free port) on the current tokio runtime.
    pub async fn start(scenario: Scenario) -> std::io::Result<Simulator> {
        Self::start_on(scenario, 0).await
    }

    /// Starts a simulator on `127.0.0.1:port` (0 picks a free port).
    pub async fn start_on(scenario: Scenario, port: u16) -> std::io::Result<Simulator> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::new(scenario, format!("http://{addr}")));
        let (stop, stopped) = watch::channel(false);
        tokio::spawn(server::serve(listener, Arc::clone(&shared), stopped));
        Ok(Simulator {
            addr,
            shared,
            runtime: tokio::runtime::Handle::current(),
            stop,
            thread: None,
        })
    }

    /// Starts a simulator on its own runtime thread, for blocking code (the ureq transport,
    /// synchronous tests).
    pub fn spawn(scenario: Scenario) -> std::io::Result<Simulator> {
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("webwx-sim".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        return;
                    }
                };
                runtime.block_on(async move {
                    let sim = Simulator::start(scenario).await;
                    let mut stopped = match &sim {
                        Ok(s) => Some(s.stop.subscribe()),
                        Err(_) => None,
                    };
                    let _ = tx.send(sim);
                    if let Some(stopped) = stopped.as_mut() {
                        let _ = stopped.changed().await;
                    }
                });
            })?;
        let mut sim = rx
            .recv()
            .map_err(|_| std::io::Error::other("the simulator thread died"))??;
        sim.thread = Some(thread);
        Ok(sim)
    }

    /// `http://127.0.0.1:PORT`: the login origin to give a client.
    pub fn base_url(&self) -> String {
        self.shared.origin.clone()
    }

    /// The address the simulator listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The scenario it runs.
    pub fn scenario(&self) -> &Scenario {
        &self.shared.scenario
    }

    /// Every session, live or ended.
    pub fn sessions(&self) -> Vec<SessionInfo> {
        handlers::admin::sessions(&self.shared)
    }

    /// Waits (polling) until a session exists, and returns the first.
    pub async fn wait_for_session(&self, timeout: Duration) -> Option<SessionInfo> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if let Some(s) = self.sessions().into_iter().next() {
                return Some(s);
            }
            if tokio::time::Instant::now() >= deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// What clients of `uin` sent (`None` for an unknown uin).
    pub fn sent(&self, uin: u64) -> Option<Vec<SentMessage>> {
        handlers::admin::sent(&self.shared, uin)
    }

    /// Queues a text message for `uin` from `from` (default: the account's first friend).
    /// Returns its MsgId, `None` for an unknown uin or an ended session.
    pub fn inject_text(&self, uin: u64, from: Option<&str>, text: &str) -> Option<String> {
        handlers::admin::inject(&self.shared, uin, from, 1, text)
    }

    /// Queues a message of any type with raw `content` (escaped as the server escapes it).
    pub fn inject(
        &self,
        uin: u64,
        from: Option<&str>,
        msg_type: i64,
        content: &str,
    ) -> Option<String> {
        handlers::admin::inject(&self.shared, uin, from, msg_type, content)
    }

    /// Queues a media message of `kind` for `uin` from its first friend, and stores its media
    /// (see the crate docs for the bytes of each kind). Returns the message id and the stored
    /// bytes; `None` for an unknown uin or an ended session.
    pub fn inject_media(&self, uin: u64, kind: MediaKind) -> Option<StoredMedia> {
        self.inject_media_from(uin, None, kind)
    }

    /// [`Simulator::inject_media`] from `from` (a friend, a group, any user name; default: the
    /// first friend).
    pub fn inject_media_from(
        &self,
        uin: u64,
        from: Option<&str>,
        kind: MediaKind,
    ) -> Option<StoredMedia> {
        handlers::admin::inject_media(&self.shared, uin, from, &media::Spec::of(kind))
    }

    /// Queues a file message (`AppMsgType` 6) of `size` bytes named `file_name` for `uin`, and
    /// stores the file (at most [`MAX_MEDIA_BYTES`]). Returns the message id and the bytes.
    pub fn inject_file(&self, uin: u64, file_name: &str, size: usize) -> Option<StoredMedia> {
        let spec = media::Spec {
            kind: MediaKind::File,
            size: Some(size),
            file_name: Some(file_name.to_string()),
        };
        handlers::admin::inject_media(&self.shared, uin, None, &spec)
    }

    /// The stored media of message `msg_id` of `uin`'s account (scheduled or injected), as the
    /// media endpoints serve it; `None` when that message has no media.
    pub fn media(&self, uin: u64, msg_id: &str) -> Option<StoredMedia> {
        handlers::admin::media(&self.shared, uin, msg_id)
    }

    /// The upload (webwxuploadmedia) of `uin`'s account whose `MediaId` is `media_id`: its
    /// name, size, MD5, and its bytes when it was not over
    /// [`Scenario::upload_keep_bytes`]. `None` for an unknown uin or MediaId.
    pub fn upload(&self, uin: u64, media_id: &str) -> Option<UploadedMedia> {
        handlers::admin::upload(&self.shared, uin, media_id)
    }

    /// Every finished upload of `uin`'s account, in the order they finished (`None` for an
    /// unknown uin).
    pub fn uploads(&self, uin: u64) -> Option<Vec<UploadedMedia>> {
        handlers::admin::uploads(&self.shared, uin)
    }

    /// Applies a contact or profile change to `uin`'s account now (the state changes at once; the
    /// change waits for the client's next `webwxsync`, announced by synccheck's selector).
    /// Returns the user name it changed; `None` for an unknown uin, an ended session or a
    /// contact that does not exist.
    pub fn change(&self, uin: u64, change: ContactChange) -> Option<String> {
        handlers::admin::change(&self.shared, uin, &change)
    }

    /// Renames a friend of `uin` (a position among its friends or a user name): new nick name,
    /// and remark name when given. Delivered in `ModContactList`.
    pub fn rename_friend(
        &self,
        uin: u64,
        friend: impl Into<ContactRef>,
        nick_name: &str,
        remark_name: Option<&str>,
    ) -> Option<String> {
        self.change(
            uin,
            ContactChange::RenameFriend {
                friend: friend.into(),
                nick_name: nick_name.to_string(),
                remark_name: remark_name.map(str::to_string),
            },
        )
    }

    /// Deletes a friend of `uin`. Delivered in `DelContactList`.
    pub fn delete_friend(&self, uin: u64, friend: impl Into<ContactRef>) -> Option<String> {
        self.change(
            uin,
            ContactChange::DeleteFriend {
                friend: friend.into(),
            },
        )
    }

    /// Makes `join` new members join a group of `uin` and its last `leave` members (never the
    /// account itself) leave. Delivered in `ModChatRoomMemberList`.
    pub fn change_group_members(
        &self,
        uin: u64,
        group: impl Into<ContactRef>,
        join: usize,
        leave: usize,
    ) -> Option<String> {
        self.change(
            uin,
            ContactChange::ChangeGroupMembers {
                group: group.into(),
                join,
                leave,
            },
        )
    }

    /// Changes the nick name of `uin`'s account itself. Delivered as `Profile`.
    pub fn rename_self(&self, uin: u64, nick_name: &str) -> Option<String> {
        self.change(
            uin,
            ContactChange::RenameSelf {
                nick_name: nick_name.to_string(),
            },
        )
    }

    /// A stranger's friend request arrives at `uin`: a MsgType 37 from `fmessage` (its
    /// `RecommendInfo` with `UserName`, `NickName`, `Ticket`, `OpCode` 2, and the greeting XML
    /// in `Content`), waiting for an accept (`webwxverifyuser` Opcode 3 with the ticket).
    /// Returns the request; `None` for an unknown uin or an ended session.
    pub fn inject_friend_request(&self, uin: u64) -> Option<PendingRequest> {
        self.shared.lock().friend_request(uin)
    }

    /// The sender of a message `uin` received (`msg_id`: scheduled or injected) recalls it: a
    /// MsgType 10002 from the same chat whose `<msgid>` is `msg_id` (in a group with the
    /// sender's `@name:<br/>` prefix). Returns the notice's MsgId; `None` for an unknown uin,
    /// an ended session, an unknown message or one the account sent.
    pub fn recall(&self, uin: u64, msg_id: &str) -> Option<String> {
        self.shared.lock().recall(uin, msg_id)
    }

    /// The account's first official account pushes `count` articles (1 to 8) to `uin`: a
    /// MsgType 49, `AppMsgType` 5, with `<mmreader><category count=N><item>..` in its appmsg.
    /// Returns its MsgId; `None` for an unknown uin, an ended session, a count of 0 or an
    /// account without official accounts.
    pub fn inject_article(&self, uin: u64, count: usize) -> Option<String> {
        self.shared
            .lock()
            .article(self.shared.scenario.seed, uin, count)
    }

    /// What the operations of `uin`'s account did: messages revoked and recalled, friend
    /// requests pending and sent, remarks, pins, groups (topic, owner, members), searches.
    /// `None` for an unknown uin.
    pub fn account(&self, uin: u64) -> Option<AccountInfo> {
        self.shared.lock().account_info(uin)
    }

    /// Ends `uin`'s session as the phone would: `1100` logged out on the phone, `1101` logged in
    /// elsewhere. The client's next synccheck gets that retcode.
    pub fn end_session(&self, uin: u64, code: i64) -> bool {
        handlers::admin::end(&self.shared, uin, code)
    }

    /// Starts a load run: text messages at a fixed rate over every live session, each stamped
    /// with the moment it was queued (see [`LoadSpec`] and the crate docs).
    pub fn start_load(&self, spec: LoadSpec) -> Result<(), LoadError> {
        load::start(&self.shared, &self.runtime, spec)
    }

    /// How the current (or last) load run is going, and how many synccheck calls are held.
    pub fn load_status(&self) -> LoadStatus {
        self.shared.load.status()
    }

    /// How many requests the simulator has served.
    pub fn requests(&self) -> u64 {
        self.shared.lock().requests
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
