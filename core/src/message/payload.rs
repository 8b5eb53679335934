//! The XML payloads inside message content (friend requests, cards, emoticons, app messages,
//! recalls), read into fields.

use super::text::decode_text;
use crate::parse::xml::XmlDoc;
use crate::{Limits, ParseError};

/// The XML payload of a message: its elements, looked up by path (`msg/appmsg/title`).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Payload {
    doc: XmlDoc,
}

impl Payload {
    /// Reads the XML inside a message's `Content` (HTML-escaped, `<br/>` for newlines), within
    /// the default [`Limits`].
    pub fn parse(content: &str) -> Result<Payload, ParseError> {
        Payload::parse_with(content, &Limits::default())
    }

    /// [`Payload::parse`] within `limits` (`max_xml_elements`, `max_xml_depth`,
    /// `max_xml_name_bytes`, `max_xml_attributes`): past one, a
    /// [`ParseError::LimitExceeded`].
    pub fn parse_with(content: &str, limits: &Limits) -> Result<Payload, ParseError> {
        let xml = decode_text(content);
        let start = xml.find('<').ok_or(ParseError::Xml("no element".into()))?;
        let doc = XmlDoc::read(xml.get(start..).unwrap_or_default().trim_end(), limits)?;
        Ok(Payload { doc })
    }

    /// The trimmed text of the element at `path` (for example `msg/appmsg/title`).
    pub fn text(&self, path: &str) -> Option<&str> {
        self.doc.find(path).map(|e| self.doc.text(e).trim())
    }

    /// The attribute `name` of the element at `path`.
    pub fn attr(&self, path: &str, name: &str) -> Option<&str> {
        self.doc.attr(self.doc.find(path)?, name)
    }

    /// The attribute `name` of the root element.
    pub fn root_attr(&self, name: &str) -> Option<&str> {
        self.doc.attr(self.doc.root()?, name)
    }

    /// The document, for readers that walk its elements (the articles of an `<mmreader>`).
    pub(crate) fn doc(&self) -> &XmlDoc {
        &self.doc
    }

    /// The name of the root element.
    pub fn root(&self) -> &str {
        self.doc
            .root()
            .map(|e| self.doc.name(e))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_escaped_app_xml() {
        let content = "&lt;?xml version=\"1.0\"?&gt;<br/>&lt;msg&gt;&lt;appmsg appid=\"wx1\"&gt;&lt;title&gt;T &amp;amp; U&lt;/title&gt;&lt;type&gt;5&lt;/type&gt;&lt;/appmsg&gt;&lt;/msg&gt;";
        let p = Payload::parse(content).unwrap();
        assert_eq!(p.root(), "msg");
        assert_eq!(p.text("msg/appmsg/title"), Some("T & U"));
        assert_eq!(p.text("msg/appmsg/type"), Some("5"));
        assert_eq!(p.attr("msg/appmsg", "appid"), Some("wx1"));
        assert!(Payload::parse("plain text").is_err());
    }
}
