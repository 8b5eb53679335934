//! Group message content: `@sender:<br/>body`, and @-mentions.

/// Splits a group message's raw `Content` on the first `:<br/>` into the sender's user name and
/// the body. `None` when the content has no sender prefix (messages the account sent itself,
/// system messages).
///
/// ```
/// use webwx_core::message::split_group_content;
/// assert_eq!(split_group_content("@abc:<br/>hi:<br/>there"), Some(("@abc", "hi:<br/>there")));
/// assert_eq!(split_group_content("no sender"), None);
/// ```
pub fn split_group_content(content: &str) -> Option<(&str, &str)> {
    let (sender, body) = content.split_once(":<br/>")?;
    let valid = sender.starts_with('@')
        && sender.len() <= 100
        && sender
            .bytes()
            .skip(1)
            .all(|b| b.is_ascii_alphanumeric() || b == b'@');
    valid.then_some((sender, body))
}

/// Whether decoded `text` @-mentions one of `names` (the account's nick name and its display
/// name in the group): `@name` followed by the mention separator U+2005, a space, or the end.
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
