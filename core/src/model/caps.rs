//! The caps of the answer being read: entries per answer, messages per answer and string length
//! ([`Limits`]), which the model's serde readers apply while a `parse_*` function of
//! [`crate::parse`] reads an answer.
//!
//! serde hands a `Deserialize` impl no context, so the caps are kept in a thread-local for the
//! length of one parse ([`within`]) and put back as they were after it, even if the parse
//! unwinds. Outside a parse nothing is capped (a saved session being loaded, an embedder's own
//! serde call). No clock and no I/O: the same answer and limits always give the same result.

use crate::Limits;
use std::cell::Cell;

/// A cap that was passed: which, and its value.
pub(crate) type Exceeded = (&'static str, usize);

#[derive(Clone, Copy)]
struct Scope {
    max_entries: usize,
    max_messages: usize,
    max_string_bytes: usize,
    entries: usize,
    messages: usize,
    exceeded: Option<Exceeded>,
}

thread_local! {
    static SCOPE: Cell<Option<Scope>> = const { Cell::new(None) };
}

/// Puts the scope back as it was before [`within`], also on unwinding.
struct Restore(Option<Scope>);

impl Drop for Restore {
    fn drop(&mut self) {
        SCOPE.with(|s| s.set(self.0));
    }
}

/// Entries an answer may hold whatever its size; beyond them each must come with
/// [`Limits::min_entry_bytes`] of answer.
pub(crate) const FREE_ENTRIES: usize = 512;

/// Runs `parse` of an answer of `body_len` bytes with the caps of `limits`; also says which cap,
/// if any, was passed.
pub(crate) fn within<R>(
    limits: &Limits,
    body_len: usize,
    parse: impl FnOnce() -> R,
) -> (R, Option<Exceeded>) {
    let paid = FREE_ENTRIES.saturating_add(body_len / limits.min_entry_bytes.max(1));
    let scope = Scope {
        max_entries: limits.max_entries_per_answer.min(paid),
        max_messages: limits.max_messages_per_answer,
        max_string_bytes: limits.max_string_bytes,
        entries: 0,
        messages: 0,
        exceeded: None,
    };
    let restore = Restore(SCOPE.with(|s| s.replace(Some(scope))));
    let out = parse();
    let exceeded = SCOPE.with(Cell::get).and_then(|s| s.exceeded);
    drop(restore);
    (out, exceeded)
}

/// Counts one list entry about to be kept (`message`: an `AddMsgList` entry). `Err` with the
/// cap passed, once one is.
pub(crate) fn count_entry(message: bool) -> Result<(), Exceeded> {
    SCOPE.with(|cell| {
        let Some(mut scope) = cell.get() else {
            return Ok(());
        };
        scope.entries = scope.entries.saturating_add(1);
        scope.messages = scope.messages.saturating_add(usize::from(message));
        let passed = if scope.entries > scope.max_entries {
            Some(("entries in one answer", scope.max_entries))
        } else if scope.messages > scope.max_messages {
            Some(("messages in one answer", scope.max_messages))
        } else {
            None
        };
        scope.exceeded = scope.exceeded.or(passed);
        cell.set(Some(scope));
        passed.map_or(Ok(()), Err)
    })
}

/// The longest string kept: `max_string_bytes` during a parse, else no limit.
pub(crate) fn max_string_bytes() -> usize {
    SCOPE
        .with(Cell::get)
        .map_or(usize::MAX, |s| s.max_string_bytes)
}

/// `s` cut to at most `max` bytes, at the last character boundary within them.
pub(crate) fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let end = (0..=max)
        .rev()
        .find(|&i| s.is_char_boundary(i))
        .unwrap_or(0);
    s.get(..end).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_at_a_character_boundary() {
        assert_eq!(cut("abc", 5), "abc");
        assert_eq!(cut("abc", 2), "ab");
        assert_eq!(cut("a中b", 2), "a", "中 is 3 bytes: not split");
        assert_eq!(cut("a中b", 4), "a中");
        assert_eq!(cut("中", 0), "");
    }

    #[test]
    fn caps_hold_only_within_a_parse_and_count_every_entry() {
        let limits = Limits {
            max_entries_per_answer: 3,
            max_messages_per_answer: 1,
            max_string_bytes: 7,
            ..Limits::default()
        };
        assert_eq!(max_string_bytes(), usize::MAX);
        let ((), passed) = within(&limits, 1 << 20, || {
            assert_eq!(max_string_bytes(), 7);
            assert_eq!(count_entry(true), Ok(()));
            assert_eq!(
                count_entry(true),
                Err(("messages in one answer", 1)),
                "the second message"
            );
        });
        assert_eq!(passed, Some(("messages in one answer", 1)));
        let ((), passed) = within(&limits, 1 << 20, || {
            for _ in 0..3 {
                assert_eq!(count_entry(false), Ok(()));
            }
            assert_eq!(count_entry(false), Err(("entries in one answer", 3)));
        });
        assert_eq!(passed, Some(("entries in one answer", 3)));
        assert_eq!(max_string_bytes(), usize::MAX, "restored");
        assert_eq!(count_entry(true), Ok(()), "no cap outside a parse");
    }
}

#[cfg(test)]
mod size_tests {
    use super::*;

    #[test]
    fn entries_beyond_the_free_ones_are_paid_for_by_the_answer_size() {
        let limits = Limits::default();
        let count = |body_len: usize, n: usize| {
            within(&limits, body_len, || {
                (0..n).try_for_each(|_| count_entry(false))
            })
            .1
        };
        assert_eq!(count(0, FREE_ENTRIES), None);
        assert!(count(0, FREE_ENTRIES + 1).is_some());
        let body = 256 * 10_000;
        assert_eq!(count(body, FREE_ENTRIES + 10_000), None);
        assert!(count(body, FREE_ENTRIES + 10_001).is_some());
    }
}
