//! The JSON answers: typed parsing with the `BaseResponse` in view.

use crate::ParseError;
use crate::model::{
    BatchGetContactAnswer, GetContactAnswer, InitAnswer, PlainAnswer, SendAnswer, SyncAnswer,
};
use serde::de::DeserializeOwned;

/// Parses a JSON answer into `T`. Unknown fields are ignored; a body that is not JSON or not of
/// the shape of `T` is a [`ParseError::Json`].
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ParseError> {
    serde_json::from_slice(body).map_err(|e| ParseError::Json(e.to_string()))
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

/// The answer of `webwxpushloginurl`: `{"ret":"0","msg":"all ok","uuid":"..."}`.
#[derive(Clone, PartialEq, Eq, Debug, serde::Deserialize)]
pub struct PushLoginAnswer {
    /// `ret`: 0 when the phone was asked (sent as a string).
    #[serde(deserialize_with = "crate::model::lenient_int")]
    pub ret: i64,
    /// `msg`.
    #[serde(default)]
    pub msg: String,
    /// `uuid`: poll the login endpoint with it.
    #[serde(default)]
    pub uuid: String,
}

/// Parses a `webwxpushloginurl` answer.
pub fn parse_push_login(body: &[u8]) -> Result<PushLoginAnswer, ParseError> {
    parse_json(body)
}

/// Parses a `webwxsync` answer.
pub fn parse_sync(body: &[u8]) -> Result<SyncAnswer, ParseError> {
    parse_json(body)
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
