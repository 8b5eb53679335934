//! The names of the server's endpoints.

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
}

impl Endpoint {
    /// The path of the endpoint on its host (after the host, before the query).
    pub const fn path(self) -> &'static str {
        match self {
            Endpoint::JsLogin => "/jslogin",
            Endpoint::LoginPoll => "/cgi-bin/mmwebwx-bin/login",
            Endpoint::Ticket => "/cgi-bin/mmwebwx-bin/webwxnewloginpage",
            Endpoint::Init => "/cgi-bin/mmwebwx-bin/webwxinit",
            Endpoint::StatusNotify => "/cgi-bin/mmwebwx-bin/webwxstatusnotify",
            Endpoint::GetContact => "/cgi-bin/mmwebwx-bin/webwxgetcontact",
            Endpoint::BatchGetContact => "/cgi-bin/mmwebwx-bin/webwxbatchgetcontact",
            Endpoint::SyncCheck => "/cgi-bin/mmwebwx-bin/synccheck",
            Endpoint::Sync => "/cgi-bin/mmwebwx-bin/webwxsync",
            Endpoint::SendMsg => "/cgi-bin/mmwebwx-bin/webwxsendmsg",
            Endpoint::Logout => "/cgi-bin/mmwebwx-bin/webwxlogout",
            Endpoint::PushLogin => "/cgi-bin/mmwebwx-bin/webwxpushloginurl",
        }
    }

    /// A short lowercase name, as used in logs.
    pub const fn name(self) -> &'static str {
        match self {
            Endpoint::JsLogin => "jslogin",
            Endpoint::LoginPoll => "login",
            Endpoint::Ticket => "webwxnewloginpage",
            Endpoint::Init => "webwxinit",
            Endpoint::StatusNotify => "webwxstatusnotify",
            Endpoint::GetContact => "webwxgetcontact",
            Endpoint::BatchGetContact => "webwxbatchgetcontact",
            Endpoint::SyncCheck => "synccheck",
            Endpoint::Sync => "webwxsync",
            Endpoint::SendMsg => "webwxsendmsg",
            Endpoint::Logout => "webwxlogout",
            Endpoint::PushLogin => "webwxpushloginurl",
        }
    }
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
