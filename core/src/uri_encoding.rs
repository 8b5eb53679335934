//! The two ways the official page encodes a query value: `encodeURIComponent` where its code
//! concatenates a URL by hand (synccheck, logout, push login, jslogin's `redirect_uri`), and
//! Angular's `encodeUriQuery` for `$http` params (the interceptor's `pass_ticket` and `lang`,
//! webwxgetcontact's params), which is `encodeURIComponent` with `@ : $ , ;` left as they are
//! and a space as `+`.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// What `encodeURIComponent` encodes: everything but `A-Z a-z 0-9 - _ . ! ~ * ' ( )`.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// What Angular's `encodeUriQuery` encodes: [`COMPONENT`] but `@ : $ , ;` (the space is handled
/// apart: it becomes `+`).
const ANGULAR: &AsciiSet = &COMPONENT
    .remove(b'@')
    .remove(b':')
    .remove(b'$')
    .remove(b',')
    .remove(b';');

/// JavaScript's `encodeURIComponent(value)`.
pub(crate) fn component(value: &str) -> String {
    utf8_percent_encode(value, COMPONENT).to_string()
}

/// Angular 1's `encodeUriQuery(value)` as `$http` uses it for params.
pub(crate) fn angular(value: &str) -> String {
    value
        .split(' ')
        .map(|part| utf8_percent_encode(part, ANGULAR).to_string())
        .collect::<Vec<_>>()
        .join("+")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_the_browser() {
        // encodeURIComponent("@crypt_1a|2:b c/d?e=f&g+h%2B!~*'()")
        assert_eq!(
            component("@crypt_1a|2:b c/d?e=f&g+h%2B!~*'()"),
            "%40crypt_1a%7C2%3Ab%20c%2Fd%3Fe%3Df%26g%2Bh%252B!~*'()"
        );
        // Angular: the same, but @ : $ , ; kept and the space as +.
        assert_eq!(
            angular("@crypt_1a|2:b c/d?e=f&g+h%2B$,;"),
            "@crypt_1a%7C2:b+c%2Fd%3Fe%3Df%26g%2Bh%252B$,;"
        );
        // The server's already-encoded pass_ticket goes out encoded again.
        assert_eq!(angular("Vg%2Bq%3D"), "Vg%252Bq%253D");
        assert_eq!(component("中"), "%E4%B8%AD");
    }
}
