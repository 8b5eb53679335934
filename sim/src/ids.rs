//! Deterministic ids and names: a seeded mixer (not a random number generator the protocol
//! needs; just reproducible variety).

/// A 64-bit mix of `seed` and `n` (splitmix64's finaliser).
pub(crate) fn mix(seed: u64, n: u64) -> u64 {
    let mut z = seed
        .wrapping_add(n.wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `len` hex digits derived from `(seed, n)`.
pub(crate) fn hex(seed: u64, n: u64, len: usize) -> String {
    let mut out = String::with_capacity(len);
    let mut i = 0;
    while out.len() < len {
        out.push_str(&format!(
            "{:016x}",
            mix(seed, n.wrapping_mul(31).wrapping_add(i))
        ));
        i += 1;
    }
    out.truncate(len);
    out
}

/// The entry of `list` that `v` picks.
fn pick<'a>(list: &[&'a str], v: u64) -> &'a str {
    list.get((v % list.len().max(1) as u64) as usize)
        .copied()
        .unwrap_or_default()
}

/// A login uuid of the real shape (`4dcaWx3uBw==`).
pub(crate) fn uuid(seed: u64, n: u64) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut v = mix(seed ^ 0x5555, n);
    let mut out = String::new();
    for _ in 0..10 {
        out.push(char::from(
            ALPHABET.get((v % 62) as usize).copied().unwrap_or(b'A'),
        ));
        v /= 62;
    }
    out.push_str("==");
    out
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
    "涛", "明", "超", "秀兰", "霞",
];
const EMOJI: &[&str] = &["1f338", "1f600", "1f1e81f1f3", "2764", "1f431", "1f680"];
const GROUP_WORDS: &[&str] = &[
    "家人",
    "同学",
    "项目组",
    "篮球",
    "读书会",
    "邻居",
    "周末爬山",
    "技术交流",
];
const OFFICIALS: &[&str] = &[
    "腾讯新闻",
    "微信支付",
    "招商银行",
    "人民日报",
    "中国移动",
    "京东",
];

/// A person's nick name; every fifth carries an emoji span as the real server sends them.
pub(crate) fn person_name(seed: u64, n: u64) -> String {
    let v = mix(seed ^ 0xAAAA, n);
    let mut name = format!("{}{}", pick(SURNAMES, v), pick(GIVEN, v >> 8));
    if n % 5 == 4 {
        let e = pick(EMOJI, v >> 16);
        name.push_str(&format!("<span class=\"emoji emoji{e}\"></span>"));
    }
    name
}

/// A group's name.
pub(crate) fn group_name(seed: u64, n: u64) -> String {
    let v = mix(seed ^ 0xBBBB, n);
    format!("{}{}群", pick(GROUP_WORDS, v), n + 1)
}

/// An official account's name.
pub(crate) fn official_name(seed: u64, n: u64) -> String {
    let v = mix(seed ^ 0xCCCC, n);
    let base = pick(OFFICIALS, v);
    if n < OFFICIALS.len() as u64 {
        base.to_string()
    } else {
        format!("{base}{n}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_shaped() {
        assert_eq!(hex(1, 2, 32), hex(1, 2, 32));
        assert_ne!(hex(1, 2, 32), hex(1, 3, 32));
        assert_eq!(hex(9, 9, 64).len(), 64);
        let u = uuid(1, 1);
        assert_eq!(u.len(), 12);
        assert!(u.ends_with("=="));
        assert!(person_name(1, 4).contains("emoji"));
    }
}
