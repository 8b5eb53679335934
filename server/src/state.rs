//! Where an account stands, as the API shows it and the database stores it.

use serde::Serialize;

/// Where an account stands.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccountState {
    /// Made, never logged in.
    New,
    /// A login runs: a QR code waits to be scanned (or the phone to confirm).
    Login,
    /// The session runs.
    Online,
    /// The session runs but cannot reach the server; it keeps trying.
    Offline,
    /// The session ended (logged out on the phone or through the API, or refused); a new login
    /// is needed.
    LoggedOut,
}

impl AccountState {
    /// Its name in the database and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            AccountState::New => "new",
            AccountState::Login => "login",
            AccountState::Online => "online",
            AccountState::Offline => "offline",
            AccountState::LoggedOut => "logged_out",
        }
    }

    /// The state named `s`.
    pub fn parse(s: &str) -> Option<AccountState> {
        Some(match s {
            "new" => AccountState::New,
            "login" => AccountState::Login,
            "online" => AccountState::Online,
            "offline" => AccountState::Offline,
            "logged_out" => AccountState::LoggedOut,
            _ => return None,
        })
    }

    /// Every state, for metrics.
    pub const ALL: [AccountState; 5] = [
        AccountState::New,
        AccountState::Login,
        AccountState::Online,
        AccountState::Offline,
        AccountState::LoggedOut,
    ];
}
