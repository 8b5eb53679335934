//! The contact store: every friend, group (with members), official and special account of the
//! session, queryable by user name and by display name.

use crate::Error;
use crate::message::decode_text;
use crate::{Contact, ContactKind, Member};
use std::borrow::{Borrow, Cow};
use std::collections::BTreeSet;

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
///
/// Saved (serde), it is the list of its contacts in user-name order, each with the server's
/// field names. Every change counts in its [`revision`](ContactStore::revision), so a saver
/// writes the contacts again only when they changed.
#[derive(Clone, Debug, Default)]
pub struct ContactStore {
    /// Keyed by the contact's own user name (no second copy of it as a key). Boxed: a B-tree
    /// node holds 11 entries, so unboxed a store of one contact would already cost 11 contacts'
    /// room; boxed, a node costs 11 pointers.
    contacts: BTreeSet<Entry>,
    /// Changes so far (not saved: it counts this process's changes).
    revision: u64,
}

/// A contact in the store, ordered and found by its user name.
#[derive(Clone, Debug)]
struct Entry(Box<Contact>);

impl Borrow<str> for Entry {
    fn borrow(&self) -> &str {
        self.0.user_name()
    }
}

impl PartialEq for Entry {
    fn eq(&self, other: &Entry) -> bool {
        self.0.user_name() == other.0.user_name()
    }
}

impl Eq for Entry {}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Entry) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Entry {
    fn cmp(&self, other: &Entry) -> std::cmp::Ordering {
        self.0.user_name().cmp(other.0.user_name())
    }
}

impl ContactStore {
    /// The contact with this user name.
    pub fn get(&self, user_name: &str) -> Option<&Contact> {
        self.contacts.get(user_name).map(|c| &*c.0)
    }

    /// A number that changes whenever a contact is added, changed or removed (not when an
    /// update brings nothing new), so a saver can tell whether the contacts changed since it
    /// last wrote them. It starts at 0 in each process (it is not saved).
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// The resident bytes the store's contacts hold: each contact's struct, its box and its
    /// heap parts (an estimate below what the allocator rounds up to).
    pub fn heap_bytes(&self) -> usize {
        self.iter()
            .map(|c| std::mem::size_of::<Contact>() + c.heap_bytes())
            .sum()
    }

    /// Contacts whose remark name, nick name or (group) display name is exactly `name`, remark
    /// names first. Names are compared decoded (entities, emoji spans), as
    /// [`decode_text`] gives them.
    pub fn find_by_name(&self, name: &str) -> Vec<&Contact> {
        let mut found: Vec<&Contact> = self
            .iter()
            .filter(|c| {
                same(c.remark_name(), name)
                    || same(c.nick_name(), name)
                    || same(c.display_name(), name)
            })
            .collect();
        found.sort_by_key(|c| !same(c.remark_name(), name));
        found
    }

    /// Contacts whose remark name (the name the account gave them) is exactly `remark`,
    /// compared decoded.
    pub fn by_remark<'a>(&'a self, remark: &'a str) -> impl Iterator<Item = &'a Contact> + 'a {
        self.iter().filter(move |c| same(c.remark_name(), remark))
    }

    /// Contacts whose nick name (their own name) is exactly `nick_name`, compared decoded.
    pub fn by_nick_name<'a>(
        &'a self,
        nick_name: &'a str,
    ) -> impl Iterator<Item = &'a Contact> + 'a {
        self.iter().filter(move |c| same(c.nick_name(), nick_name))
    }

    /// The contact whose alias (WeChat id, when the server shares it) is exactly `alias`.
    pub fn by_alias(&self, alias: &str) -> Option<&Contact> {
        if alias.is_empty() {
            return None;
        }
        self.iter().find(|c| c.alias() == alias)
    }

    /// The member of `group` called `name` in it: the first whose group display name is
    /// `name`, else the first whose nick name is, compared decoded. `None` when the group or
    /// its members are not known, or no member has that name.
    pub fn find_member(&self, group: &str, name: &str) -> Option<&Member> {
        let members = self.get(group)?.members();
        members
            .iter()
            .find(|m| same(&m.display_name, name))
            .or_else(|| members.iter().find(|m| same(&m.nick_name, name)))
    }

    /// Contacts whose remark name, nick name or alias contains `text`, compared decoded and
    /// without regard to ASCII case (`"tom"` finds `"Tom &amp; Jerry"`), in user-name order.
    /// An empty (or blank) `text` finds nothing. Linear in the size of the store's names.
    pub fn search<'a>(&'a self, text: &str) -> impl Iterator<Item = &'a Contact> + 'a {
        let needle = text.trim().to_string();
        self.iter().filter(move |c| {
            !needle.is_empty()
                && [c.remark_name(), c.nick_name(), c.alias()]
                    .into_iter()
                    .any(|field| contains_ignoring_ascii_case(&decoded(field), &needle))
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
        self.contacts.iter().map(|c| &*c.0)
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
                    counts.group_members += c.members().len();
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
        if contact.user_name().is_empty() {
            return Ok(false);
        }
        if contact.members().len() > limits.max_group_members {
            return Err(Error::LimitExceeded {
                what: "members of one group",
                limit: limits.max_group_members,
            });
        }
        match self.contacts.take(contact.user_name()) {
            Some(Entry(mut old)) => {
                if contact.kind() == ContactKind::Group {
                    contact.keep_group_parts_of(&old);
                }
                if *old != contact {
                    self.revision += 1;
                    *old = contact;
                }
                self.contacts.insert(Entry(old));
            }
            None => {
                if self.contacts.len() >= limits.max_contacts {
                    return Err(Error::LimitExceeded {
                        what: "contacts",
                        limit: limits.max_contacts,
                    });
                }
                self.revision += 1;
                self.contacts.insert(Entry(Box::new(contact)));
            }
        }
        Ok(true)
    }

    /// Adds `contact`, or replaces the one with its user name (whole: no group parts are
    /// kept from the old one), returning the one replaced. For an application's own copy of
    /// the store, kept current with [`Event::ContactChanged`](crate::Event::ContactChanged),
    /// which carries the contact as the session's store has it. A contact without a user name
    /// is not stored.
    pub fn insert(&mut self, contact: Contact) -> Option<Contact> {
        if contact.user_name().is_empty() {
            return None;
        }
        self.revision += 1;
        self.contacts
            .replace(Entry(Box::new(contact)))
            .map(|e| *e.0)
    }

    /// Removes a contact, returning it.
    pub fn remove(&mut self, user_name: &str) -> Option<Contact> {
        let removed = self.contacts.take(user_name).map(|c| *c.0);
        if removed.is_some() {
            self.revision += 1;
        }
        removed
    }
}

impl serde::Serialize for ContactStore {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de> serde::Deserialize<'de> for ContactStore {
    /// Reads the list of contacts (a contact without a user name is dropped; of two with the
    /// same user name, the last is kept).
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<ContactStore, D::Error> {
        struct List;
        impl<'de> serde::de::Visitor<'de> for List {
            type Value = ContactStore;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a list of contacts")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<ContactStore, A::Error> {
                // Built whole from the list (saved in user-name order, so the sort is one pass
                // and the tree is built bottom-up, without a search per contact).
                let mut list = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 16));
                while let Some(contact) = seq.next_element::<Contact>()? {
                    if !contact.user_name().is_empty() {
                        list.push(Entry(Box::new(contact)));
                    }
                }
                Ok(ContactStore {
                    // A stable sort, and of equal entries the tree keeps the last.
                    contacts: BTreeSet::from_iter(list),
                    revision: 0,
                })
            }
        }
        deserializer.deserialize_seq(List)
    }
}

/// `s` decoded (entities, emoji spans, `<br/>`) when it holds anything to decode.
fn decoded(s: &str) -> Cow<'_, str> {
    if s.bytes().any(|b| b == b'&' || b == b'<') {
        Cow::Owned(decode_text(s))
    } else {
        Cow::Borrowed(s)
    }
}

/// Whether `haystack` contains `needle`, ASCII letters compared without regard to case (no
/// lowered copies made: a search looks at every contact's names).
fn contains_ignoring_ascii_case(haystack: &str, needle: &str) -> bool {
    let (hay, needle) = (haystack.as_bytes(), needle.as_bytes());
    needle.is_empty()
        || hay
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
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
        let mut c = Contact::new(user_name, nick);
        c.set_remark_name(remark);
        c.set_verify_flag(verify);
        c
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
        group.set_members(vec![
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
        ]);
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
            .map(|c| c.user_name())
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
        assert_eq!(store.get("@@g").unwrap().members().len(), 2);
        assert_eq!(store.get("@@g").unwrap().nick_name(), "家庭群");
    }

    #[test]
    fn a_group_update_keeps_the_owner_and_statues_it_lacks() {
        let limits = crate::Limits::default();
        let mut store = ContactStore::default();
        let mut g = contact("@@g", "G", "", 0);
        g.set_chat_room_owner("@o");
        g.set_statues(Some(0));
        store.upsert(g, &limits).unwrap();
        store.upsert(contact("@@g", "G2", "", 0), &limits).unwrap();
        let g = store.get("@@g").unwrap();
        assert_eq!(
            (g.nick_name(), g.chat_room_owner(), g.statues()),
            ("G2", "@o", Some(0))
        );
        assert!(g.is_muted());
        // A new Statues overwrites (notifications turned back on).
        let mut on = contact("@@g", "G2", "", 0);
        on.set_statues(Some(1));
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
        g.set_members(vec![Member::default(), Member::default()]);
        assert!(matches!(
            store.upsert(g, &limits),
            Err(Error::LimitExceeded { .. })
        ));
    }

    #[test]
    fn the_revision_moves_with_changes_only() {
        let limits = crate::Limits::default();
        let mut store = ContactStore::default();
        assert_eq!(store.revision(), 0);
        store.upsert(contact("@a", "A", "", 0), &limits).unwrap();
        assert_eq!(store.revision(), 1);
        store.upsert(contact("@a", "A", "", 0), &limits).unwrap();
        assert_eq!(store.revision(), 1, "the same contact again is no change");
        store
            .upsert(contact("@a", "A", "remark", 0), &limits)
            .unwrap();
        assert_eq!(store.revision(), 2);
        let mut g = contact("@@g", "G", "", 0);
        g.set_members(vec![Member::new("@a", "A")]);
        store.upsert(g, &limits).unwrap();
        store.upsert(contact("@@g", "G", "", 0), &limits).unwrap();
        assert_eq!(
            store.revision(),
            3,
            "a group update without members keeps them: no change"
        );
        assert!(store.remove("@none").is_none());
        assert_eq!(store.revision(), 3);
        store.remove("@a");
        assert_eq!(store.revision(), 4);
        store.insert(contact("@b", "B", "", 0));
        assert_eq!(store.revision(), 5);
        assert!(store.insert(Contact::new("", "nameless")).is_none());
        assert_eq!(store.len(), 2);
    }

    #[test]
    fn saved_as_a_list_of_contacts_and_read_back() {
        let limits = crate::Limits::default();
        let mut store = ContactStore::default();
        store.upsert(contact("@b", "Bob", "", 0), &limits).unwrap();
        store
            .upsert(contact("@a", "Alice", "A", 24), &limits)
            .unwrap();
        let mut g = contact("@@g", "G", "", 0);
        g.set_members(vec![Member::new("@a", "Alice")]);
        g.set_statues(Some(0));
        store.upsert(g, &limits).unwrap();
        let json = serde_json::to_value(&store).unwrap();
        let list = json.as_array().unwrap();
        let names: Vec<&str> = list
            .iter()
            .map(|c| c["UserName"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["@@g", "@a", "@b"], "in user-name order");
        // Empty and zero fields are left out.
        assert_eq!(
            list[2],
            serde_json::json!({"UserName": "@b", "NickName": "Bob"})
        );
        let back: ContactStore = serde_json::from_value(json).unwrap();
        assert_eq!(
            back.iter().collect::<Vec<_>>(),
            store.iter().collect::<Vec<_>>()
        );
        assert_eq!(back.revision(), 0, "a store read back starts at 0");
        // Nameless entries are dropped, a repeated name keeps the last.
        let odd: ContactStore = serde_json::from_value(serde_json::json!([
            {"NickName": "nobody"}, {"UserName": "@x", "NickName": "1"},
            {"UserName": "@x", "NickName": "2"}
        ]))
        .unwrap();
        assert_eq!(odd.len(), 1);
        assert_eq!(odd.get("@x").unwrap().nick_name(), "2");
    }
}
