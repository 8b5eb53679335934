//! [`Member`]: one member of a group.

use crate::model::RawMember;

/// One member of a group.
#[derive(Clone, PartialEq, Eq, Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Member {
    /// `Uin`.
    #[serde(rename = "Uin")]
    pub uin: u64,
    /// `UserName`.
    #[serde(rename = "UserName")]
    pub user_name: String,
    /// `NickName`.
    #[serde(rename = "NickName")]
    pub nick_name: String,
    /// `DisplayName`: the member's name in this group, when set.
    #[serde(rename = "DisplayName")]
    pub display_name: String,
    /// `AttrStatus`.
    #[serde(rename = "AttrStatus")]
    pub attr_status: i64,
}

impl Member {
    /// A member with this user name and nick name.
    pub fn new(user_name: impl Into<String>, nick_name: impl Into<String>) -> Member {
        Member {
            user_name: user_name.into(),
            nick_name: nick_name.into(),
            ..Member::default()
        }
    }

    /// The name to show in the group: the group display name when set, else the nick name, else
    /// the user name.
    pub fn display(&self) -> &str {
        [&self.display_name, &self.nick_name]
            .into_iter()
            .find(|s| !s.is_empty())
            .unwrap_or(&self.user_name)
    }
}

impl From<RawMember> for Member {
    fn from(raw: RawMember) -> Member {
        Member {
            uin: raw.uin,
            user_name: raw.user_name,
            nick_name: raw.nick_name,
            display_name: raw.display_name,
            attr_status: raw.attr_status,
        }
    }
}
