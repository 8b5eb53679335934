//! The contact store: every friend, group (with members), official and special account of the
//! session, queryable by user name and by display name.

use crate::Error;
use crate::message::decode_text;
use crate::{Contact, ContactKind, Member};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// How many contacts of each [`ContactKind`] the store holds.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct ContactCounts {
    /// People ([`ContactKind::Friend`]): friends, and the others the store knows (group
    /// members the server described, people who wrote to the account), so more than
    /// [`ContactStore::friends`] may give.
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
    /// names first. Names are compared decoded (entities, emoji spans), as
    /// [`decode_text`] gives them.
    pub fn find_by_name(&self, name: &str) -> Vec<&Contact> {
        let mut found: Vec<&Contact> = self
            .iter()
            .filter(|c| {
                same(&c.remark_name, name)
                    || same(&c.nick_name, name)
                    || same(&c.display_name, name)
            })
            .collect();
        found.sort_by_key(|c| !same(&c.remark_name, name));
        found
    }

    /// Contacts whose remark name (the name the account gave them) is exactly `remark`,
    /// compared decoded.
    pub fn by_remark<'a>(&'a self, remark: &'a str) -> impl Iterator<Item = &'a Contact> + 'a {
        self.iter().filter(move |c| same(&c.remark_name, remark))
    }

    /// Contacts whose nick name (their own name) is exactly `nick_name`, compared decoded.
    pub fn by_nick_name<'a>(
        &'a self,
        nick_name: &'a str,
    ) -> impl Iterator<Item = &'a Contact> + 'a {
        self.iter().filter(move |c| same(&c.nick_name, nick_name))
    }

    /// The contact whose alias (WeChat id, when the server shares it) is exactly `alias`.
    pub fn by_alias(&self, alias: &str) -> Option<&Contact> {
        if alias.is_empty() {
            return None;
        }
        self.iter().find(|c| c.alias == alias)
    }

    /// The member of `group` called `name` in it: the first whose group display name is
    /// `name`, else the first whose nick name is, compared decoded. `None` when the group or
    /// its members are not known, or no member has that name.
    pub fn find_member(&self, group: &str, name: &str) -> Option<&Member> {
        let members = &self.get(group)?.members;
        members
            .iter()
            .find(|m| same(&m.display_name, name))
            .or_else(|| members.iter().find(|m| same(&m.nick_name, name)))
    }

    /// Contacts whose remark name, nick name or alias contains `text`, compared decoded and
    /// without regard to ASCII case (`"tom"` finds `"Tom &amp; Jerry"`), in user-name order.
    /// An empty (or blank) `text` finds nothing. Linear in the size of the store's names.
    pub fn search<'a>(&'a self, text: &str) -> impl Iterator<Item = &'a Contact> + 'a {
        let needle = text.trim().to_ascii_lowercase();
        self.iter().filter(move |c| {
            !needle.is_empty()
                && [&c.remark_name, &c.nick_name, &c.alias]
                    .into_iter()
                    .any(|field| decoded(field).to_ascii_lowercase().contains(&needle))
        })
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

    /// Friends: people saved to the contacts ([`Contact::is_friend`]).
    pub fn friends(&self) -> impl Iterator<Item = &Contact> {
        self.iter().filter(|c| c.is_friend())
    }

    /// Groups ([`Contact::is_group`]), saved to the contacts or not.
    pub fn groups(&self) -> impl Iterator<Item = &Contact> {
        self.iter().filter(|c| c.is_group())
    }

    /// Official accounts ([`Contact::is_official`]: `VerifyFlag & 8`).
    pub fn officials(&self) -> impl Iterator<Item = &Contact> {
        self.iter().filter(|c| c.is_official())
    }

    /// Special accounts.
    pub fn specials(&self) -> impl Iterator<Item = &Contact> {
        self.of_kind(ContactKind::Special)
    }

    /// Muted chats ([`Contact::is_muted`]): groups and people.
    pub fn muted(&self) -> impl Iterator<Item = &Contact> {
        self.iter().filter(|c| c.is_muted())
    }

    /// Chats pinned to the top ([`Contact::is_pinned`]).
    pub fn pinned(&self) -> impl Iterator<Item = &Contact> {
        self.iter().filter(|c| c.is_pinned())
    }

    /// Blocked contacts ([`Contact::is_blocked`]).
    pub fn blocked(&self) -> impl Iterator<Item = &Contact> {
        self.iter().filter(|c| c.is_blocked())
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
    /// `EncryChatRoomId`, `ChatRoomOwner` or `Statues`) keeps what is already known.
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
                    if contact.chat_room_owner.is_empty() {
                        contact.chat_room_owner = std::mem::take(&mut old.chat_room_owner);
                    }
                    contact.statues = contact.statues.or(old.statues);
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

/// `s` decoded (entities, emoji spans, `<br/>`) when it holds anything to decode.
fn decoded(s: &str) -> Cow<'_, str> {
    if s.contains(['&', '<']) {
        Cow::Owned(decode_text(s))
    } else {
        Cow::Borrowed(s)
    }
}

/// Whether the name `stored` (as the server sent it) is `wanted` (plain text).
fn same(stored: &str, wanted: &str) -> bool {
    !stored.is_empty() && (stored == wanted || decoded(stored) == wanted)
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
    fn a_group_update_keeps_the_owner_and_statues_it_lacks() {
        let limits = crate::Limits::default();
        let mut store = ContactStore::default();
        let mut g = contact("@@g", "G", "", 0);
        g.chat_room_owner = "@o".into();
        g.statues = Some(0);
        store.upsert(g, &limits).unwrap();
        store.upsert(contact("@@g", "G2", "", 0), &limits).unwrap();
        let g = store.get("@@g").unwrap();
        assert_eq!(
            (g.nick_name.as_str(), g.chat_room_owner.as_str(), g.statues),
            ("G2", "@o", Some(0))
        );
        assert!(g.is_muted());
        // A new Statues overwrites (notifications turned back on).
        let mut on = contact("@@g", "G2", "", 0);
        on.statues = Some(1);
        store.upsert(on, &limits).unwrap();
        assert!(!store.get("@@g").unwrap().is_muted());
        assert_eq!(store.muted().count(), 0);
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
