//! `BaseResponse`, carried by every JSON answer.

use super::lenient;

/// `{"Ret": 0, "ErrMsg": ""}`: the status of a JSON answer. `Ret` 0 is success.
#[derive(Clone, PartialEq, Eq, Debug, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct BaseResponse {
    /// `Ret`: 0 ok; 1100/1101/1102 session over; 1205 rate limited; others are failures
    /// (see protocol §4).
    #[serde(rename = "Ret", deserialize_with = "lenient::int")]
    pub ret: i64,
    /// `ErrMsg`: the server's message, often empty.
    #[serde(rename = "ErrMsg", deserialize_with = "lenient::string")]
    pub err_msg: String,
}

/// What a `BaseResponse.Ret` (or synccheck `retcode`) means to a client.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RetClass {
    /// 0: success.
    Ok,
    /// 1100, 1101, 1102: the session is over (logged out on the phone, logged in elsewhere,
    /// session invalid). The only codes that end a session.
    SessionEnded,
    /// Anything else, 1205 (rate limited) included: a transient failure, retried with backoff.
    Transient,
}

impl RetClass {
    /// Classifies a code.
    pub const fn of(code: i64) -> RetClass {
        match code {
            0 => RetClass::Ok,
            1100..=1102 => RetClass::SessionEnded,
            _ => RetClass::Transient,
        }
    }
}

/// Answers that carry a [`BaseResponse`].
pub trait HasBaseResponse {
    /// The answer's `BaseResponse`.
    fn base_response(&self) -> &BaseResponse;
}

impl HasBaseResponse for BaseResponse {
    fn base_response(&self) -> &BaseResponse {
        self
    }
}

/// An answer that carries only a `BaseResponse` worth reading (status notify, for example).
#[derive(Clone, PartialEq, Eq, Debug, Default, serde::Deserialize)]
pub struct PlainAnswer {
    /// `BaseResponse`.
    #[serde(rename = "BaseResponse")]
    pub base_response: BaseResponse,
}

impl HasBaseResponse for PlainAnswer {
    fn base_response(&self) -> &BaseResponse {
        &self.base_response
    }
}
