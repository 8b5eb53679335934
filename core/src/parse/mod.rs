//! Parsers of every server answer, as free functions: each returns a typed value or a
//! [`ParseError`], never panics, and can be called alone (by tests, fuzzers,
//! embedders).

mod json;
mod login_poll;
mod qr_login;
mod script;
mod synccheck;
mod ticket;
pub(crate) mod xml;

pub use json::{
    parse_batch_get_contact, parse_get_contact, parse_init, parse_json, parse_json_with,
    parse_plain, parse_push_login, parse_send, parse_sync, parse_sync_with,
};
pub use login_poll::{LoginPoll, parse_login_poll};
pub use qr_login::{QrLogin, parse_qr_login};
pub use script::{Assignments, MAX_SCRIPT_LEN, ScriptValue, parse_assignments};
pub use synccheck::{SyncCheck, parse_synccheck};
pub use ticket::{TicketAnswer, parse_ticket, parse_ticket_with};

use crate::ParseError;

/// The body as text.
fn text_of(body: &[u8]) -> Result<&str, ParseError> {
    std::str::from_utf8(body).map_err(|_| ParseError::NotUtf8)
}
