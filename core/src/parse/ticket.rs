//! The ticket answer of `webwxnewloginpage`: `<error><ret>0</ret><message>OK</message><skey>..`.

use super::text_of;
use super::xml::XmlDoc;
use crate::{Limits, ParseError, Secret};

/// What `webwxnewloginpage` answered. Secrets are wrapped in [`Secret`].
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct TicketAnswer {
    /// `ret`: 0 is success; anything else (1203 most often) is a refusal.
    pub ret: i64,
    /// `message`: the server's text, verbatim (shown to the user on a refusal).
    pub message: String,
    /// `skey`.
    pub skey: Secret<String>,
    /// `wxsid`.
    pub wxsid: Secret<String>,
    /// `wxuin`, when present and numeric.
    pub wxuin: Option<u64>,
    /// `pass_ticket`, exactly as sent (already URL-encoded).
    pub pass_ticket: Secret<String>,
    /// `isgrayscale`.
    pub is_grayscale: Option<i64>,
    /// `redirecturl`: when present, the login continues there.
    pub redirect_url: Option<String>,
}

/// Reads a ticket answer, within the default [`Limits`]. A refusal (`ret` ≠ 0) parses fine; the
/// caller decides.
///
/// ```
/// use webwx_core::parse::parse_ticket;
/// let t = parse_ticket(b"<error><ret>1203</ret><message>refused</message></error>").unwrap();
/// assert_eq!((t.ret, t.message.as_str()), (1203, "refused"));
/// ```
pub fn parse_ticket(body: &[u8]) -> Result<TicketAnswer, ParseError> {
    parse_ticket_with(body, &Limits::default())
}

/// [`parse_ticket`] within `limits` (the `max_xml_*` fields): past one, a
/// [`ParseError::LimitExceeded`].
pub fn parse_ticket_with(body: &[u8], limits: &Limits) -> Result<TicketAnswer, ParseError> {
    let doc = XmlDoc::read(text_of(body)?.trim(), limits)?;
    let mut out = TicketAnswer::default();
    let mut saw_ret = false;
    for el in doc.elements() {
        // Only the children of a root `<error>`.
        let Some(parent) = doc.parent(el) else {
            continue;
        };
        if doc.parent(parent).is_some() || doc.name(parent) != "error" {
            continue;
        }
        let field = doc.name(el);
        let text = doc.text(el).trim();
        match field {
            "ret" => {
                out.ret = text
                    .parse()
                    .map_err(|_| ParseError::Invalid { field: "ret" })?;
                saw_ret = true;
            }
            "message" => out.message = doc.text(el).to_string(),
            "skey" => out.skey = Secret::new(text.to_string()),
            "wxsid" => out.wxsid = Secret::new(text.to_string()),
            "wxuin" if !text.is_empty() => {
                out.wxuin = Some(
                    text.parse()
                        .map_err(|_| ParseError::Invalid { field: "wxuin" })?,
                )
            }
            "pass_ticket" => out.pass_ticket = Secret::new(text.to_string()),
            "isgrayscale" => out.is_grayscale = text.parse().ok(),
            "redirecturl" if !text.is_empty() => out.redirect_url = Some(text.to_string()),
            _ => {}
        }
    }
    if !saw_ret {
        return Err(ParseError::Missing("ret"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_success() {
        let t = parse_ticket(
            b"<error><ret>0</ret><message>OK</message><skey>@crypt_1</skey><wxsid>SID</wxsid>\
              <wxuin>42</wxuin><pass_ticket>a%2Bb%3D</pass_ticket><isgrayscale>1</isgrayscale></error>",
        )
        .unwrap();
        assert_eq!(t.ret, 0);
        assert_eq!(t.skey.expose(), "@crypt_1");
        assert_eq!(t.wxsid.expose(), "SID");
        assert_eq!(t.wxuin, Some(42));
        assert_eq!(t.pass_ticket.expose(), "a%2Bb%3D");
        assert_eq!(t.is_grayscale, Some(1));
        assert_eq!(t.redirect_url, None);
        assert!(!format!("{t:?}").contains("@crypt_1"));
    }

    #[test]
    fn message_is_verbatim() {
        // Found by proptest: XML line-end normalisation must not touch the server's message.
        let t = parse_ticket(
            "<error><ret>1203</ret><message>a\u{2028}b\r\nc</message></error>".as_bytes(),
        )
        .unwrap();
        assert_eq!(t.message, "a\u{2028}b\r\nc");
    }

    #[test]
    fn reads_a_redirect_and_rejects_garbage() {
        let t = parse_ticket(
            b"<error><ret>0</ret><redirecturl>https://wx.qq.com/?a=1&amp;b=2</redirecturl></error>",
        )
        .unwrap();
        assert_eq!(
            t.redirect_url.as_deref(),
            Some("https://wx.qq.com/?a=1&b=2")
        );
        assert_eq!(
            parse_ticket(b"<error></error>"),
            Err(ParseError::Missing("ret"))
        );
        assert_eq!(
            parse_ticket(b"<error><ret>x</ret></error>"),
            Err(ParseError::Invalid { field: "ret" })
        );
        assert!(parse_ticket(b"<html><body>502").is_err());
    }
}
