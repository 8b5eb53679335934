//! A reader for the JavaScript assignments the login host answers with, such as
//! `window.QRLogin.code = 200; window.QRLogin.uuid = "4dcaWx3uBw==";` or
//! `window.synccheck={retcode:"0",selector:"2"}`.
//!
//! It accepts only this narrow form: a sequence of `path = value` statements separated by `;`,
//! where a value is an integer, a single- or double-quoted string, or a flat object of such values.

use crate::ParseError;

/// The longest script answer accepted (an avatar data URL is the largest real one, ~20 KiB).
pub const MAX_SCRIPT_LEN: usize = 1024 * 1024;
/// The most assignments one answer may hold.
const MAX_ASSIGNMENTS: usize = 64;
/// The most entries an object value may hold.
const MAX_OBJECT_ENTRIES: usize = 64;

/// A value on the right of an assignment.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum ScriptValue {
    /// An integer.
    Int(i64),
    /// A string, with escapes resolved.
    Str(String),
    /// A flat object: `{key: value, ...}`, in source order.
    Object(Vec<(String, ScriptValue)>),
}

impl ScriptValue {
    /// The value as an integer: an `Int`, or a `Str` holding one (the server quotes numbers in
    /// `window.synccheck`).
    pub fn as_int(&self) -> Option<i64> {
        match self {
            ScriptValue::Int(n) => Some(*n),
            ScriptValue::Str(s) => s.trim().parse().ok(),
            ScriptValue::Object(_) => None,
        }
    }

    /// The value as a string, if it is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            ScriptValue::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The entry `key` of an object value.
    pub fn get(&self, key: &str) -> Option<&ScriptValue> {
        match self {
            ScriptValue::Object(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// The assignments of a script answer, in order: `(path, value)` with the path as written
/// (`window.QRLogin.code`).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Assignments(pub Vec<(String, ScriptValue)>);

impl Assignments {
    /// The value last assigned to `path`.
    pub fn get(&self, path: &str) -> Option<&ScriptValue> {
        self.0.iter().rev().find(|(p, _)| p == path).map(|(_, v)| v)
    }
}

/// Reads the assignments of a script answer.
///
/// ```
/// use webwx_core::parse::{parse_assignments, ScriptValue};
/// let a = parse_assignments("window.code=201;window.userAvatar = 'data:img/jpg;base64,AA==';").unwrap();
/// assert_eq!(a.get("window.code"), Some(&ScriptValue::Int(201)));
/// assert_eq!(a.get("window.userAvatar").and_then(|v| v.as_str()), Some("data:img/jpg;base64,AA=="));
/// ```
pub fn parse_assignments(text: &str) -> Result<Assignments, ParseError> {
    if text.len() > MAX_SCRIPT_LEN {
        return Err(ParseError::TooLarge {
            len: text.len(),
            limit: MAX_SCRIPT_LEN,
        });
    }
    let mut lexer = Lexer {
        src: text.as_bytes(),
        text,
        pos: 0,
    };
    let mut out = Vec::new();
    loop {
        lexer.skip_separators();
        if lexer.at_end() {
            break;
        }
        if out.len() == MAX_ASSIGNMENTS {
            return Err(lexer.error("at most 64 assignments"));
        }
        let path = lexer.path()?;
        lexer.skip_ws();
        lexer.expect(b'=', "'='")?;
        lexer.skip_ws();
        let value = lexer.value(true)?;
        lexer.skip_ws();
        if !lexer.at_end() && lexer.peek() != Some(b';') {
            return Err(lexer.error("';' or the end"));
        }
        out.push((path, value));
    }
    Ok(Assignments(out))
}

struct Lexer<'a> {
    src: &'a [u8],
    text: &'a str,
    pos: usize,
}

impl Lexer<'_> {
    fn at_end(&self) -> bool {
        self.pos >= self.src.len()
    }

    fn peek(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    fn error(&self, expected: &'static str) -> ParseError {
        ParseError::Script {
            at: self.pos,
            expected,
        }
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            self.pos += 1;
        }
    }

    fn skip_separators(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n' | b';')) {
            self.pos += 1;
        }
    }

    fn expect(&mut self, byte: u8, what: &'static str) -> Result<(), ParseError> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(what))
        }
    }

    fn ident(&mut self) -> Result<&str, ParseError> {
        let start = self.pos;
        while matches!(self.peek(), Some(c) if c.is_ascii_alphanumeric() || c == b'_' || c == b'$')
        {
            self.pos += 1;
        }
        if start == self.pos {
            return Err(self.error("a name"));
        }
        Ok(self.text.get(start..self.pos).unwrap_or_default())
    }

    fn path(&mut self) -> Result<String, ParseError> {
        let mut path = self.ident()?.to_string();
        while self.peek() == Some(b'.') {
            self.pos += 1;
            path.push('.');
            path.push_str(self.ident()?);
        }
        Ok(path)
    }

    fn value(&mut self, allow_object: bool) -> Result<ScriptValue, ParseError> {
        match self.peek() {
            Some(b'"' | b'\'') => self.string().map(ScriptValue::Str),
            Some(b'-' | b'0'..=b'9') => self.int().map(ScriptValue::Int),
            Some(b'{') if allow_object => self.object(),
            _ => Err(self.error("a number, a string or an object")),
        }
    }

    fn int(&mut self) -> Result<i64, ParseError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        self.text
            .get(start..self.pos)
            .and_then(|s| s.parse().ok())
            .ok_or(ParseError::Script {
                at: start,
                expected: "an integer",
            })
    }

    fn string(&mut self) -> Result<String, ParseError> {
        let quote = self.peek().ok_or_else(|| self.error("a quote"))?;
        self.pos += 1;
        let mut out = String::new();
        loop {
            // Copy the run up to the next quote or backslash in one piece (keeps UTF-8 intact).
            let start = self.pos;
            while matches!(self.peek(), Some(c) if c != quote && c != b'\\') {
                self.pos += 1;
            }
            out.push_str(self.text.get(start..self.pos).unwrap_or_default());
            match self.peek() {
                None => return Err(self.error("a closing quote")),
                Some(b'\\') => {
                    self.pos += 1;
                    self.escape(&mut out)?;
                }
                Some(_) => {
                    self.pos += 1;
                    return Ok(out);
                }
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), ParseError> {
        let c = self.peek().ok_or_else(|| self.error("an escape"))?;
        self.pos += 1;
        match c {
            b'n' => out.push('\n'),
            b'r' => out.push('\r'),
            b't' => out.push('\t'),
            b'u' => {
                let hex = self
                    .text
                    .get(self.pos..self.pos + 4)
                    .ok_or_else(|| self.error("four hex digits"))?;
                let code =
                    u32::from_str_radix(hex, 16).map_err(|_| self.error("four hex digits"))?;
                self.pos += 4;
                out.push(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER));
            }
            c if c.is_ascii() => out.push(char::from(c)),
            _ => {
                // A backslash before a multi-byte character: keep the character.
                self.pos -= 1;
                let rest = self.text.get(self.pos..).unwrap_or_default();
                if let Some(ch) = rest.chars().next() {
                    out.push(ch);
                    self.pos += ch.len_utf8();
                }
            }
        }
        Ok(())
    }

    fn object(&mut self) -> Result<ScriptValue, ParseError> {
        self.expect(b'{', "'{'")?;
        let mut entries = Vec::new();
        loop {
            self.skip_ws();
            if self.peek() == Some(b'}') {
                self.pos += 1;
                return Ok(ScriptValue::Object(entries));
            }
            if entries.len() == MAX_OBJECT_ENTRIES {
                return Err(self.error("at most 64 entries"));
            }
            let key = match self.peek() {
                Some(b'"' | b'\'') => self.string()?,
                _ => self.ident()?.to_string(),
            };
            self.skip_ws();
            self.expect(b':', "':'")?;
            self.skip_ws();
            let value = self.value(false)?;
            entries.push((key, value));
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {}
                _ => return Err(self.error("',' or '}'")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_real_forms() {
        let a = parse_assignments(
            r#"window.QRLogin.code = 200; window.QRLogin.uuid = "4dcaWx3uBw==";"#,
        )
        .unwrap();
        assert_eq!(a.get("window.QRLogin.code"), Some(&ScriptValue::Int(200)));
        assert_eq!(
            a.get("window.QRLogin.uuid"),
            Some(&ScriptValue::Str("4dcaWx3uBw==".into()))
        );
        let s = parse_assignments(r#"window.synccheck={retcode:"0",selector:"2"}"#).unwrap();
        let v = s.get("window.synccheck").unwrap();
        assert_eq!(v.get("retcode").and_then(ScriptValue::as_int), Some(0));
        assert_eq!(v.get("selector").and_then(ScriptValue::as_int), Some(2));
    }

    #[test]
    fn escapes_and_unicode() {
        let a = parse_assignments(r#"x.y = "a\"b\\c\u4e2d文\/";"#).unwrap();
        assert_eq!(
            a.get("x.y").and_then(ScriptValue::as_str),
            Some("a\"b\\c中文/")
        );
    }

    #[test]
    fn rejects_garbage_with_position() {
        assert_eq!(
            parse_assignments("window.code 200"),
            Err(ParseError::Script {
                at: 12,
                expected: "'='"
            })
        );
        assert!(parse_assignments("window.code=\"open").is_err());
        assert!(parse_assignments("window.code={a:{b:1}}").is_err());
        assert!(parse_assignments("<html>").is_err());
        assert_eq!(parse_assignments("").unwrap(), Assignments::default());
    }
}
