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

/// The fields' values, concatenated, and where each one ends.
#[derive(Clone, PartialEq, Eq, Default)]
pub(crate) struct Texts {
    buf: Box<str>,
    /// The end of each field but the last (which ends where the buffer does).
    ends: [u32; FIELDS - 1],
}

impl Texts {
    /// The texts `values`, in [`Field`] order. A field that would take the buffer past
    /// `u32::MAX` bytes is left empty (a contact's fields are capped far below that as they are
    /// read from the server).
    pub(crate) fn new(values: [&str; FIELDS]) -> Texts {
        let total: usize = values.iter().map(|v| v.len()).sum();
        let mut buf = String::with_capacity(total.min(u32::MAX as usize));
        let mut ends = [0u32; FIELDS - 1];
        for (i, value) in values.into_iter().enumerate() {
            if u32::try_from(buf.len() + value.len()).is_ok() {
                buf.push_str(value);
            }
            if let Some(end) = ends.get_mut(i) {
                *end = u32::try_from(buf.len()).unwrap_or(u32::MAX);
            }
        }
        Texts {
            buf: buf.into_boxed_str(),
            ends,
        }
    }

    /// The value of `field`.
    pub(crate) fn get(&self, field: Field) -> &str {
        let i = field as usize;
        let start = match i.checked_sub(1) {
            Some(before) => self.ends.get(before).map_or(0, |&e| e as usize),
            None => 0,
        };
        let end = self.ends.get(i).map_or(self.buf.len(), |&e| e as usize);
        self.buf.get(start..end).unwrap_or_default()
    }

    /// Every value, in [`Field`] order.
    pub(crate) fn all(&self) -> [&str; FIELDS] {
        use Field::*;
        [
            UserName,
            NickName,
            RemarkName,
            DisplayName,
            HeadImgUrl,
            Signature,
            Province,
            City,
            Alias,
        ]
        .map(|f| self.get(f))
    }

    /// Sets `field` to `value` (the buffer is rebuilt: setting is rare, reading is not).
    pub(crate) fn set(&mut self, field: Field, value: &str) {
        if self.get(field) == value {
            return;
        }
        let rebuilt = {
            let mut values = self.all();
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
}
