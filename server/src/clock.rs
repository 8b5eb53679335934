//! Time and randomness for the service (the core gets both from here, never by itself).

use rand_core::{OsRng, TryRngCore};
use std::time::{SystemTime, UNIX_EPOCH};

/// Now, in Unix milliseconds.
pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// `bytes` random bytes from the operating system, as lowercase hex.
pub(crate) fn random_hex(bytes: usize) -> Result<String, rand_core::OsError> {
    let mut buf = vec![0u8; bytes];
    OsRng.try_fill_bytes(&mut buf)?;
    Ok(hex(&buf))
}

/// A random number from the operating system.
pub(crate) fn random_u64() -> Result<u64, rand_core::OsError> {
    OsRng.try_next_u64()
}

/// Lowercase hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// A new LocalID (the core's form), made where the send is recorded, before any node makes it.
pub(crate) fn new_local_id() -> Result<String, rand_core::OsError> {
    let now = webwx_core::Timestamp::from_unix_millis(u64::try_from(now_ms()).unwrap_or(0));
    let draw = u32::try_from(random_u64()? >> 32).unwrap_or(0);
    Ok(webwx_core::local_id(now, draw))
}
