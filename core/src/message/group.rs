//! Group message content: `@sender:<br/>body`, and @-mentions.

/// Splits a group message's raw `Content` into the sender's user name and the body, as the
/// official client does with `^(@[a-zA-Z0-9]+|[a-zA-Z0-9_-]+):<br/>`: a sender prefix is `@`
/// and letters or digits (a session user name), or letters, digits, `_` and `-` (a plain name
/// such as `wxid_x`), right at the start and followed by `:<br/>`; only the first such prefix is
/// taken. `None` when the content has no sender prefix (messages the account sent itself,
/// system messages). Only the prefix is looked at, never the rest of the content.
///
/// ```
/// use webwx_core::message::split_group_content;
/// assert_eq!(split_group_content("@abc:<br/>hi:<br/>there"), Some(("@abc", "hi:<br/>there")));
/// assert_eq!(split_group_content("wxid_a-1:<br/>hi"), Some(("wxid_a-1", "hi")));
/// assert_eq!(split_group_content("no sender"), None);
/// assert_eq!(split_group_content("see this:<br/>x"), None);
/// ```
pub fn split_group_content(content: &str) -> Option<(&str, &str)> {
    let name_len = match content.strip_prefix('@') {
        Some(rest) => match rest.bytes().take_while(u8::is_ascii_alphanumeric).count() {
            0 => return None,
            n => 1 + n,
        },
        None => content
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-')
            .count(),
    };
    if name_len == 0 {
        return None;
    }
    let sender = content.get(..name_len)?;
    let body = content.get(name_len..)?.strip_prefix(":<br/>")?;
    Some((sender, body))
}

/// Whether decoded `text` @-mentions one of `names` (decoded too, as [`decode_text`] gives
/// them): `@name` followed by the mention separator U+2005 (what phones insert), a space
/// (what the web client inserts), a no-break space, a newline, or the end of the text. Names
/// may hold spaces and emoji; empty names are ignored.
///
/// [`decode_text`]: crate::message::decode_text
///
/// ```
/// use webwx_core::message::mentions;
/// assert!(mentions("@Tom Lee\u{2005}hi", &["Tom Lee"]));
/// assert!(mentions("hi @小明😀", &["小明😀"]));
/// assert!(!mentions("@小明明 hi", &["小明"]));
/// ```
pub fn mentions(text: &str, names: &[&str]) -> bool {
    names.iter().filter(|n| !n.is_empty()).any(|name| {
        let needle = format!("@{name}");
        text.match_indices(&needle).any(|(i, m)| {
            let after = text.get(i + m.len()..).unwrap_or_default();
            after.is_empty() || after.starts_with(['\u{2005}', ' ', '\u{a0}', '\n'])
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_only_on_a_real_sender() {
        assert_eq!(split_group_content("@@notasender x:<br/>y"), None);
        assert_eq!(split_group_content(":<br/>y"), None);
        assert_eq!(split_group_content("@a1:<br/>"), Some(("@a1", "")));
        assert_eq!(split_group_content("@:<br/>y"), None);
        assert_eq!(split_group_content("@a_b:<br/>y"), None, "no _ after an @");
        assert_eq!(split_group_content("@a@b:<br/>y"), None);
        assert_eq!(split_group_content("a b:<br/>y"), None);
        assert_eq!(split_group_content("a_b-C9:<br/>y"), Some(("a_b-C9", "y")));
        assert_eq!(
            split_group_content("@a:<br />y"),
            None,
            "only the exact <br/>"
        );
        assert_eq!(
            split_group_content("@a:<br/>@b:<br/>y"),
            Some(("@a", "@b:<br/>y")),
            "the first prefix only"
        );
        assert_eq!(split_group_content("中文:<br/>y"), None);
    }

    #[test]
    fn mention_boundaries() {
        assert!(mentions("@小明\u{2005}你好", &["小明"]));
        assert!(mentions("hi @小明", &["小明"]));
        assert!(!mentions("hi @小明明\u{2005}", &["小明"]));
        assert!(mentions("hi @明 x", &["小明", "明"]));
        assert!(!mentions("hi @ x", &[""]));
    }
}
