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

/// A new LocalID in the official client's form (the milliseconds, `0`, three digits), made
/// where the send is recorded, before any node makes it.
pub(crate) fn new_local_id() -> Result<String, rand_core::OsError> {
    Ok(format!("{}0{:03}", now_ms(), random_u64()? % 1000))
}
