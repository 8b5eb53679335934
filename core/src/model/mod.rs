//! The serde types of the server's JSON answers. Unknown fields are ignored; missing optional
//! ones default; numbers that arrive as strings are read as numbers.

mod answers;
mod base_response;
pub(crate) mod caps;
mod contact;
pub(crate) mod lenient;
mod message;
mod ops;
mod sync;
mod sync_key;

pub use answers::{
    BatchGetContactAnswer, CheckUploadAnswer, GetContactAnswer, InitAnswer, PushLoginAnswer,
    SendAnswer, UploadAnswer,
};
pub use base_response::{BaseResponse, HasBaseResponse, PlainAnswer, RetClass};
pub use contact::{RawContact, RawMember};
pub use message::{RawMessage, RecommendInfo};
pub use ops::OpAnswer;
pub use sync::{Buff, Profile, SyncAnswer};
pub use sync_key::{SyncKey, SyncKeyEntry};

pub(crate) use lenient::strip_skey;
