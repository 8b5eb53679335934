//! The JSON answers: typed parsing with the `BaseResponse` in view.

use crate::model::caps;
use crate::model::{
    BatchGetContactAnswer, GetContactAnswer, InitAnswer, PlainAnswer, PushLoginAnswer, SendAnswer,
    SyncAnswer,
};
use crate::{Limits, ParseError};
use serde::de::DeserializeOwned;

/// Parses a JSON answer into `T`, within the default [`Limits`] (see [`parse_json_with`]).
/// Unknown fields are ignored; a body that is not JSON or not of the shape of `T` is a
/// [`ParseError::Json`].
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ParseError> {
    parse_json_with(body, &Limits::default())
}

/// [`parse_json`] within `limits`: list entries the client has no use for (messages without an
/// id, contacts and members without a user name) are dropped as they are read; past
/// `max_entries_per_answer` or `max_messages_per_answer` kept entries the answer is a
/// [`ParseError::LimitExceeded`], refused before the rest is read; strings longer than
/// `max_string_bytes` are cut at a character boundary. Work and memory are linear in the body.
pub fn parse_json_with<T: DeserializeOwned>(body: &[u8], limits: &Limits) -> Result<T, ParseError> {
    let (parsed, exceeded) = caps::within(limits, body.len(), || serde_json::from_slice(body));
    match (parsed, exceeded) {
        (Ok(value), None) => Ok(value),
        (_, Some((what, limit))) => Err(ParseError::LimitExceeded { what, limit }),
        (Err(e), None) => Err(ParseError::Json(e.to_string())),
    }
}

/// Parses a `webwxinit` answer.
pub fn parse_init(body: &[u8]) -> Result<InitAnswer, ParseError> {
    parse_json(body)
}

/// Parses a `webwxgetcontact` answer.
pub fn parse_get_contact(body: &[u8]) -> Result<GetContactAnswer, ParseError> {
    parse_json(body)
}

/// Parses a `webwxbatchgetcontact` answer.
pub fn parse_batch_get_contact(body: &[u8]) -> Result<BatchGetContactAnswer, ParseError> {
    parse_json(body)
}

/// Parses an answer of which only the `BaseResponse` matters (`webwxstatusnotify`).
pub fn parse_plain(body: &[u8]) -> Result<PlainAnswer, ParseError> {
    parse_json(body)
}

/// Parses a `webwxpushloginurl` answer.
pub fn parse_push_login(body: &[u8]) -> Result<PushLoginAnswer, ParseError> {
    parse_json(body)
}

/// Parses a `webwxsync` answer, within the default [`Limits`].
pub fn parse_sync(body: &[u8]) -> Result<SyncAnswer, ParseError> {
    parse_json(body)
}

/// Parses a `webwxsync` answer within `limits` (see [`parse_json_with`]).
pub fn parse_sync_with(body: &[u8], limits: &Limits) -> Result<SyncAnswer, ParseError> {
    parse_json_with(body, limits)
}

/// Parses a `webwxsendmsg` answer.
pub fn parse_send(body: &[u8]) -> Result<SendAnswer, ParseError> {
    parse_json(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_response_is_required_and_lenient() {
        assert!(matches!(parse_plain(b"{}"), Err(ParseError::Json(_))));
        assert!(matches!(parse_plain(b"<html>"), Err(ParseError::Json(_))));
        let a = parse_plain(br#"{"BaseResponse":{"Ret":"1101","ErrMsg":null},"X":1}"#).unwrap();
        assert_eq!(a.base_response.ret, 1101);
        assert_eq!(a.base_response.err_msg, "");
    }

    #[test]
    fn contact_page_defaults() {
        let a = parse_get_contact(br#"{"BaseResponse":{"Ret":0},"MemberList":null}"#).unwrap();
        assert_eq!((a.seq, a.member_list.len()), (0, 0));
    }
}
