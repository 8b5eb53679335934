//! [`Texts`]: the text fields of a contact in one allocation, so a contact costs one string's
//! allocation however many of its nine text fields are set (a `String` per field costs 24 bytes
//! in the struct plus an allocation, with its allocator overhead, for each one set).

/// The text fields of a [`Contact`](crate::Contact), in their order in the buffer.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Field {
    /// `UserName`.
    UserName,
    /// `NickName`.
    NickName,
    /// `RemarkName`.
    RemarkName,
    /// `DisplayName`.
    DisplayName,
    /// `HeadImgUrl`.
    HeadImgUrl,
    /// `Signature`.
    Signature,
    /// `Province`.
    Province,
    /// `City`.
    City,
    /// `Alias`.
    Alias,
}

/// How many text fields a contact has.
pub(crate) const FIELDS: usize = 9;

/// Where `HeadImgUrl` is among them.
const HEAD: usize = Field::HeadImgUrl as usize;

/// The fields' values, concatenated, and where each one ends.
///
/// `HeadImgUrl` is kept short when it has the server's usual shape,
/// `/cgi-bin/mmwebwx-bin/webwxgeticon?seq=<seq>&username=<UserName>&skey=` (or
/// `webwxgetheadimg` for a group): only `<seq>` is held, with a mark, and the URL is made
/// again when it is read ([`Texts::head_img_url`]). It is a third of a contact's text.
#[derive(Clone, PartialEq, Eq, Default)]
pub(crate) struct Texts {
    buf: Box<str>,
    /// The end of each field but the last (which ends where the buffer does); the top bit of
    /// the `HeadImgUrl` entry is the mark of its short form (see [`Short`]).
    ends: [u32; FIELDS - 1],
}

/// The top bit of an end: the `HeadImgUrl` held is the short form of an icon URL.
const SHORT_ICON: u32 = 1 << 31;
/// The next bit: the short form of a group's head image URL.
const SHORT_HEAD: u32 = 1 << 30;
/// The bits of an end that are the offset.
const OFFSET: u32 = SHORT_HEAD - 1;

/// The path of the server's usual avatar URLs, before `<kind>?seq=`.
const AVATAR_PATH: &str = "/cgi-bin/mmwebwx-bin/";

/// The short forms of `HeadImgUrl`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Short {
    /// `webwxgeticon`.
    Icon,
    /// `webwxgetheadimg`.
    HeadImg,
}

impl Short {
    fn kind(self) -> &'static str {
        match self {
            Short::Icon => "webwxgeticon",
            Short::HeadImg => "webwxgetheadimg",
        }
    }

    fn bit(self) -> u32 {
        match self {
            Short::Icon => SHORT_ICON,
            Short::HeadImg => SHORT_HEAD,
        }
    }

    /// The `<seq>` of `url` when it is exactly the usual URL of `user_name`.
    fn of<'u>(url: &'u str, user_name: &str) -> Option<(Short, &'u str)> {
        let rest = url.strip_prefix(AVATAR_PATH)?;
        [Short::Icon, Short::HeadImg].into_iter().find_map(|short| {
            let seq = rest
                .strip_prefix(short.kind())?
                .strip_prefix("?seq=")?
                .strip_suffix("&skey=")?
                .strip_suffix(user_name)?
                .strip_suffix("&username=")?;
            (!seq.is_empty() && seq.bytes().all(|b| b.is_ascii_digit())).then_some((short, seq))
        })
    }
}

impl Texts {
    /// The texts `values`, in [`Field`] order. A field that would take the buffer past
    /// `u32::MAX` bytes is left empty (a contact's fields are capped far below that as they are
    /// read from the server).
    pub(crate) fn new(values: [&str; FIELDS]) -> Texts {
        let mut values = values;
        let short = Short::of(values[HEAD], values[0]);
        if let Some((_, seq)) = short {
            values[HEAD] = seq;
        }
        let total: usize = values.iter().map(|v| v.len()).sum();
        let mut buf = String::with_capacity(total.min(OFFSET as usize));
        let mut ends = [0u32; FIELDS - 1];
        for (i, value) in values.into_iter().enumerate() {
            if buf.len() + value.len() <= OFFSET as usize {
                buf.push_str(value);
            }
            if let Some(end) = ends.get_mut(i) {
                *end = u32::try_from(buf.len()).unwrap_or(OFFSET);
            }
        }
        if let (Some((short, _)), Some(end)) = (short, ends.get_mut(Field::HeadImgUrl as usize)) {
            *end |= short.bit();
        }
        Texts {
            buf: buf.into_boxed_str(),
            ends,
        }
    }

    /// The value of `field` as held (the short form of a `HeadImgUrl`: see
    /// [`Texts::head_img_url`]).
    pub(crate) fn get(&self, field: Field) -> &str {
        self.get_at(field as usize)
    }

    /// The value of the field at `i` in [`Field`] order, as held.
    fn get_at(&self, i: usize) -> &str {
        let start = match i.checked_sub(1) {
            Some(before) => self.ends.get(before).map_or(0, |&e| (e & OFFSET) as usize),
            None => 0,
        };
        let end = self
            .ends
            .get(i)
            .map_or(self.buf.len(), |&e| (e & OFFSET) as usize);
        self.buf.get(start..end).unwrap_or_default()
    }

    /// `HeadImgUrl`, made whole again when it is held short.
    pub(crate) fn head_img_url(&self) -> std::borrow::Cow<'_, str> {
        let held = self.get(Field::HeadImgUrl);
        let mark = self
            .ends
            .get(Field::HeadImgUrl as usize)
            .map_or(0, |e| e & !OFFSET);
        let short = match mark {
            SHORT_ICON => Short::Icon,
            SHORT_HEAD => Short::HeadImg,
            _ => return std::borrow::Cow::Borrowed(held),
        };
        std::borrow::Cow::Owned(format!(
            "{AVATAR_PATH}{}?seq={held}&username={}&skey=",
            short.kind(),
            self.get(Field::UserName)
        ))
    }

    /// Every value as held, in [`Field`] order (for rebuilding: [`Texts::new`] takes a held
    /// short `HeadImgUrl` as a plain text, so callers that rebuild use [`Texts::set`]).
    fn all(&self) -> [&str; FIELDS] {
        std::array::from_fn(|i| self.get_at(i))
    }

    /// Sets `field` to `value` (the buffer is rebuilt: setting is rare, reading is not).
    pub(crate) fn set(&mut self, field: Field, value: &str) {
        let head = self.head_img_url();
        let rebuilt = {
            let mut values = self.all();
            values[HEAD] = &head;
            if let Some(slot) = values.get_mut(field as usize) {
                *slot = value;
            }
            Texts::new(values)
        };
        *self = rebuilt;
    }

    /// The bytes of text held.
    pub(crate) fn len(&self) -> usize {
        self.buf.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_read_back_and_set_alone() {
        let mut t = Texts::new(["@a", "", "Remark", "", "/icon", "", "广东", "深圳", "alias"]);
        assert_eq!(t.get(Field::UserName), "@a");
        assert_eq!(t.get(Field::NickName), "");
        assert_eq!(t.get(Field::RemarkName), "Remark");
        assert_eq!(t.get(Field::City), "深圳");
        assert_eq!(t.get(Field::Alias), "alias");
        t.set(Field::NickName, "昵称");
        t.set(Field::Alias, "");
        assert_eq!(
            t.all(),
            ["@a", "昵称", "Remark", "", "/icon", "", "广东", "深圳", ""]
        );
        assert_eq!(t.len(), "@a昵称Remark/icon广东深圳".len());
        assert_eq!(Texts::default().all(), [""; FIELDS]);
    }

    #[test]
    fn the_usual_avatar_url_is_held_short_and_read_whole() {
        let icon = "/cgi-bin/mmwebwx-bin/webwxgeticon?seq=620802813&username=@7f50&skey=";
        let mut t = Texts::new(["@7f50", "N", "", "", icon, "", "", "", ""]);
        assert_eq!(t.get(Field::HeadImgUrl), "620802813");
        assert_eq!(t.head_img_url(), icon);
        assert_eq!(t.get(Field::Signature), "");
        // Other fields change; the URL stays whole, and follows a new user name.
        t.set(Field::Signature, "签名");
        assert_eq!(
            (t.head_img_url().as_ref(), t.get(Field::Signature)),
            (icon, "签名")
        );
        t.set(Field::UserName, "@other");
        assert_eq!(
            t.head_img_url(),
            "/cgi-bin/mmwebwx-bin/webwxgeticon?seq=620802813&username=@7f50&skey=",
            "the URL is what the server said, whatever the name"
        );
        let head = "/cgi-bin/mmwebwx-bin/webwxgetheadimg?seq=1&username=@@g&skey=";
        let g = Texts::new(["@@g", "", "", "", head, "", "", "", ""]);
        assert_eq!(
            (g.get(Field::HeadImgUrl), g.head_img_url().as_ref()),
            ("1", head)
        );
        // Anything else is held as it came.
        for other in [
            "/cgi-bin/mmwebwx-bin/webwxgeticon?seq=1&username=@someone&skey=",
            "/cgi-bin/mmwebwx-bin/webwxgeticon?seq=&username=@7f50&skey=",
            "/cgi-bin/mmwebwx-bin/webwxgeticon?seq=1x&username=@7f50&skey=",
            "/cgi-bin/mmwebwx-bin/webwxgeticon?seq=1&username=@7f50&skey=&type=big",
            "https://example.com/a.png",
        ] {
            let t = Texts::new(["@7f50", "", "", "", other, "", "", "", ""]);
            assert_eq!(
                (t.get(Field::HeadImgUrl), t.head_img_url().as_ref()),
                (other, other)
            );
        }
    }
}
