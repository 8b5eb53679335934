//! [`GroupPart`]: what only a group has, boxed apart from the [`Contact`](crate::Contact) so a
//! person does not carry it.

use super::Member;

/// `OwnerUin`, `IsOwner`, `ChatRoomOwner`, `Statues`, `MemberCount`, `MemberList`,
/// `EncryChatRoomId`.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub(super) struct GroupPart {
    pub(super) owner_uin: u64,
    pub(super) is_owner: bool,
    pub(super) chat_room_owner: String,
    pub(super) statues: Option<i64>,
    pub(super) member_count: i64,
    pub(super) members: Vec<Member>,
    pub(super) encry_chat_room_id: String,
}

/// The empty group part: what a contact without one reads.
pub(super) static EMPTY: GroupPart = GroupPart {
    owner_uin: 0,
    is_owner: false,
    chat_room_owner: String::new(),
    statues: None,
    member_count: 0,
    members: Vec::new(),
    encry_chat_room_id: String::new(),
};

impl GroupPart {
    /// Whether nothing is set.
    pub(super) fn is_empty(&self) -> bool {
        *self == EMPTY
    }

    /// The heap bytes held: the part itself, its strings and its members'.
    pub(super) fn heap_bytes(&self) -> usize {
        std::mem::size_of::<GroupPart>()
            + self.chat_room_owner.capacity()
            + self.encry_chat_room_id.capacity()
            + self.members.capacity() * std::mem::size_of::<Member>()
            + self
                .members
                .iter()
                .map(|m| {
                    m.user_name.capacity() + m.nick_name.capacity() + m.display_name.capacity()
                })
                .sum::<usize>()
    }
}
