//! What a finished operation did ([`Event::Done`](crate::Event::Done)).

use crate::Contact;

/// The outcome of an operation (revoke, friend request, remark, pin, group change, search).
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum Outcome {
    /// The message was taken back (`webwxrevokemsg`).
    Revoked {
        /// The server's id of the message.
        msg_id: String,
    },
    /// The friend request of `user_name` was accepted; the new friend arrives as a contact
    /// change.
    FriendAccepted {
        /// Who asked.
        user_name: String,
    },
    /// A friend request was sent to `user_name`.
    FriendRequested {
        /// To whom.
        user_name: String,
    },
    /// The remark of `user_name` is `remark` (also in the contact store).
    RemarkSet {
        /// Whose.
        user_name: String,
        /// The remark (empty: none).
        remark: String,
    },
    /// The chat `user_name` is pinned, or not (also in the contact store).
    Pinned {
        /// Which chat.
        user_name: String,
        /// Pinned or not.
        pinned: bool,
    },
    /// The group `group` was created (it is in the contact store), with its topic set right
    /// after when one was asked for (`topic_set` says whether that worked).
    GroupCreated {
        /// The new group's user name (`@@…`).
        group: String,
        /// Whether the topic asked for was set.
        topic_set: bool,
    },
    /// Members were added to `group` (`invited`: through an invitation, as the official client
    /// does once the group would reach 40 members).
    MembersAdded {
        /// The group.
        group: String,
        /// Who was added.
        members: Vec<String>,
        /// Invited rather than added.
        invited: bool,
    },
    /// Members were removed from `group`.
    MembersRemoved {
        /// The group.
        group: String,
        /// Who was removed.
        members: Vec<String>,
    },
    /// The group was renamed.
    GroupRenamed {
        /// The group.
        group: String,
        /// Its new name.
        topic: String,
    },
    /// The account left the group (it is gone from the contact store).
    GroupQuit {
        /// The group.
        group: String,
    },
    /// What `webwxsearchcontact` found.
    Found(Vec<Contact>),
}
