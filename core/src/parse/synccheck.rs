//! The synccheck answer: `window.synccheck={retcode:"0",selector:"2"}`.

use super::{parse_assignments, text_of};
use crate::ParseError;

/// What synccheck answered.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct SyncCheck {
    /// `retcode`: 0 ok; 1100/1101/1102 session over; 1205 rate limited; anything else transient.
    pub retcode: i64,
    /// `selector`: 0 nothing new; any other value means "call webwxsync".
    pub selector: i64,
}

/// Reads a synccheck answer. Both fields are required; the server quotes them as strings.
///
/// ```
/// use webwx_core::parse::{parse_synccheck, SyncCheck};
/// let s = parse_synccheck(br#"window.synccheck={retcode:"0",selector:"2"}"#).unwrap();
/// assert_eq!(s, SyncCheck { retcode: 0, selector: 2 });
/// ```
pub fn parse_synccheck(body: &[u8]) -> Result<SyncCheck, ParseError> {
    let a = parse_assignments(text_of(body)?)?;
    let v = a
        .get("window.synccheck")
        .ok_or(ParseError::Missing("window.synccheck"))?;
    let field = |name: &'static str| {
        v.get(name)
            .ok_or(ParseError::Missing(name))?
            .as_int()
            .ok_or(ParseError::Invalid { field: name })
    };
    Ok(SyncCheck {
        retcode: field("retcode")?,
        selector: field("selector")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_and_errors() {
        assert_eq!(
            parse_synccheck(b"window.synccheck={retcode:\"1101\",selector:\"0\"}").unwrap(),
            SyncCheck {
                retcode: 1101,
                selector: 0
            }
        );
        assert_eq!(
            parse_synccheck(b"window.synccheck = { retcode : 0 , selector : 7 };").unwrap(),
            SyncCheck {
                retcode: 0,
                selector: 7
            }
        );
        assert_eq!(
            parse_synccheck(b"window.synccheck={retcode:\"0\"}"),
            Err(ParseError::Missing("selector"))
        );
        assert_eq!(
            parse_synccheck(b"window.synccheck={retcode:\"x\",selector:\"0\"}"),
            Err(ParseError::Invalid { field: "retcode" })
        );
        assert!(parse_synccheck(b"window.synccheck=\"0\"").is_err());
    }
}
