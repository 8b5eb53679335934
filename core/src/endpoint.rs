//! The server's endpoints, and the table of what each is: path, method, host, long poll or
//! not, and whether a redirect is its answer.

use http::Method;

/// One endpoint of the Web WeChat service. Errors and retries name the endpoint they concern.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Endpoint {
    /// `jslogin`: a new login uuid.
    JsLogin,
    /// `login`: the long poll that waits for the phone to scan and confirm.
    LoginPoll,
    /// `webwxnewloginpage`: exchange the login ticket for credentials.
    Ticket,
    /// `webwxinit`: the self user, recent chats and the first SyncKey.
    Init,
    /// `webwxstatusnotify`: tell the phone about this client.
    StatusNotify,
    /// `webwxgetcontact`: one page of the contact list.
    GetContact,
    /// `webwxbatchgetcontact`: details of up to 50 contacts or groups (with their members).
    BatchGetContact,
    /// `synccheck`: the long poll on the push host that says whether to sync.
    SyncCheck,
    /// `webwxsync`: fetch what is new (messages, contact changes) and advance the SyncKey.
    Sync,
    /// `webwxsendmsg`: send a text message.
    SendMsg,
    /// `webwxlogout`: end the session.
    Logout,
    /// `webwxpushloginurl`: ask the phone to confirm a login (no QR scan).
    PushLogin,
    /// `webwxstatreport`: the page's timing report, posted after each contact page.
    StatReport,
    /// `webwxsendmsgimg`: send an image by its `MediaId`.
    SendMsgImg,
    /// `webwxsendvideomsg`: send a video by its `MediaId`.
    SendVideoMsg,
    /// `webwxsendappmsg`: send a file (an app message) by its `MediaId`.
    SendAppMsg,
    /// `webwxsendemoticon`: send a sticker by its md5 or `MediaId`.
    SendEmoticon,
    /// `webwxcheckupload`: announce a file over 25 MiB before uploading it.
    CheckUpload,
    /// `webwxuploadmedia` on the file host: one chunk of a file.
    UploadMedia,
    /// `webwxrevokemsg`: take back a sent message.
    RevokeMsg,
    /// `webwxverifyuser`: accept a friend request (Opcode 3) or send one (Opcode 2).
    VerifyUser,
    /// `webwxoplog`: set a remark (CmdId 2) or pin a chat (CmdId 3).
    OpLog,
    /// `webwxcreatechatroom`: create a group.
    CreateChatRoom,
    /// `webwxupdatechatroom`: add, invite or remove members, rename, quit.
    UpdateChatRoom,
    /// `webwxsearchcontact`: search the contacts on the server.
    SearchContact,
    /// `webwxgetmsgimg`: a message's image (full, thumbnail) or sticker.
    GetMsgImg,
    /// `webwxgetvoice`: a voice message.
    GetVoice,
    /// `webwxgetvideo`: a video.
    GetVideo,
    /// `webwxgetmedia` on the file host: a file.
    GetMedia,
    /// `webwxgeticon`: a contact's avatar.
    GetIcon,
    /// `webwxgetheadimg`: a group's avatar.
    GetHeadImg,
}

/// Which origin an endpoint is served from.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum HostRole {
    /// The login origin ([`Config::login_origin`](crate::Config::login_origin)).
    Login,
    /// The URL the server gave (the login's `redirect_uri`, or a `<redirecturl>`), checked
    /// against the host policy; on the session's API host.
    Redirect,
    /// The session's API host ([`Hosts::api`](crate::Hosts::api)).
    Api,
    /// The session's push host ([`Hosts::push`](crate::Hosts::push)).
    Push,
    /// The session's file host ([`Hosts::file`](crate::Hosts::file)).
    File,
}

/// One row of the endpoint table: everything about an endpoint that does not depend on the
/// session. Adding an endpoint is a variant, a row, an answer type and a handler.
struct Row {
    path: &'static str,
    method: Method,
    role: HostRole,
    /// The server holds the request (~25 s) until something happens: the long-poll timeout.
    long_poll: bool,
    /// A 3xx status is an answer to read, not a failure (the ticket's 301 with the XML body).
    redirect_is_answer: bool,
    /// How the official page makes the request (its query conventions and headers follow).
    loader: Loader,
}

/// How the official page makes a request: the library, and so the query conventions and the
/// headers the browser sends with it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum Loader {
    /// jQuery `$.ajax({dataType: "script"})` to another host: a `<script>` tag, with jQuery's
    /// `_` counter last (jslogin, the login poll, synccheck).
    Script,
    /// Angular `$http`: the interceptor adds `lang` and `pass_ticket`, params sorted by name.
    Angular,
    /// jQuery `$.ajax({dataType: "json"})` on the page's host (webwxpushloginurl).
    JQueryJson,
    /// A submitted `<form method="POST">`: a top-level navigation (webwxlogout).
    Form,
    /// An `<img>` element (message images, stickers, avatars).
    Image,
    /// An `<audio>` element (voice messages): a range request.
    Audio,
    /// A `<video>` element: a range request.
    Video,
    /// A link the user clicks: a top-level navigation (a file on the file host).
    Link,
    /// WebUploader's own XHR with a `FormData` body, to the file host with the cookies
    /// (`withCredentials`): no interceptor, a multipart body.
    Upload,
}

impl Endpoint {
    fn row(self) -> Row {
        match self {
            Endpoint::JsLogin => Row {
                path: "/jslogin",
                method: Method::GET,
                role: HostRole::Login,
                long_poll: false,
                loader: Loader::Script,
                redirect_is_answer: false,
            },
            Endpoint::LoginPoll => Row {
                path: "/cgi-bin/mmwebwx-bin/login",
                method: Method::GET,
                role: HostRole::Login,
                long_poll: true,
                loader: Loader::Script,
                redirect_is_answer: false,
            },
            Endpoint::Ticket => Row {
                path: "/cgi-bin/mmwebwx-bin/webwxnewloginpage",
                method: Method::GET,
                role: HostRole::Redirect,
                long_poll: false,
                loader: Loader::Angular,
                redirect_is_answer: true,
            },
            Endpoint::Init => Row {
                path: "/cgi-bin/mmwebwx-bin/webwxinit",
                method: Method::POST,
                role: HostRole::Api,
                long_poll: false,
                loader: Loader::Angular,
                redirect_is_answer: false,
            },
            Endpoint::StatusNotify => Row {
                path: "/cgi-bin/mmwebwx-bin/webwxstatusnotify",
                method: Method::POST,
                role: HostRole::Api,
                long_poll: false,
                loader: Loader::Angular,
                redirect_is_answer: false,
            },
            Endpoint::GetContact => Row {
                path: "/cgi-bin/mmwebwx-bin/webwxgetcontact",
                method: Method::GET,
                role: HostRole::Api,
                long_poll: false,
                loader: Loader::Angular,
                redirect_is_answer: false,
            },
            Endpoint::BatchGetContact => Row {
                path: "/cgi-bin/mmwebwx-bin/webwxbatchgetcontact",
                method: Method::POST,
                role: HostRole::Api,
                long_poll: false,
                loader: Loader::Angular,
                redirect_is_answer: false,
            },
            Endpoint::SyncCheck => Row {
                path: "/cgi-bin/mmwebwx-bin/synccheck",
                method: Method::GET,
                role: HostRole::Push,
                long_poll: true,
                loader: Loader::Script,
                redirect_is_answer: false,
            },
            Endpoint::Sync => Row {
                path: "/cgi-bin/mmwebwx-bin/webwxsync",
                method: Method::POST,
                role: HostRole::Api,
                long_poll: false,
                loader: Loader::Angular,
                redirect_is_answer: false,
            },
            Endpoint::SendMsg => Row {
                path: "/cgi-bin/mmwebwx-bin/webwxsendmsg",
                method: Method::POST,
                role: HostRole::Api,
                long_poll: false,
                loader: Loader::Angular,
                redirect_is_answer: false,
            },
            Endpoint::Logout => Row {
                path: "/cgi-bin/mmwebwx-bin/webwxlogout",
                method: Method::POST,
                role: HostRole::Api,
                long_poll: false,
                loader: Loader::Form,
                redirect_is_answer: true,
            },
            Endpoint::SendMsgImg => Row {
                path: "/cgi-bin/mmwebwx-bin/webwxsendmsgimg",
                method: Method::POST,
                role: HostRole::Api,
                long_poll: false,
                loader: Loader::Angular,
                redirect_is_answer: false,
            },
            Endpoint::SendVideoMsg => Row {
                path: "/cgi-bin/mmwebwx-bin/webwxsendvideomsg",
                method: Method::POST,
                role: HostRole::Api,
                long_poll: false,
                loader: Loader::Angular,
                redirect_is_answer: false,
            },
            Endpoint::SendAppMsg => Row {
                path: "/cgi-bin/mmwebwx-bin/webwxsendappmsg",
                method: Method::POST,
                role: HostRole::Api,
                long_poll: false,
                loader: Loader::Angular,
                redirect_is_answer: false,
            },
            Endpoint::SendEmoticon => Row {
                path: "/cgi-bin/mmwebwx-bin/webwxsendemoticon",
                method: Method::POST,
                role: HostRole::Api,
                long_poll: false,
                loader: Loader::Angular,
                redirect_is_answer: false,
            },
            Endpoint::CheckUpload => Row {
                path: "/cgi-bin/mmwebwx-bin/webwxcheckupload",
                method: Method::POST,
                role: HostRole::Api,
                long_poll: false,
                loader: Loader::Angular,
                redirect_is_answer: false,
            },
            Endpoint::UploadMedia => Row {
                path: "/cgi-bin/mmwebwx-bin/webwxuploadmedia",
                method: Method::POST,
                role: HostRole::File,
                long_poll: false,
                loader: Loader::Upload,
                redirect_is_answer: false,
            },
            Endpoint::RevokeMsg => Row {
                path: "/cgi-bin/mmwebwx-bin/webwxrevokemsg",
                method: Method::POST,
                role: HostRole::Api,
                long_poll: false,
                loader: Loader::Angular,
                redirect_is_answer: false,
            },
            Endpoint::VerifyUser => Row {
                path: "/cgi-bin/mmwebwx-bin/webwxverifyuser",
                method: Method::POST,
                role: HostRole::Api,
                long_poll: false,
                loader: Loader::Angular,
                redirect_is_answer: false,
            },
            Endpoint::OpLog => Row {
                path: "/cgi-bin/mmwebwx-bin/webwxoplog",
                method: Method::POST,
                role: HostRole::Api,
                long_poll: false,
                loader: Loader::Angular,
                redirect_is_answer: false,
            },
            Endpoint::CreateChatRoom => Row {
                path: "/cgi-bin/mmwebwx-bin/webwxcreatechatroom",
                method: Method::POST,
                role: HostRole::Api,
                long_poll: false,
                loader: Loader::Angular,
                redirect_is_answer: false,
            },
            Endpoint::UpdateChatRoom => Row {
                path: "/cgi-bin/mmwebwx-bin/webwxupdatechatroom",
                method: Method::POST,
                role: HostRole::Api,
                long_poll: false,
                loader: Loader::Angular,
                redirect_is_answer: false,
            },
            Endpoint::SearchContact => Row {
                path: "/cgi-bin/mmwebwx-bin/webwxsearchcontact",
                method: Method::POST,
                role: HostRole::Api,
                long_poll: false,
                loader: Loader::Angular,
                redirect_is_answer: false,
            },
            Endpoint::GetMsgImg => Row {
                path: "/cgi-bin/mmwebwx-bin/webwxgetmsgimg",
                method: Method::GET,
                role: HostRole::Api,
                long_poll: false,
                loader: Loader::Image,
                redirect_is_answer: false,
            },
            Endpoint::GetVoice => Row {
                path: "/cgi-bin/mmwebwx-bin/webwxgetvoice",
                method: Method::GET,
                role: HostRole::Api,
                long_poll: false,
                loader: Loader::Audio,
                redirect_is_answer: false,
            },
            Endpoint::GetVideo => Row {
                path: "/cgi-bin/mmwebwx-bin/webwxgetvideo",
                method: Method::GET,
                role: HostRole::Api,
                long_poll: false,
                loader: Loader::Video,
                redirect_is_answer: false,
            },
            Endpoint::GetMedia => Row {
                path: "/cgi-bin/mmwebwx-bin/webwxgetmedia",
                method: Method::GET,
                role: HostRole::File,
                long_poll: false,
                loader: Loader::Link,
                redirect_is_answer: false,
            },
            Endpoint::GetIcon => Row {
                path: "/cgi-bin/mmwebwx-bin/webwxgeticon",
                method: Method::GET,
                role: HostRole::Api,
                long_poll: false,
                loader: Loader::Image,
                redirect_is_answer: false,
            },
            Endpoint::GetHeadImg => Row {
                path: "/cgi-bin/mmwebwx-bin/webwxgetheadimg",
                method: Method::GET,
                role: HostRole::Api,
                long_poll: false,
                loader: Loader::Image,
                redirect_is_answer: false,
            },
            Endpoint::StatReport => Row {
                path: "/cgi-bin/mmwebwx-bin/webwxstatreport",
                method: Method::POST,
                role: HostRole::Api,
                long_poll: false,
                loader: Loader::Angular,
                redirect_is_answer: false,
            },
            Endpoint::PushLogin => Row {
                path: "/cgi-bin/mmwebwx-bin/webwxpushloginurl",
                method: Method::GET,
                role: HostRole::Api,
                long_poll: false,
                loader: Loader::JQueryJson,
                redirect_is_answer: false,
            },
        }
    }

    /// The path of the endpoint on its host (after the host, before the query).
    pub fn path(self) -> &'static str {
        self.row().path
    }

    /// A short lowercase name, as used in logs: the last segment of the path.
    pub fn name(self) -> &'static str {
        let path = self.path();
        path.rsplit('/').next().unwrap_or(path)
    }

    /// The HTTP method.
    pub fn method(self) -> Method {
        self.row().method
    }

    /// Which origin serves it.
    pub fn host_role(self) -> HostRole {
        self.row().role
    }

    /// Whether the server holds it until something happens (the login poll, synccheck): it
    /// gets [`Config::long_poll_timeout`](crate::Config::long_poll_timeout).
    pub fn is_long_poll(self) -> bool {
        self.row().long_poll
    }

    /// How the official page makes the request.
    pub fn loader(self) -> Loader {
        self.row().loader
    }

    /// Whether the official page loads it as a script (jQuery): it then carries the `_`
    /// counter and a script's headers.
    pub fn is_script(self) -> bool {
        self.loader() == Loader::Script
    }

    /// Whether a 3xx status is an answer to read rather than a failure.
    pub fn redirect_is_answer(self) -> bool {
        self.row().redirect_is_answer
    }
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_last_segment() {
        assert_eq!(Endpoint::LoginPoll.name(), "login");
        assert_eq!(Endpoint::JsLogin.name(), "jslogin");
        assert_eq!(Endpoint::Sync.name(), "webwxsync");
        assert!(Endpoint::SyncCheck.is_long_poll() && !Endpoint::Sync.is_long_poll());
        assert_eq!(Endpoint::SyncCheck.host_role(), HostRole::Push);
        assert!(Endpoint::Ticket.redirect_is_answer());
    }
}
