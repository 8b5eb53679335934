//! The XML payloads inside message content (friend requests, cards, emoticons, app messages,
//! recalls), read into fields.

use super::text::decode_text;
use crate::ParseError;
use crate::parse::xml::{XmlElement, read_elements};

/// The XML payload of a message, flattened: element paths to texts and attributes.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Payload {
    elements: Vec<XmlElement>,
}

impl Payload {
    /// Reads the XML inside a message's `Content` (HTML-escaped, `<br/>` for newlines).
    pub fn parse(content: &str) -> Result<Payload, ParseError> {
        let xml = decode_text(content);
        let start = xml.find('<').ok_or(ParseError::Xml("no element".into()))?;
        let elements = read_elements(xml.get(start..).unwrap_or_default().trim_end())?;
        Ok(Payload { elements })
    }

    /// The trimmed text of the element at `path` (for example `msg/appmsg/title`).
    pub fn text(&self, path: &str) -> Option<&str> {
        self.elements
            .iter()
            .find(|e| e.path == path)
            .map(|e| e.text.trim())
    }

    /// The attribute `name` of the element at `path`.
    pub fn attr(&self, path: &str, name: &str) -> Option<&str> {
        self.elements
            .iter()
            .find(|e| e.path == path)?
            .attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The attribute `name` of the root element.
    pub fn root_attr(&self, name: &str) -> Option<&str> {
        let root = self.elements.first()?;
        root.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The name of the root element.
    pub fn root(&self) -> &str {
        self.elements
            .first()
            .map(|e| e.path.as_str())
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
