//! The contact store: every friend, group (with members), official and special account of the
//! session, queryable by user name and by display name.

use crate::Error;
use crate::{Contact, ContactKind};
use std::collections::BTreeMap;

/// How many contacts of each kind the store holds.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct ContactCounts {
    /// Friends.
    pub friends: usize,
    /// Groups.
    pub groups: usize,
    /// Official accounts.
    pub officials: usize,
    /// Special accounts.
    pub specials: usize,
    /// Members over all groups.
    pub group_members: usize,
}

/// The session's contacts, keyed by user name (iteration is in user-name order, so everything
/// derived from the store is deterministic).
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct ContactStore {
    /// Boxed: a B-tree node holds 11 entries, so unboxed a store of one contact would already
    /// cost 11 contacts' room; boxed, a node costs 11 pointers.
    contacts: BTreeMap<String, Box<Contact>>,
}

impl ContactStore {
    /// The contact with this user name.
    pub fn get(&self, user_name: &str) -> Option<&Contact> {
        self.contacts.get(user_name).map(|c| &**c)
    }

    /// Contacts whose remark name, nick name or (group) display name is exactly `name`, remark
    /// names first.
    pub fn find_by_name(&self, name: &str) -> Vec<&Contact> {
        let mut found: Vec<&Contact> = self
            .iter()
            .filter(|c| c.remark_name == name || c.nick_name == name || c.display_name == name)
            .collect();
        found.sort_by_key(|c| c.remark_name != name);
        found
    }

    /// The name to show for `member` in `group`: the member's group display name, else the
    /// member's nick name, else the contact's own display name; `None` if unknown.
    pub fn member_display_name(&self, group: &str, member: &str) -> Option<&str> {
        if let Some(m) = self.get(group).and_then(|g| g.member(member)) {
            return Some(m.display());
        }
        self.get(member).map(Contact::display)
    }

    /// Every contact, in user-name order.
    pub fn iter(&self) -> impl Iterator<Item = &Contact> {
        self.contacts.values().map(|c| &**c)
    }

    /// The contacts of one kind.
    pub fn of_kind(&self, kind: ContactKind) -> impl Iterator<Item = &Contact> {
        self.iter().filter(move |c| c.kind() == kind)
    }

    /// Friends.
    pub fn friends(&self) -> impl Iterator<Item = &Contact> {
        self.of_kind(ContactKind::Friend)
    }

    /// Groups.
    pub fn groups(&self) -> impl Iterator<Item = &Contact> {
        self.of_kind(ContactKind::Group)
    }

    /// Official accounts.
    pub fn officials(&self) -> impl Iterator<Item = &Contact> {
        self.of_kind(ContactKind::Official)
    }

    /// Special accounts.
    pub fn specials(&self) -> impl Iterator<Item = &Contact> {
        self.of_kind(ContactKind::Special)
    }

    /// How many contacts there are.
    pub fn len(&self) -> usize {
        self.contacts.len()
    }

    /// Whether the store is empty.
    pub fn is_empty(&self) -> bool {
        self.contacts.is_empty()
    }

    /// Counts by kind.
    pub fn counts(&self) -> ContactCounts {
        let mut counts = ContactCounts::default();
        for c in self.iter() {
            match c.kind() {
                ContactKind::Friend => counts.friends += 1,
                ContactKind::Group => {
                    counts.groups += 1;
                    counts.group_members += c.members.len();
                }
                ContactKind::Official => counts.officials += 1,
                ContactKind::Special => counts.specials += 1,
            }
        }
        counts
    }

    /// Adds or replaces a contact: `Ok(true)` when it was stored, `Ok(false)` when it was ignored
    /// (a contact without a user name). A group answer without members (or without its
    /// `EncryChatRoomId`) keeps what is already known.
    pub(crate) fn upsert(
        &mut self,
        contact: impl Into<Contact>,
        limits: &crate::Limits,
    ) -> Result<bool, Error> {
        let mut contact = contact.into();
        if contact.user_name.is_empty() {
            return Ok(false);
        }
        if contact.members.len() > limits.max_group_members {
            return Err(Error::LimitExceeded {
                what: "members of one group",
                limit: limits.max_group_members,
            });
        }
        match self.contacts.get_mut(&contact.user_name) {
            Some(old) => {
                if contact.kind() == ContactKind::Group {
                    if contact.members.is_empty() {
                        contact.members = std::mem::take(&mut old.members);
                    }
                    if contact.encry_chat_room_id.is_empty() {
                        contact.encry_chat_room_id = std::mem::take(&mut old.encry_chat_room_id);
                    }
                }
                **old = contact;
            }
            None => {
                if self.contacts.len() >= limits.max_contacts {
                    return Err(Error::LimitExceeded {
                        what: "contacts",
                        limit: limits.max_contacts,
                    });
                }
                self.contacts
                    .insert(contact.user_name.clone(), Box::new(contact));
            }
        }
        Ok(true)
    }

    /// Removes a contact.
    pub(crate) fn remove(&mut self, user_name: &str) -> Option<Contact> {
        self.contacts.remove(user_name).map(|c| *c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Member;

    fn contact(user_name: &str, nick: &str, remark: &str, verify: i64) -> Contact {
        Contact {
            user_name: user_name.into(),
            nick_name: nick.into(),
            remark_name: remark.into(),
            verify_flag: verify,
            ..Contact::default()
        }
    }

    #[test]
    fn kinds_lookup_and_member_names() {
        let limits = crate::Limits::default();
        let mut store = ContactStore::default();
        store
            .upsert(contact("@a", "Alice", "", 0), &limits)
            .unwrap();
        store
            .upsert(contact("@b", "Bob", "Alice", 0), &limits)
            .unwrap();
        store
            .upsert(contact("@o", "News", "", 24), &limits)
            .unwrap();
        store
            .upsert(contact("filehelper", "文件传输助手", "", 0), &limits)
            .unwrap();
        let mut group = contact("@@g", "家庭", "", 0);
        group.members = vec![
            Member {
                user_name: "@a".into(),
                nick_name: "Alice".into(),
                display_name: "妈妈".into(),
                ..Member::default()
            },
            Member {
                user_name: "@x".into(),
                nick_name: "Xi".into(),
                ..Member::default()
            },
        ];
        store.upsert(group, &limits).unwrap();
        assert!(!store.upsert(contact("", "nobody", "", 0), &limits).unwrap());
        assert!(store.upsert(contact("@n", "N", "", 0), &limits).unwrap());
        store.remove("@n");

        let counts = store.counts();
        assert_eq!(
            counts,
            ContactCounts {
                friends: 2,
                groups: 1,
                officials: 1,
                specials: 1,
                group_members: 2
            }
        );
        let alice: Vec<_> = store
            .find_by_name("Alice")
            .iter()
            .map(|c| c.user_name.as_str())
            .collect();
        assert_eq!(alice, ["@b", "@a"], "remark names first");
        assert_eq!(store.member_display_name("@@g", "@a"), Some("妈妈"));
        assert_eq!(store.member_display_name("@@g", "@x"), Some("Xi"));
        assert_eq!(store.member_display_name("@@g", "@o"), Some("News"));
        assert_eq!(store.member_display_name("@@g", "@none"), None);

        // A group update without members keeps the known members.
        store
            .upsert(contact("@@g", "家庭群", "", 0), &limits)
            .unwrap();
        assert_eq!(store.get("@@g").unwrap().members.len(), 2);
        assert_eq!(store.get("@@g").unwrap().nick_name, "家庭群");
    }

    #[test]
    fn limits_are_enforced() {
        let limits = crate::Limits {
            max_contacts: 1,
            max_group_members: 1,
            ..Default::default()
        };
        let mut store = ContactStore::default();
        store.upsert(contact("@a", "A", "", 0), &limits).unwrap();
        assert!(matches!(
            store.upsert(contact("@b", "B", "", 0), &limits),
            Err(Error::LimitExceeded { .. })
        ));
        let mut g = contact("@a", "A", "", 0);
        g.members = vec![Member::default(), Member::default()];
        assert!(matches!(
            store.upsert(g, &limits),
            Err(Error::LimitExceeded { .. })
        ));
    }
}
