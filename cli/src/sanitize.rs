//! Server text made safe to show: a stranger's message, a contact's name or a server's error
//! text is shown as text, never run by the terminal as a command (escape sequences, bells) and
//! never able to reorder or forge what is on screen (bidirectional overrides, line breaks).
//!
//! Everything the server sends is decoded first (`&#27;` becomes ESC), so this runs on the
//! decoded text, last, just before it is printed.

use serde_json::Value;

/// What a line break becomes in a line for a person: one message stays one line, so it cannot
/// forge a line of its own.
const LINE_BREAK: &str = " ⏎ ";

/// What a C1 control becomes: it has no control picture.
const REPLACEMENT: char = '\u{FFFD}';

/// Whether `c` is a bidirectional embedding, override or isolate (U+202A–U+202E,
/// U+2066–U+2069): characters that make text show in another order than it is written.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Whether `c` must not reach a terminal raw: the C0 controls, DEL, the C1 controls, the
/// bidirectional controls, and the Unicode line and paragraph separators.
fn is_unsafe(c: char) -> bool {
    c.is_control() || is_bidi_control(c) || matches!(c, '\u{2028}' | '\u{2029}')
}

/// `text` with nothing a terminal would act on:
///
/// - a line break (`\n`, `\r\n`, a lone `\r`, U+2028, U+2029) becomes ` ⏎ `;
/// - a tab becomes a space;
/// - every other C0 control and DEL becomes its Unicode control picture (ESC shows as `␛`, BEL
///   as `␇`), so an escape sequence shows as harmless text;
/// - a C1 control (U+0080–U+009F: CSI, OSC and the like) becomes `�`;
/// - a bidirectional embedding, override or isolate is removed.
///
/// Everything else is kept as it is. Applying it twice changes nothing more.
pub(crate) fn for_terminal(text: &str) -> String {
    if !text.chars().any(is_unsafe) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push_str(LINE_BREAK);
            }
            '\n' | '\u{2028}' | '\u{2029}' => out.push_str(LINE_BREAK),
            '\t' => out.push(' '),
            '\u{7F}' => out.push('\u{2421}'),
            c if u32::from(c) < 0x20 => {
                out.push(char::from_u32(0x2400 + u32::from(c)).unwrap_or(REPLACEMENT));
            }
            c if c.is_control() => out.push(REPLACEMENT),
            c if is_bidi_control(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// `value` as one line of JSON for a program, with DEL, the C1 controls, the bidirectional
/// controls and the line separators written as `\uXXXX` escapes (serde_json already escapes the
/// C0 controls). The value a program reads is the same; a terminal the line lands on shows it
/// as text.
pub(crate) fn json_line(value: &Value) -> String {
    let json = value.to_string();
    if !json.chars().any(is_unsafe) {
        return json;
    }
    // Outside strings, JSON is ASCII without controls: every such character is inside a string,
    // where an escape stands for the same character.
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if is_unsafe(c) {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_kept() {
        for text in ["", "hello", "你好 🇨🇳 <b>&amp;", "a ⏎ b", "مرحبا שלום"] {
            assert_eq!(for_terminal(text), text);
        }
    }

    #[test]
    fn escape_sequences_and_bells_show_as_text() {
        let shown = for_terminal("\u{1b}[2J\u{1b}]0;pwned\u{7}red\u{1b}[31m!");
        assert_eq!(shown, "␛[2J␛]0;pwned␇red␛[31m!");
        assert!(!shown.chars().any(char::is_control), "{shown:?}");
    }

    #[test]
    fn every_c0_control_del_and_c1_control_is_replaced() {
        for code in (0u32..0x20).chain(0x7F..0xA0) {
            let c = char::from_u32(code).unwrap();
            let shown = for_terminal(&format!("a{c}b"));
            assert!(
                !shown.chars().any(char::is_control),
                "U+{code:04X} reached the terminal: {shown:?}"
            );
            assert!(shown.starts_with('a') && shown.ends_with('b'), "{shown:?}");
        }
        assert_eq!(for_terminal("\u{0}\u{8}\u{7F}"), "␀␈␡");
        assert_eq!(for_terminal("csi\u{9B}31m"), "csi\u{FFFD}31m");
    }

    #[test]
    fn line_breaks_cannot_forge_a_line() {
        assert_eq!(
            for_terminal("hi\n[text] boss: pay now"),
            "hi ⏎ [text] boss: pay now"
        );
        assert_eq!(for_terminal("a\r\nb\rc"), "a ⏎ b ⏎ c");
        assert_eq!(for_terminal("a\u{2028}b\u{2029}c"), "a ⏎ b ⏎ c");
        assert_eq!(for_terminal("a\tb"), "a b");
    }

    #[test]
    fn bidirectional_overrides_are_removed() {
        // "invoice_\u{202E}fdp.exe" shows as "invoice_exe.pdf" in a terminal that honours it.
        assert_eq!(for_terminal("invoice_\u{202E}fdp.exe"), "invoice_fdp.exe");
        for code in (0x202Au32..=0x202E).chain(0x2066..=0x2069) {
            let c = char::from_u32(code).unwrap();
            assert_eq!(for_terminal(&format!("x{c}y")), "xy", "U+{code:04X}");
        }
    }

    #[test]
    fn it_is_idempotent() {
        let once = for_terminal("\u{1b}[1m\r\n\u{202E}\u{85}\t\u{7}");
        assert_eq!(for_terminal(&once), once);
    }

    #[test]
    fn json_lines_read_back_the_same_and_carry_no_raw_controls() {
        let text = "\u{1b}[31m\u{7}\u{7F}\u{9B}\u{202E}\u{2066}\u{2028}\n你好";
        let value = serde_json::json!({"text": text, "name": "\u{85}x"});
        let line = json_line(&value);
        assert!(
            !line.chars().any(is_unsafe),
            "raw control in the JSON line: {line:?}"
        );
        assert!(
            line.contains("\\u007f") && line.contains("\\u202e"),
            "{line}"
        );
        let back: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn json_lines_without_controls_are_plain_serde_json() {
        let value = serde_json::json!({"text": "你好 \"quoted\" \\", "n": 1});
        assert_eq!(json_line(&value), value.to_string());
    }
}
