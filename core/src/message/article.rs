//! Articles of official accounts: the `<mmreader>` of an article push (an app message), and the
//! `MPSubscribeMsgList` of the `webwxinit` answer.
//!
//! Both are bounded: at most [`MAX_ARTICLES`] articles are kept from one message or one
//! subscription (the rest are skipped without being kept), and each text is cut to
//! [`MAX_ARTICLE_TEXT_BYTES`].

use super::payload::Payload;
use crate::model::caps;
use crate::model::lenient::{self, Entry};
use serde::de::{IgnoredAny, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::fmt;
use std::marker::PhantomData;

/// Most articles kept from one article push or one subscription entry (the official client
/// shows at most 8; the server sends fewer).
pub const MAX_ARTICLES: usize = 20;

/// Longest text kept of an article's title, URL, digest or cover, in bytes (cut at a character
/// boundary).
pub const MAX_ARTICLE_TEXT_BYTES: usize = 4096;

/// One article of an official account: from an article push ([`Content::Articles`]) or from a
/// subscription of the `webwxinit` answer ([`MpSubscription::articles`]).
///
/// [`Content::Articles`]: crate::Content::Articles
#[derive(Clone, PartialEq, Eq, Debug, Default, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct Article {
    /// The title.
    pub title: String,
    /// The article's URL.
    pub url: String,
    /// The summary (`digest`).
    pub digest: String,
    /// The cover image's URL (`cover` without its `|width|height` suffix).
    pub cover: String,
    /// The cover's width and height in pixels, when the server gave them (non-zero).
    pub cover_size: Option<(u32, u32)>,
    /// When it was published, seconds since the epoch (`pub_time`); 0 when not given.
    pub pub_time: i64,
}

impl Article {
    /// An article with this title and URL (the other fields empty), for applications' own tests.
    pub fn new(title: impl Into<String>, url: impl Into<String>) -> Article {
        Article {
            title: title.into(),
            url: url.into(),
            ..Article::default()
        }
    }

    /// Sets the cover from the server's `url|width|height` form (the official client splits it
    /// only when it has exactly three parts; otherwise the whole text is the URL).
    fn set_cover(&mut self, cover: &str) {
        let parts: Vec<&str> = cover.splitn(4, '|').collect();
        match parts.as_slice() {
            [url, w, h] => {
                self.cover = bounded(url);
                self.cover_size = match (w.trim().parse::<u32>(), h.trim().parse::<u32>()) {
                    (Ok(w), Ok(h)) if w > 0 && h > 0 => Some((w, h)),
                    _ => None,
                };
            }
            _ => self.cover = bounded(cover),
        }
    }
}

/// `s` cut to [`MAX_ARTICLE_TEXT_BYTES`] and owned.
fn bounded(s: &str) -> String {
    caps::cut(s.trim(), MAX_ARTICLE_TEXT_BYTES).to_string()
}

/// Where the items of an article push are.
const ITEM: &str = "msg/appmsg/mmreader/category/item";

/// The articles of an app message's `<mmreader>` (`msg/appmsg/mmreader/category/item`, one or
/// many), the first [`MAX_ARTICLES`] of them; empty when it has none. One pass over the
/// payload's elements.
pub(crate) fn mmreader_articles(p: &Payload) -> Vec<Article> {
    let doc = p.doc();
    let mut articles: Vec<Article> = Vec::new();
    // Whether the children being read belong to a kept item (not one past the cap).
    let mut in_kept_item = false;
    for el in doc.elements() {
        if doc.is_at(el, ITEM) {
            in_kept_item = articles.len() < MAX_ARTICLES;
            if in_kept_item {
                articles.push(Article::default());
            }
            continue;
        }
        let Some(article) = articles.last_mut().filter(|_| in_kept_item) else {
            continue;
        };
        let parent_is_item = doc.parent(el).is_some_and(|parent| doc.is_at(parent, ITEM));
        if !parent_is_item {
            continue;
        }
        let text = doc.text(el).trim();
        match doc.name(el) {
            "title" => article.title = bounded(text),
            "url" => article.url = bounded(text),
            "digest" => article.digest = bounded(text),
            "cover" => article.set_cover(text),
            "pub_time" => article.pub_time = text.parse().unwrap_or(0),
            _ => {}
        }
    }
    articles
}

/// One entry of the `MPSubscribeMsgList` of the `webwxinit` answer: an official account and its
/// latest articles (the official client lists them under "Subscriptions"). The server sends
/// this list only in `webwxinit`; sync never updates it.
#[derive(Clone, PartialEq, Eq, Debug, Default, serde::Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct MpSubscription {
    /// `UserName`: the official account.
    #[serde(rename = "UserName", deserialize_with = "lenient::string")]
    pub user_name: String,
    /// `NickName`: the account's name (may hold emoji spans and entities).
    #[serde(rename = "NickName", deserialize_with = "lenient::string")]
    pub nick_name: String,
    /// `Time`: when the articles were pushed, seconds since the epoch.
    #[serde(rename = "Time", deserialize_with = "lenient::int")]
    pub time: i64,
    /// `MPArticleCount`: how many articles the server says there are.
    #[serde(rename = "MPArticleCount", deserialize_with = "lenient::int")]
    pub article_count: i64,
    /// `MPArticleList`: the articles, the first [`MAX_ARTICLES`] of them.
    #[serde(rename = "MPArticleList", deserialize_with = "capped_list")]
    pub article_list: Vec<MpArticle>,
}

/// A subscription without a user name cannot be told apart from another: dropped as it is read.
impl Entry for MpSubscription {
    fn is_kept(&self) -> bool {
        !self.user_name.is_empty()
    }
}

impl MpSubscription {
    /// The articles as [`Article`]s, as the official client shows them: the `Url` with
    /// `http://` turned into `https://`, the cover split from its `|width|height` suffix, and
    /// `Time` as each article's `pub_time`. Titles and digests are plain text, as the server
    /// sent them.
    pub fn articles(&self) -> Vec<Article> {
        self.article_list
            .iter()
            .map(|a| {
                let url = match a.url.strip_prefix("http://") {
                    Some(rest) => format!("https://{rest}"),
                    None => a.url.clone(),
                };
                let mut article = Article {
                    title: a.title.clone(),
                    url,
                    digest: a.digest.clone(),
                    pub_time: self.time,
                    ..Article::default()
                };
                article.set_cover(&a.cover);
                article
            })
            .collect()
    }
}

/// One `MPArticleList` entry of a subscription.
#[derive(Clone, PartialEq, Eq, Debug, Default, serde::Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct MpArticle {
    /// `Title`.
    #[serde(rename = "Title", deserialize_with = "article_text")]
    pub title: String,
    /// `Digest`: the summary.
    #[serde(rename = "Digest", deserialize_with = "article_text")]
    pub digest: String,
    /// `Cover`: the cover image's URL, with `|width|height` appended (`…|0|0`).
    #[serde(rename = "Cover", deserialize_with = "article_text")]
    pub cover: String,
    /// `Url`: the article.
    #[serde(rename = "Url", deserialize_with = "article_text")]
    pub url: String,
}

/// A string read as [`lenient::string`] reads it, then cut to [`MAX_ARTICLE_TEXT_BYTES`].
fn article_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let mut s = lenient::string(d)?;
    let keep = caps::cut(&s, MAX_ARTICLE_TEXT_BYTES).len();
    if keep < s.len() {
        s.truncate(keep);
        s.shrink_to_fit();
    }
    Ok(s)
}

/// A list that may be `null`, of which the first [`MAX_ARTICLES`] entries are kept (each
/// counted against the caps of the answer) and the rest skipped without being kept.
fn capped_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<MpArticle>, D::Error> {
    struct Capped<T>(PhantomData<T>);
    impl<'de, T: Deserialize<'de>> Visitor<'de> for Capped<T> {
        type Value = Vec<T>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a list or null")
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }
        fn visit_none<E: serde::de::Error>(self) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Vec<T>, D::Error> {
            d.deserialize_seq(self)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let mut out = Vec::new();
            loop {
                if out.len() >= MAX_ARTICLES {
                    if seq.next_element::<IgnoredAny>()?.is_none() {
                        break;
                    }
                    continue;
                }
                let Some(entry) = seq.next_element::<T>()? else {
                    break;
                };
                caps::count_entry(false).map_err(|(what, limit)| {
                    serde::de::Error::custom(format_args!("{what}: more than the limit of {limit}"))
                })?;
                out.push(entry);
            }
            Ok(out)
        }
    }
    d.deserialize_option(Capped(PhantomData))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covers_split_only_in_three_parts() {
        let mut a = Article::default();
        a.set_cover("http://c/1.jpg|640|360");
        assert_eq!(
            (a.cover.as_str(), a.cover_size),
            ("http://c/1.jpg", Some((640, 360)))
        );
        a.set_cover("http://c/2.jpg|0|0");
        assert_eq!((a.cover.as_str(), a.cover_size), ("http://c/2.jpg", None));
        a.set_cover("http://c/3.jpg");
        assert_eq!((a.cover.as_str(), a.cover_size), ("http://c/3.jpg", None));
        a.set_cover("a|b|c|d");
        assert_eq!(a.cover, "a|b|c|d", "four parts: not split");
        a.set_cover(&"x".repeat(10_000));
        assert_eq!(a.cover.len(), MAX_ARTICLE_TEXT_BYTES);
    }
}
