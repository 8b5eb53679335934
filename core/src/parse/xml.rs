//! A bounded reader of small XML documents (the ticket answer, the XML payloads of messages):
//! every element with the index of its parent, its name, its attributes and the text directly in
//! it.
//!
//! Work and memory are linear in the document: an element costs its parent's index, not its
//! path (a path per element is quadratic in the nesting), names and attribute values live in two
//! shared buffers, attributes are read without quick-xml's duplicate check (quadratic in the
//! attributes of one element), and every count and length the document controls is checked
//! against [`Limits`] before anything is kept for it.

use crate::{Limits, ParseError};
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

/// A byte range into one of the document's buffers.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
struct Span {
    start: u32,
    end: u32,
}

/// One attribute: its name and unescaped value, as spans of the document's buffers.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Attr {
    name: Span,
    value: Span,
}

/// No index: the parent of a root, the text of an element without any.
const NONE: u32 = u32::MAX;

/// One element, in 24 bytes: a document of many small elements costs a small multiple of its
/// size.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct XmlElement {
    /// Index of the parent element; [`NONE`] for a root.
    parent: u32,
    /// The local name, in `XmlDoc::names`.
    name: Span,
    /// Its attributes: a range of `XmlDoc::attrs`.
    attrs: Span,
    /// Index of its text in `XmlDoc::texts`; [`NONE`] when it has none.
    text: u32,
}

/// The elements of a document, in document order.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub(crate) struct XmlDoc {
    elements: Vec<XmlElement>,
    attrs: Vec<Attr>,
    /// Every element and attribute name, one after the other.
    names: String,
    /// Every attribute value, unescaped, one after the other.
    values: String,
    /// The text directly in each element that has any (entities resolved, CDATA included).
    texts: Vec<String>,
}

/// `ParseError::LimitExceeded` for `what`.
fn over(what: &'static str, limit: usize) -> ParseError {
    ParseError::LimitExceeded { what, limit }
}

fn xml_err(e: &dyn std::fmt::Display) -> ParseError {
    ParseError::Xml(e.to_string())
}

/// `n` as an index of the document (the caps keep every count far below `u32::MAX`).
fn index(n: usize) -> Result<u32, ParseError> {
    u32::try_from(n)
        .ok()
        .filter(|&i| i != NONE)
        .ok_or(over("XML size", NONE as usize))
}

/// Appends `s` to `buf`, returning where it went.
fn append(buf: &mut String, s: &str) -> Result<Span, ParseError> {
    let start = index(buf.len())?;
    buf.push_str(s);
    Ok(Span {
        start,
        end: index(buf.len())?,
    })
}

impl XmlDoc {
    /// Reads `xml`, within `limits` (`max_xml_elements`, `max_xml_depth`, `max_xml_name_bytes`,
    /// `max_xml_attributes`).
    pub(crate) fn read(xml: &str, limits: &Limits) -> Result<XmlDoc, ParseError> {
        let mut reader = Reader::from_str(xml);
        let mut doc = XmlDoc::default();
        // Every element starts with a `<`: room for them all at once, instead of doubling.
        let most = xml.bytes().filter(|&b| b == b'<').count();
        doc.elements
            .reserve_exact(most.min(limits.max_xml_elements));
        // Indices of the open elements, innermost last.
        let mut open: Vec<u32> = Vec::new();
        loop {
            match reader.read_event().map_err(|e| xml_err(&e))? {
                Event::Start(start) => {
                    let index = doc.add_element(&open, &start, limits)?;
                    open.push(index);
                }
                Event::Empty(start) => {
                    doc.add_element(&open, &start, limits)?;
                }
                Event::End(_) => {
                    open.pop();
                }
                Event::Text(t) => {
                    let text = t.decode().map_err(|e| xml_err(&e))?;
                    doc.push_text(&open, &text)?;
                }
                Event::CData(c) => {
                    let text = c.decode().map_err(|e| xml_err(&e))?;
                    doc.push_text(&open, &text)?;
                }
                Event::GeneralRef(r) => {
                    if let Some(c) = r.resolve_char_ref().map_err(|e| xml_err(&e))? {
                        doc.push_text(&open, c.encode_utf8(&mut [0; 4]))?;
                    } else {
                        let name = r.decode().map_err(|e| xml_err(&e))?;
                        let resolved = quick_xml::escape::resolve_predefined_entity(&name)
                            .ok_or_else(|| ParseError::Xml("unknown entity".into()))?;
                        doc.push_text(&open, resolved)?;
                    }
                }
                Event::Eof => break,
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
            }
        }
        if !open.is_empty() {
            return Err(ParseError::Xml("unclosed element".into()));
        }
        if doc.elements.is_empty() {
            return Err(ParseError::Xml("no element".into()));
        }
        Ok(doc)
    }

    fn add_element(
        &mut self,
        open: &[u32],
        start: &BytesStart<'_>,
        limits: &Limits,
    ) -> Result<u32, ParseError> {
        if self.elements.len() >= limits.max_xml_elements {
            return Err(over("XML elements", limits.max_xml_elements));
        }
        if open.len() >= limits.max_xml_depth {
            return Err(over("XML nesting depth", limits.max_xml_depth));
        }
        let name = self.add_name(start.local_name().as_ref(), limits)?;
        let first_attr = self.attrs.len();
        let mut attributes = start.attributes();
        // The duplicate check compares every attribute with every earlier one: quadratic.
        attributes.with_checks(false);
        for attr in attributes {
            if self.attrs.len() - first_attr >= limits.max_xml_attributes {
                return Err(over(
                    "XML attributes of one element",
                    limits.max_xml_attributes,
                ));
            }
            let attr = attr.map_err(|e| xml_err(&e))?;
            let name = self.add_name(attr.key.local_name().as_ref(), limits)?;
            let value = attr.unescape_value().map_err(|e| xml_err(&e))?;
            let value = append(&mut self.values, &value)?;
            self.attrs.push(Attr { name, value });
        }
        let at = index(self.elements.len())?;
        self.elements.push(XmlElement {
            parent: open.last().copied().unwrap_or(NONE),
            name,
            attrs: Span {
                start: index(first_attr)?,
                end: index(self.attrs.len())?,
            },
            text: NONE,
        });
        Ok(at)
    }

    fn add_name(&mut self, name: &[u8], limits: &Limits) -> Result<Span, ParseError> {
        if name.len() > limits.max_xml_name_bytes {
            return Err(over("XML name bytes", limits.max_xml_name_bytes));
        }
        append(&mut self.names, &String::from_utf8_lossy(name))
    }

    fn push_text(&mut self, open: &[u32], text: &str) -> Result<(), ParseError> {
        let Some(el) = open.last().and_then(|&i| self.elements.get_mut(i as usize)) else {
            return Ok(());
        };
        match self.texts.get_mut(el.text as usize) {
            Some(held) => held.push_str(text),
            None => {
                el.text = index(self.texts.len())?;
                self.texts.push(text.to_string());
            }
        }
        Ok(())
    }

    fn span(buf: &str, span: Span) -> &str {
        buf.get(span.start as usize..span.end as usize)
            .unwrap_or_default()
    }

    /// The elements, in document order.
    pub(crate) fn elements(&self) -> &[XmlElement] {
        &self.elements
    }

    /// The first element.
    pub(crate) fn root(&self) -> Option<&XmlElement> {
        self.elements.first()
    }

    /// The local name of `el`.
    pub(crate) fn name(&self, el: &XmlElement) -> &str {
        Self::span(&self.names, el.name)
    }

    /// The parent of `el`; `None` for a root.
    pub(crate) fn parent(&self, el: &XmlElement) -> Option<&XmlElement> {
        self.elements.get(el.parent as usize)
    }

    /// The text directly in `el` (entities resolved, CDATA included), untrimmed.
    pub(crate) fn text(&self, el: &XmlElement) -> &str {
        self.texts
            .get(el.text as usize)
            .map(String::as_str)
            .unwrap_or_default()
    }

    /// The value of the attribute `name` of `el`.
    pub(crate) fn attr(&self, el: &XmlElement, name: &str) -> Option<&str> {
        let attrs = self
            .attrs
            .get(el.attrs.start as usize..el.attrs.end as usize)?;
        attrs
            .iter()
            .find(|a| Self::span(&self.names, a.name) == name)
            .map(|a| Self::span(&self.values, a.value))
    }

    /// Whether `el` is at `path` (`msg/appmsg/title`: a root named `msg`, its child `appmsg`,
    /// and that one's child `title`). Costs at most one step per level of nesting.
    pub(crate) fn is_at(&self, el: &XmlElement, path: &str) -> bool {
        let mut current = Some(el);
        for segment in path.rsplit('/') {
            match current {
                Some(e) if self.name(e) == segment => current = self.parent(e),
                _ => return false,
            }
        }
        current.is_none()
    }

    /// The first element at `path`, in document order.
    pub(crate) fn find(&self, path: &str) -> Option<&XmlElement> {
        self.elements.iter().find(|e| self.is_at(e, path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(xml: &str) -> Result<XmlDoc, ParseError> {
        XmlDoc::read(xml, &Limits::default())
    }

    #[test]
    fn reads_paths_texts_and_attributes() {
        let doc = read(
            "<msg><appmsg appid=\"x&amp;y\"><title>a &lt;b&gt; &#20013;<![CDATA[c]]></title></appmsg><e/></msg>",
        )
        .unwrap();
        let names: Vec<_> = doc.elements().iter().map(|e| doc.name(e)).collect();
        assert_eq!(names, ["msg", "appmsg", "title", "e"]);
        let appmsg = doc.find("msg/appmsg").unwrap();
        assert_eq!(doc.attr(appmsg, "appid"), Some("x&y"));
        assert_eq!(doc.attr(appmsg, "none"), None);
        assert_eq!(doc.text(doc.find("msg/appmsg/title").unwrap()), "a <b> 中c");
        assert_eq!(doc.text(appmsg), "");
        assert!(doc.find("appmsg/title").is_none(), "paths start at a root");
        assert!(doc.find("msg/title").is_none());
        assert_eq!(
            doc.name(doc.parent(doc.find("msg/e").unwrap()).unwrap()),
            "msg"
        );
        assert_eq!(doc.root().map(|r| doc.name(r)), Some("msg"));
    }

    #[test]
    fn rejects_broken_documents() {
        assert!(read("<a><b></a>").is_err());
        assert!(read("<a>").is_err());
        assert!(read("").is_err());
        assert!(read("<a>&bogus;</a>").is_err());
    }

    #[test]
    fn every_cap_is_a_typed_error() {
        let limits = Limits {
            max_xml_elements: 3,
            max_xml_depth: 2,
            max_xml_name_bytes: 4,
            max_xml_attributes: 2,
            ..Limits::default()
        };
        let read = |xml: &str| XmlDoc::read(xml, &limits);
        assert!(read("<a><b/><c/></a>").is_ok());
        assert_eq!(read("<a><b/><c/><d/></a>"), Err(over("XML elements", 3)));
        assert_eq!(
            read("<a><b><c/></b></a>"),
            Err(over("XML nesting depth", 2))
        );
        assert!(read("<abcd/>").is_ok());
        assert_eq!(read("<abcde/>"), Err(over("XML name bytes", 4)));
        assert_eq!(read("<a abcde=\"\"/>"), Err(over("XML name bytes", 4)));
        assert!(read("<a x=\"1\" y=\"2\"/>").is_ok());
        assert_eq!(std::mem::size_of::<XmlElement>(), 24);
        assert_eq!(
            read("<a x=\"1\" y=\"2\" z=\"3\"/>"),
            Err(over("XML attributes of one element", 2))
        );
        // The default depth: 32 levels pass, 33 do not.
        let nest = |n: usize| "<a>".repeat(n) + &"</a>".repeat(n);
        assert!(XmlDoc::read(&nest(32), &Limits::default()).is_ok());
        assert!(XmlDoc::read(&nest(33), &Limits::default()).is_err());
    }

    #[test]
    fn duplicate_attributes_are_read_not_refused() {
        // Without quick-xml's (quadratic) duplicate check, the first of two equal names wins.
        let doc = read("<a x=\"1\" x=\"2\"/>").unwrap();
        assert_eq!(doc.attr(doc.root().unwrap(), "x"), Some("1"));
    }
}
