//! `webwx logout`: ends the session on the server, then deletes the session file. When the
//! server did not confirm the logout, the file is kept (the session may still be live, and the
//! file is what a second try needs) and the command fails.

use crate::console;
use crate::failure::{CliError, Exit};
use crate::real::{config, host_of};
use crate::sanitize::for_terminal;
use crate::session_file;
use std::path::Path;
use std::time::SystemTime;
use webwx_core::{Endpoint, TransportErrorKind};
use webwx_hyper::Transport;

/// How the logout request ended, when it did not end well.
enum Refused {
    /// No answer: the transport failed.
    Transport(TransportErrorKind),
    /// An answer that is not the logout's (2xx, or the redirect the real server sends).
    Status(u16),
}

/// `webwx logout`: drives the core by hand with the transport's `execute` (no probe, no push
/// login: logging out must not ask the phone to log in). The core ends its session whatever the
/// answer (it is best effort for a running client), so whether the server took the logout is
/// judged here, from the answer to the logout request itself.
pub(crate) async fn logout(server: Option<&str>, path: &Path) -> Result<(), CliError> {
    let saved = session_file::load(path)?;
    let api_host = saved.hosts().api.clone();
    let config = config(server, false);
    let mut client = webwx_core::Client::resume(config, saved)
        .map_err(|e| CliError::new(Exit::SessionExpired, format!("{e}: run `webwx login`")))?;
    let now = || webwx_core::Timestamp::from_system_time(SystemTime::now());
    client
        .logout(now())
        .map_err(|e| CliError::new(Exit::Failure, e))?;
    let transport = Transport::new();
    let mut refused = None;
    while let Some(t) = client.poll_transmit() {
        let is_logout = t.endpoint == Endpoint::Logout;
        match transport.execute(t.request, t.timeout).await {
            Ok(response) => {
                let status = response.status();
                if is_logout && !(status.is_success() || status.is_redirection()) {
                    refused = Some(Refused::Status(status.as_u16()));
                }
                client.handle_response(t.id, response, now());
            }
            Err(e) => {
                if is_logout {
                    refused = Some(Refused::Transport(e.kind()));
                }
                client.handle_transport_error(t.id, e.kind(), now());
            }
        }
    }
    if let Some(refused) = refused {
        let host = for_terminal(&host_of(&api_host));
        let keep = format!(
            "the session may still be live; {} is kept: try `webwx logout` again",
            path.display()
        );
        return Err(match refused {
            Refused::Transport(
                kind @ (TransportErrorKind::Connect
                | TransportErrorKind::Timeout
                | TransportErrorKind::Tls),
            ) => CliError::new(
                Exit::Unreachable,
                format!("logout failed: could not reach {host} ({kind}); {keep}"),
            ),
            Refused::Transport(kind) => CliError::new(
                Exit::Failure,
                format!("logout failed: {kind} talking to {host}; {keep}"),
            ),
            Refused::Status(status) => CliError::new(
                Exit::Failure,
                format!("logout failed: {host} answered HTTP {status}; {keep}"),
            ),
        });
    }
    match std::fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            return Err(CliError::new(
                Exit::Failure,
                format!("logged out, but cannot delete {}: {e}", path.display()),
            ));
        }
    }
    console::result(&format!("logged out; {} deleted", path.display()))
}
