//! `SyncKey`: the cursor of the message stream.

use super::lenient::{self, Entry};
use std::fmt;

/// One `{Key, Val}` pair.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct SyncKeyEntry {
    /// `Key`.
    #[serde(rename = "Key", deserialize_with = "lenient::uint")]
    pub key: u64,
    /// `Val`.
    #[serde(rename = "Val", deserialize_with = "lenient::uint")]
    pub val: u64,
}

impl Entry for SyncKeyEntry {
    fn is_kept(&self) -> bool {
        true
    }
}

/// `{"Count": n, "List": [{"Key": k, "Val": v}, ...]}`.
///
/// Its [`Display`](fmt::Display) is the synccheck form `k_v|k_v|...`.
#[derive(Clone, PartialEq, Eq, Debug, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct SyncKey {
    /// `Count` as sent (the list is authoritative).
    #[serde(rename = "Count", deserialize_with = "lenient::int")]
    pub count: i64,
    /// `List`.
    #[serde(rename = "List", deserialize_with = "lenient::list")]
    pub list: Vec<SyncKeyEntry>,
}

impl SyncKey {
    /// Whether the key has no entries (a `Count` of 0 or an empty list), which never replaces a
    /// held key.
    pub fn is_empty(&self) -> bool {
        self.count <= 0 || self.list.is_empty()
    }
}

impl fmt::Display for SyncKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.list.iter().enumerate() {
            if i > 0 {
                f.write_str("|")?;
            }
            write!(f, "{}_{}", e.key, e.val)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synccheck_form() {
        let k: SyncKey = serde_json::from_str(
            r#"{"Count":2,"List":[{"Key":1,"Val":636444437},{"Key":1000,"Val":"1463740202"}]}"#,
        )
        .unwrap();
        assert_eq!(k.to_string(), "1_636444437|1000_1463740202");
        assert!(!k.is_empty());
        assert!(SyncKey::default().is_empty());
    }
}
