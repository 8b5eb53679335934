//! How completely generated contacts fill in the fields of the real server's contact object
//! ([`ContactDetail`]): by default (`sparse`) the generator leaves signatures, pinyin, aliases and
//! flags empty; `full` fills them as a real account's `webwxgetcontact` answer does, for
//! benchmarks that need answers of the real size and shape (20,000 contacts of a heavy account).

// `serde_json::Value["key"]` returns `Null` for a missing key or a non-object: it never
// panics, which is all this lint guards against here.
#![allow(clippy::indexing_slicing)]

use crate::account::Account;
use crate::ids::mix;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// How completely the generated contacts fill in the real server's contact fields.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactDetail {
    /// Names, remarks (every third friend), sex, province and city; signatures (but officials'),
    /// pinyin, aliases and flags empty or zero. The default.
    #[default]
    Sparse,
    /// Everything a real account's contacts carry as well: signatures on about two friends in
    /// three (some with emoji spans and HTML entities, as the server escapes them), `PYInitial`
    /// and `PYQuanPin` of every name (`RemarkPY*` of every remark), aliases on one friend in
    /// five, varied provinces and cities, `SnsFlag`, `AttrStatus`, star friends, and avatar URLs
    /// with a real-length `seq`. Names, user names and remarks stay those of `sparse`.
    Full,
}

/// Pinyin of the Han characters the generator uses in names, remarks and signatures' names.
const PINYIN: &[(char, &str)] = &[
    ('王', "wang"),
    ('李', "li"),
    ('张', "zhang"),
    ('刘', "liu"),
    ('陈', "chen"),
    ('杨', "yang"),
    ('黄', "huang"),
    ('赵', "zhao"),
    ('吴', "wu"),
    ('周', "zhou"),
    ('徐', "xu"),
    ('孙', "sun"),
    ('马', "ma"),
    ('朱', "zhu"),
    ('胡', "hu"),
    ('郭', "guo"),
    ('伟', "wei"),
    ('芳', "fang"),
    ('娜', "na"),
    ('秀', "xiu"),
    ('英', "ying"),
    ('敏', "min"),
    ('静', "jing"),
    ('丽', "li"),
    ('强', "qiang"),
    ('磊', "lei"),
    ('军', "jun"),
    ('洋', "yang"),
    ('勇', "yong"),
    ('艳', "yan"),
    ('杰', "jie"),
    ('娟', "juan"),
    ('涛', "tao"),
    ('明', "ming"),
    ('超', "chao"),
    ('兰', "lan"),
    ('霞', "xia"),
    ('备', "bei"),
    ('注', "zhu"),
    ('家', "jia"),
    ('人', "ren"),
    ('同', "tong"),
    ('学', "xue"),
    ('项', "xiang"),
    ('目', "mu"),
    ('组', "zu"),
    ('篮', "lan"),
    ('球', "qiu"),
    ('读', "du"),
    ('书', "shu"),
    ('会', "hui"),
    ('邻', "lin"),
    ('居', "ju"),
    ('末', "mo"),
    ('爬', "pa"),
    ('山', "shan"),
    ('技', "ji"),
    ('术', "shu"),
    ('交', "jiao"),
    ('流', "liu"),
    ('群', "qun"),
    ('腾', "teng"),
    ('讯', "xun"),
    ('新', "xin"),
    ('闻', "wen"),
    ('微', "wei"),
    ('信', "xin"),
    ('支', "zhi"),
    ('付', "fu"),
    ('招', "zhao"),
    ('商', "shang"),
    ('银', "yin"),
    ('行', "hang"),
    ('民', "min"),
    ('日', "ri"),
    ('报', "bao"),
    ('中', "zhong"),
    ('国', "guo"),
    ('移', "yi"),
    ('动', "dong"),
    ('京', "jing"),
    ('东', "dong"),
    ('文', "wen"),
    ('件', "jian"),
    ('传', "chuan"),
    ('输', "shu"),
    ('助', "zhu"),
    ('手', "shou"),
    ('团', "tuan"),
    ('队', "dui"),
    ('测', "ce"),
    ('试', "shi"),
];

/// Signatures as people write them; the empty ones make about a third of friends have none.
/// Emoji spans and entities are in the server's escaped form.
const SIGNATURES: &[&str] = &[
    "",
    "今天也要加油",
    "",
    "生活不止眼前的苟且，还有诗和远方",
    "努力工作 &amp; 认真生活",
    "<span class=\"emoji emoji1f338\"></span>花开有时，静待花开",
    "",
    "不忘初心，方得始终",
    "Stay hungry, stay foolish.",
    "每天进步一点点<span class=\"emoji emoji1f4aa\"></span>",
    "心若向阳，无畏悲伤",
    "&lt;忙&gt; 有事请留言",
    "",
    "做一个温暖的人<span class=\"emoji emoji2764\"></span><span class=\"emoji emoji1f431\"></span>",
    "知足常乐",
];

const PLACES: &[(&str, &str)] = &[
    ("广东", "深圳"),
    ("广东", "广州"),
    ("北京", "海淀"),
    ("上海", "浦东新区"),
    ("浙江", "杭州"),
    ("江苏", "南京"),
    ("四川", "成都"),
    ("湖北", "武汉"),
    ("", ""),
];

const SNS_FLAGS: &[i64] = &[1, 17, 49, 177, 257, 0];

/// The entry of `list` that `v` picks.
fn pick<T: Copy>(list: &[T], v: u64, fallback: T) -> T {
    list.get((v % list.len().max(1) as u64) as usize)
        .copied()
        .unwrap_or(fallback)
}

/// `text` without emoji spans (`<span class="emoji emojiXXXX"></span>`) and entities, as a name
/// reads.
fn plain(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(['<', '&']) {
        out.push_str(rest.get(..at).unwrap_or_default());
        let tail = rest.get(at..).unwrap_or_default();
        let end = if tail.starts_with('<') {
            tail.find('>').map_or(tail.len(), |e| e + 1)
        } else {
            tail.find(';').map_or(1, |e| e + 1)
        };
        rest = tail.get(end..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

/// `(PYInitial, PYQuanPin)` of a name: each Han character's pinyin (its initial, upper case),
/// ASCII letters and digits as they are, other characters dropped.
fn pinyin(name: &str) -> (String, String) {
    let (mut initial, mut full) = (String::new(), String::new());
    for c in plain(name).chars() {
        if let Some((_, py)) = PINYIN.iter().find(|(h, _)| *h == c) {
            initial.extend(py.chars().next().map(|f| f.to_ascii_uppercase()));
            full.push_str(py);
        } else if c.is_ascii_alphanumeric() {
            initial.push(c.to_ascii_uppercase());
            full.push(c.to_ascii_lowercase());
        }
    }
    (initial, full)
}

/// A stable number for a user name (FNV-1a), so a group gets the same details in the contact
/// list and in `webwxbatchgetcontact`.
fn name_hash(user_name: &str) -> u64 {
    user_name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Sets `key` of the object `c` to `value`.
fn set(c: &mut Value, key: &str, value: Value) {
    if let Some(obj) = c.as_object_mut() {
        obj.insert(key.to_string(), value);
    }
}

/// The pinyin fields of a contact or member: of its nick name, and of its remark when it has one.
fn fill_pinyin(c: &mut Value) {
    let nick = c["NickName"].as_str().unwrap_or_default().to_string();
    let (initial, full) = pinyin(&nick);
    set(c, "PYInitial", json!(initial));
    set(c, "PYQuanPin", json!(full));
    let remark = c["RemarkName"].as_str().unwrap_or_default().to_string();
    if !remark.is_empty() {
        let (initial, full) = pinyin(&remark);
        set(c, "RemarkPYInitial", json!(initial));
        set(c, "RemarkPYQuanPin", json!(full));
    }
}

/// Fills one contact of the list (or a group of `webwxbatchgetcontact`) in full.
fn fill_contact(c: &mut Value, seed: u64) {
    let user_name = c["UserName"].as_str().unwrap_or_default().to_string();
    let v = mix(seed, name_hash(&user_name));
    fill_pinyin(c);
    let is_group = user_name.starts_with("@@");
    let is_official = c["VerifyFlag"].as_i64().is_some_and(|f| f & 8 != 0);
    let is_person = user_name.starts_with('@') && !is_group && !is_official;
    if user_name.starts_with('@') {
        // The real server's avatar `seq` is a 9- or 10-digit number.
        let page = if is_group {
            "webwxgetheadimg"
        } else {
            "webwxgeticon"
        };
        set(
            c,
            "HeadImgUrl",
            json!(format!(
                "/cgi-bin/mmwebwx-bin/{page}?seq={}&username={user_name}&skey=",
                600_000_000 + v % 100_000_000
            )),
        );
    }
    if is_person {
        set(c, "Signature", json!(pick(SIGNATURES, v >> 8, "")));
        let (province, city) = pick(PLACES, v >> 16, ("", ""));
        set(c, "Province", json!(province));
        set(c, "City", json!(city));
        set(c, "SnsFlag", json!(pick(SNS_FLAGS, v >> 24, 0)));
        set(c, "AttrStatus", json!((v >> 32) % 240_000_000));
        set(
            c,
            "StarFriend",
            json!(u8::from((v >> 40).is_multiple_of(50))),
        );
        set(c, "Sex", json!((v >> 44) % 3));
        if (v >> 48).is_multiple_of(5) {
            let (_, full) = pinyin(c["NickName"].as_str().unwrap_or_default());
            set(
                c,
                "Alias",
                json!(format!("{full}{}", 1970 + (v >> 52) % 40)),
            );
        }
    }
    if is_official {
        set(c, "SnsFlag", json!(0));
        set(c, "AttrStatus", json!(0));
    }
    if is_group && let Some(members) = c["MemberList"].as_array_mut() {
        for m in members {
            fill_pinyin(m);
            let mv = mix(v, name_hash(m["UserName"].as_str().unwrap_or_default()));
            set(m, "AttrStatus", json!(mv % 240_000_000));
        }
    }
}

/// Fills every contact of `account` (the contact list and the groups with their members) in
/// full: see [`ContactDetail::Full`]. Deterministic in `seed` and the user names.
pub(crate) fn fill(account: &mut Account, seed: u64) {
    for c in &mut account.contacts {
        fill_contact(c, seed);
    }
    for g in account.groups.values_mut() {
        fill_contact(g, seed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::ContactSpec;

    #[test]
    fn pinyin_of_names_remarks_and_emoji() {
        assert_eq!(pinyin("王秀英"), ("WXY".into(), "wangxiuying".into()));
        assert_eq!(pinyin("备注12"), ("BZ12".into(), "beizhu12".into()));
        assert_eq!(
            pinyin("李伟<span class=\"emoji emoji1f600\"></span>"),
            ("LW".into(), "liwei".into())
        );
        assert_eq!(plain("&lt;忙&gt; 有事"), "忙 有事");
    }

    #[test]
    fn sparse_by_default_and_full_by_name() {
        assert_eq!(
            crate::Scenario::default().contact_detail,
            ContactDetail::Sparse
        );
        let s = crate::Scenario::from_json(r#"{"contact_detail": "full"}"#).unwrap();
        assert_eq!(s.contact_detail, ContactDetail::Full);
    }

    #[test]
    fn full_detail_fills_every_kind_and_keeps_names() {
        let spec = ContactSpec {
            friends: 30,
            groups: 2,
            members_per_group: 4,
            officials: 2,
            page_size: 10,
        };
        let sparse = Account::generate(3, 0, &spec);
        let mut full = sparse.clone();
        fill(&mut full, 3);
        assert_eq!(full.contacts.len(), sparse.contacts.len());
        for (s, f) in sparse.contacts.iter().zip(&full.contacts) {
            assert_eq!(s["UserName"], f["UserName"]);
            assert_eq!(s["NickName"], f["NickName"]);
            assert_eq!(s["RemarkName"], f["RemarkName"]);
            assert!(!f["PYQuanPin"].as_str().unwrap().is_empty(), "{f}");
        }
        let friends = &full.contacts[..30];
        let signed = friends.iter().filter(|c| c["Signature"] != "").count();
        assert!((10..30).contains(&signed), "{signed} of 30 signed");
        assert!(friends.iter().any(|c| c["Alias"] != ""));
        assert!(
            friends
                .iter()
                .all(|c| c["HeadImgUrl"].as_str().unwrap().ends_with("&skey="))
        );
        let remarked = friends.iter().find(|c| c["RemarkName"] != "").unwrap();
        assert!(
            remarked["RemarkPYQuanPin"]
                .as_str()
                .unwrap()
                .starts_with("beizhu")
        );
        // A group reads the same in the list and with its members.
        let (name, group) = full.groups.iter().next().unwrap();
        let listed = full
            .contacts
            .iter()
            .find(|c| c["UserName"] == name.as_str());
        assert_eq!(listed.unwrap()["HeadImgUrl"], group["HeadImgUrl"]);
        assert!(
            group["MemberList"]
                .as_array()
                .unwrap()
                .iter()
                .all(|m| m["PYQuanPin"] != "")
        );
        // Deterministic.
        let mut again = sparse.clone();
        fill(&mut again, 3);
        assert_eq!(again.contacts, full.contacts);
    }
}
