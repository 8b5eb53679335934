//! Starting a login for an account on this node.

use super::{Node, lease, worker};
use crate::clock::{now_ms, random_u64};
use crate::state::AccountState;
use std::sync::Arc;
use std::time::Duration;
use webwx_hyper::Session;

/// How long a login request waits for the QR code (or for the account to be online again).
const FIRST_ANSWER: Duration = Duration::from_secs(20);

/// What a started login shows.
#[derive(Debug)]
pub(crate) struct LoginStart {
    /// The QR code to scan, if the login needs one.
    pub(crate) qr: Option<String>,
    /// Where the account stands when the answer goes.
    pub(crate) state: AccountState,
}

/// Why a login could not start.
#[derive(Debug, thiserror::Error)]
pub(crate) enum LoginError {
    /// The account is online, or another node runs a login for it.
    #[error("the account is online or busy on another node; log it out first")]
    Busy,
    /// The database failed.
    #[error("database: {0}")]
    Db(#[from] crate::db::DbError),
    /// The operating system's randomness failed.
    #[error("randomness: {0}")]
    Random(#[from] rand_core::OsError),
}

/// Starts a login for `account` on this node: the last session's push login when there is one
/// (the phone confirms, no QR code), else a QR login. Waits for the QR code or for the account
/// to be online.
pub(crate) async fn start(node: &Arc<Node>, account: &str) -> Result<LoginStart, LoginError> {
    // Until its task runs, the lease loop must not take the claimed login for a dead one.
    node.starting().insert(account.to_string());
    let claimed = node
        .db
        .claim_for_login(account, &node.id, node.lease_until(), now_ms())
        .await;
    let claim = match claimed {
        Ok(Some(claim)) => claim,
        Ok(None) => {
            node.starting().remove(account);
            return Err(LoginError::Busy);
        }
        Err(e) => {
            node.starting().remove(account);
            return Err(e.into());
        }
    };
    node.stop(account);
    let session = match lease::resume(node, claim.session.as_deref(), claim.contacts.as_deref()) {
        Ok(session) => session,
        Err(_) => match random_u64() {
            Ok(seed) => Session::start_with(node.config(seed), node.transport.clone()),
            Err(e) => {
                node.starting().remove(account);
                return Err(e.into());
            }
        },
    };
    worker::spawn(node, account.to_string(), claim.fence, session);
    node.starting().remove(account);
    let mut qr = match node.running().get(account) {
        Some(r) => r.qr.clone(),
        None => {
            return Ok(LoginStart {
                qr: None,
                state: AccountState::LoggedOut,
            });
        }
    };
    let deadline = tokio::time::Instant::now() + FIRST_ANSWER;
    loop {
        if let Some(payload) = qr.borrow().clone() {
            return Ok(LoginStart {
                qr: Some(payload),
                state: AccountState::Login,
            });
        }
        let state = node.db.account(account).await?.map(|a| a.state);
        if matches!(state, Some(AccountState::Online | AccountState::LoggedOut)) {
            return Ok(LoginStart {
                qr: None,
                state: state.unwrap_or(AccountState::LoggedOut),
            });
        }
        let wait = tokio::time::timeout_at(deadline, async {
            tokio::select! {
                r = qr.changed() => r.is_ok(),
                () = tokio::time::sleep(Duration::from_millis(200)) => true,
            }
        })
        .await;
        match wait {
            Ok(true) => {}
            // The session task ended, or the time is up: say where the account stands.
            Ok(false) | Err(_) => {
                let payload = qr.borrow().clone();
                return Ok(LoginStart {
                    qr: payload,
                    state: node
                        .db
                        .account(account)
                        .await?
                        .map_or(AccountState::LoggedOut, |a| a.state),
                });
            }
        }
    }
}
