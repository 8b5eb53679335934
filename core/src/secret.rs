//! A wrapper that keeps secrets out of `Debug` output and logs.

use std::fmt;

/// A value that must never be printed: skey, sid, pass_ticket, tickets, cookie values.
///
/// `Debug` prints `<redacted>`; there is no `Display`. Read the value with [`Secret::expose`]
/// only where it goes on the wire.
#[derive(Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    /// Wraps a secret value.
    pub const fn new(value: T) -> Self {
        Secret(value)
    }

    /// The secret value, for putting it on the wire.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl<T> From<T> for Secret<T> {
    fn from(value: T) -> Self {
        Secret(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let s = Secret::new("@crypt_secret".to_string());
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert_eq!(s.expose(), "@crypt_secret");
    }
}
