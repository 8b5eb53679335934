//! Decoding of message text: HTML entities, `<br/>` newlines and emoji spans.

/// Turns a message's `Content` into plain text: `<br/>` (and `<br>`) become newlines, emoji spans
/// (`<span class="emoji emoji1f600"></span>`) become the characters they stand for, HTML
/// entities (`&lt;`, `&amp;`, `&#39;`, `&nbsp;`, ...) are decoded. Unknown entities and spans that
/// do not decode are kept as they are: nothing is lost.
///
/// ```
/// use webwx_core::message::decode_text;
/// assert_eq!(
///     decode_text(r#"a &lt;b&gt;<br/>flag <span class="emoji emoji1f1e81f1f3"></span>"#),
///     "a <b>\nflag 🇨🇳"
/// );
/// ```
pub fn decode_text(content: &str) -> String {
    let markup_done = replace_markup(content);
    decode_entities(&markup_done)
}

#[cfg(test)]
thread_local! {
    /// Bytes looked at by this module's searches, counted in tests to show decoding is linear.
    static LOOKED_AT: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Counts `bytes` looked at (in tests; nothing otherwise).
fn looked_at(bytes: usize) {
    #[cfg(test)]
    LOOKED_AT.with(|c| c.set(c.get().saturating_add(bytes)));
    #[cfg(not(test))]
    let _ = bytes;
}

/// The first `c` in `s`.
fn find(s: &str, c: char) -> Option<usize> {
    let found = s.find(c);
    looked_at(found.map_or(s.len(), |i| i + 1));
    found
}

/// `s` without the prefix `p`, if it has it.
fn strip<'a>(s: &'a str, p: &str) -> Option<&'a str> {
    // A comparison stops at the first byte that differs.
    #[cfg(test)]
    looked_at(
        (s.bytes().zip(p.bytes()).take_while(|(a, b)| a == b).count() + 1)
            .min(p.len())
            .min(s.len()),
    );
    s.strip_prefix(p)
}

/// Replaces `<br/>` and emoji spans, leaving everything else.
fn replace_markup(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = find(rest, '<') {
        out.push_str(rest.get(..i).unwrap_or_default());
        let tail = rest.get(i..).unwrap_or_default();
        // The byte after the `<` tells which markup it may be.
        looked_at(usize::from(tail.len() > 1));
        let next = tail.as_bytes().get(1);
        let br = || {
            ["<br/>", "<br />", "<br>"]
                .iter()
                .find_map(|br| strip(tail, br))
        };
        if let Some(after) = next.filter(|&&b| b == b'b').and_then(|_| br()) {
            out.push('\n');
            rest = after;
        } else if let Some((emoji, after)) =
            next.filter(|&&b| b == b's').and_then(|_| emoji_span(tail))
        {
            out.push_str(&emoji);
            rest = after;
        } else {
            out.push('<');
            rest = tail.get(1..).unwrap_or_default();
        }
    }
    out.push_str(rest);
    out
}

/// The longest emoji class read (in hex digits); [`decode_emoji_hex`] refuses longer ones.
const MAX_EMOJI_HEX: usize = 64;

/// Reads `<span class="emoji emojiXXXX"></span>` at the start of `s`: the decoded characters and
/// what follows the span. The closing quote is looked for among the next [`MAX_EMOJI_HEX`] + 1
/// bytes only, so a span that never closes costs a constant, not a search to the end of `s`.
fn emoji_span(s: &str) -> Option<(String, &str)> {
    let rest = strip(s, "<span class=\"emoji emoji")?;
    let end = position_within(rest, MAX_EMOJI_HEX + 1, |b| b == b'"')?;
    let hex = rest.get(..end)?;
    let after = strip(rest.get(end..)?, "\"></span>")?;
    Some((decode_emoji_hex(hex)?, after))
}

/// Decodes the hex of an emoji class into characters. The class concatenates code points without
/// separators (`1f1e81f1f3` is 🇨🇳, two code points): a code point starting with `1` in a run of
/// at least five digits is a five-digit supplementary one, any other is four digits.
pub fn decode_emoji_hex(hex: &str) -> Option<String> {
    looked_at(hex.len().min(MAX_EMOJI_HEX + 1));
    if hex.is_empty() || hex.len() > MAX_EMOJI_HEX || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut out = String::new();
    let mut rest = hex;
    while !rest.is_empty() {
        let take = if rest.starts_with('1') && rest.len() >= 5 {
            5
        } else {
            4
        };
        let chunk = rest.get(..take.min(rest.len()))?;
        let code = u32::from_str_radix(chunk, 16).ok()?;
        out.push(char::from_u32(code)?);
        rest = rest.get(chunk.len()..)?;
    }
    Some(out)
}

/// The longest entity name looked for after an `&` (`CounterClockwiseContourIntegral`, the
/// longest HTML5 name, has 31 bytes).
const MAX_ENTITY: usize = 32;

/// The index of the first byte of `s` within its first `within` bytes that `found` accepts.
fn position_within(s: &str, within: usize, found: impl Fn(u8) -> bool) -> Option<usize> {
    let window = s.as_bytes().get(..within.min(s.len()))?;
    let at = window.iter().position(|&b| found(b));
    looked_at(at.map_or(window.len(), |i| i + 1));
    at
}

/// Decodes HTML entities leniently: an `&` that does not start a known entity stays as it is.
///
/// Linear in `s`: the `;` that ends an entity is looked for among the next `MAX_ENTITY` (32) + 1
/// bytes only, and no further than the next `&` (which no entity name contains), so every byte
/// is looked at a bounded number of times.
pub fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = find(rest, '&') {
        out.push_str(rest.get(..i).unwrap_or_default());
        let tail = rest.get(i + 1..).unwrap_or_default();
        let decoded = position_within(tail, MAX_ENTITY + 1, |b| b == b';' || b == b'&')
            .filter(|&end| end > 0 && tail.as_bytes().get(end) == Some(&b';'))
            .and_then(|end| Some((resolve_entity(tail.get(..end)?)?, end)));
        match decoded {
            Some((text, end)) => {
                out.push_str(&text);
                rest = tail.get(end + 1..).unwrap_or_default();
            }
            None => {
                out.push('&');
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

fn resolve_entity(name: &str) -> Option<String> {
    looked_at(name.len());
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(code)
            .filter(|&c| c != '\0')
            .map(String::from);
    }
    quick_xml::escape::resolve_html5_entity(name).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emoji_of_one_and_many_code_points() {
        assert_eq!(decode_emoji_hex("1f600").as_deref(), Some("😀"));
        assert_eq!(decode_emoji_hex("1f1e81f1f3").as_deref(), Some("🇨🇳"));
        assert_eq!(decode_emoji_hex("2764fe0f").as_deref(), Some("❤\u{fe0f}"));
        assert_eq!(
            decode_emoji_hex("1f468200d1f469").as_deref(),
            Some("👨\u{200d}👩")
        );
        assert_eq!(
            decode_emoji_hex("0023fe0f20e3").as_deref(),
            Some("#\u{fe0f}\u{20e3}")
        );
        assert_eq!(decode_emoji_hex("263a").as_deref(), Some("☺"));
        assert_eq!(decode_emoji_hex("zz"), None);
        assert_eq!(decode_emoji_hex("d800"), None);
    }

    /// Bytes looked at while decoding `s`.
    fn work(s: &str) -> usize {
        LOOKED_AT.with(|c| c.set(0));
        decode_text(s);
        LOOKED_AT.with(std::cell::Cell::get)
    }

    #[test]
    fn decoding_is_linear_whatever_the_text() {
        const MB: usize = 1 << 20;
        let plain = work(&"a".repeat(MB));
        assert_eq!(plain, 2 * MB, "each pass looks at each byte once");
        let unit = |u: &str| u.repeat(MB / u.len());
        let long_name = format!("&{}", "a".repeat(40));
        let long_emoji = format!("<span class=\"emoji emoji{}", "1".repeat(70));
        for hostile in [
            "&".repeat(MB),
            unit("&#"),
            unit("&#x"),
            unit("&amp"),
            unit("&amp;"),
            unit(&long_name),
            "<".repeat(MB),
            unit("<br"),
            unit("<span class=\"emoji emoji"),
            unit("<span class=\"emoji emoji1f600\">"),
            unit(&long_emoji),
            unit("<span class=\"emoji emoji1f600\"></span>"),
        ] {
            let ratio = work(&hostile) as f64 / plain as f64;
            assert!(
                ratio <= 5.0,
                "{:?}...: {ratio:.1} times the work of plain text",
                hostile.get(..40)
            );
        }
    }

    #[test]
    fn text_decoding_keeps_what_it_cannot_decode() {
        assert_eq!(
            decode_text("AT&T &bogus; &amp;&#x4e2d;&#25991;&nbsp;"),
            "AT&T &bogus; &中文\u{a0}"
        );
        assert_eq!(
            decode_text("<span class=\"emoji emojizz\"></span>"),
            "<span class=\"emoji emojizz\"></span>"
        );
        assert_eq!(decode_text("a<br>b<br />c<b>"), "a\nb\nc<b>");
        assert_eq!(
            decode_text("&lt;br/&gt;"),
            "<br/>",
            "escaped markup is text, not a newline"
        );
        assert_eq!(decode_text("&#0;"), "&#0;");
    }
}
