//! The sync cursor: the SyncKey that webwxsync posts and the SyncCheckKey that synccheck sends,
//! with the rules they follow (protocol §5): keys come from `webwxinit` and from webwxsync
//! answers; an empty key (`Count` 0) never replaces one; a key with more entries than
//! [`Limits::max_sync_key_entries`](crate::Limits::max_sync_key_entries) is refused; synccheck
//! falls back to the SyncKey until an answer carried a SyncCheckKey; and the keys advance only
//! once everything their answer carried was applied.

use crate::Error;
use crate::model::SyncKey;

/// See the module docs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct SyncCursor {
    sync_key: SyncKey,
    check_key: SyncKey,
}

impl SyncCursor {
    /// A cursor at `sync_key` and `check_key` (a saved session's).
    pub(crate) fn at(sync_key: SyncKey, check_key: SyncKey) -> SyncCursor {
        SyncCursor {
            sync_key,
            check_key,
        }
    }

    /// What webwxsync posts.
    pub(crate) fn sync_key(&self) -> &SyncKey {
        &self.sync_key
    }

    /// The SyncCheckKey as the server last sent it (empty until an answer carried one).
    pub(crate) fn check_key(&self) -> &SyncKey {
        &self.check_key
    }

    /// What synccheck sends: the SyncCheckKey, or the SyncKey until there is one.
    pub(crate) fn for_synccheck(&self) -> &SyncKey {
        if self.check_key.is_empty() {
            &self.sync_key
        } else {
            &self.check_key
        }
    }

    /// Refuses an answer's keys that are longer than `limit` entries.
    pub(crate) fn check(keys: [&SyncKey; 2], limit: usize) -> Result<(), Error> {
        if keys.iter().any(|k| k.list.len() > limit) {
            return Err(Error::LimitExceeded {
                what: "SyncKey entries",
                limit,
            });
        }
        Ok(())
    }

    /// Moves to the keys of an applied answer; an empty key leaves its part where it is.
    pub(crate) fn advance(&mut self, sync_key: SyncKey, check_key: SyncKey) {
        if !sync_key.is_empty() {
            self.sync_key = sync_key;
        }
        if !check_key.is_empty() {
            self.check_key = check_key;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SyncKeyEntry;

    fn key(vals: &[u64]) -> SyncKey {
        SyncKey {
            count: vals.len() as i64,
            list: vals
                .iter()
                .enumerate()
                .map(|(i, v)| SyncKeyEntry {
                    key: i as u64 + 1,
                    val: *v,
                })
                .collect(),
        }
    }

    #[test]
    fn empty_keys_never_replace_and_synccheck_falls_back() {
        let mut c = SyncCursor::default();
        c.advance(key(&[1, 2]), SyncKey::default());
        assert_eq!(c.for_synccheck(), &key(&[1, 2]));
        c.advance(SyncKey::default(), key(&[3]));
        assert_eq!(c.sync_key(), &key(&[1, 2]));
        assert_eq!(c.for_synccheck(), &key(&[3]));
        assert!(SyncCursor::check([&key(&[1, 2, 3]), &key(&[])], 2).is_err());
        assert!(SyncCursor::check([&key(&[1, 2]), &key(&[1])], 2).is_ok());
    }
}
