//! A bounded reader that flattens a small XML document into its elements' paths and texts,
//! for the ticket answer and the XML payloads of messages.

use crate::ParseError;
use quick_xml::Reader;
use quick_xml::events::Event;

/// The most elements a document may hold.
const MAX_ELEMENTS: usize = 10_000;
/// The deepest nesting accepted.
const MAX_DEPTH: usize = 32;

/// One element: its path from the root (`error/ret`), its attributes, and the text directly in it
/// (entities resolved, CDATA included).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub(crate) struct XmlElement {
    pub(crate) path: String,
    pub(crate) attrs: Vec<(String, String)>,
    pub(crate) text: String,
}

/// The elements of a document, in document order.
pub(crate) fn read_elements(xml: &str) -> Result<Vec<XmlElement>, ParseError> {
    let mut reader = Reader::from_str(xml);
    let mut out: Vec<XmlElement> = Vec::new();
    // Indices into `out` of the open elements.
    let mut open: Vec<usize> = Vec::new();
    let err = |e: &dyn std::fmt::Display| ParseError::Xml(e.to_string());
    loop {
        match reader.read_event().map_err(|e| err(&e))? {
            Event::Start(start) => {
                add_element(&mut out, &open, &start)?;
                open.push(out.len() - 1);
            }
            Event::Empty(start) => add_element(&mut out, &open, &start)?,
            Event::End(_) => {
                open.pop();
            }
            Event::Text(t) => {
                let text = t.decode().map_err(|e| err(&e))?;
                push_text(&mut out, &open, &text);
            }
            Event::CData(c) => {
                let text = c.decode().map_err(|e| err(&e))?;
                push_text(&mut out, &open, &text);
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref().map_err(|e| err(&e))? {
                    Some(c) => c.to_string(),
                    None => {
                        let name = r.decode().map_err(|e| err(&e))?;
                        quick_xml::escape::resolve_predefined_entity(&name)
                            .ok_or_else(|| ParseError::Xml(format!("unknown entity &{name};")))?
                            .to_string()
                    }
                };
                push_text(&mut out, &open, &resolved);
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if !open.is_empty() {
        return Err(ParseError::Xml("unclosed element".into()));
    }
    if out.is_empty() {
        return Err(ParseError::Xml("no element".into()));
    }
    Ok(out)
}

fn add_element(
    out: &mut Vec<XmlElement>,
    open: &[usize],
    start: &quick_xml::events::BytesStart<'_>,
) -> Result<(), ParseError> {
    if out.len() >= MAX_ELEMENTS {
        return Err(ParseError::Xml("too many elements".into()));
    }
    if open.len() >= MAX_DEPTH {
        return Err(ParseError::Xml("nested too deep".into()));
    }
    let name = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
    let path = match open.last().and_then(|&i| out.get(i)) {
        Some(parent) => format!("{}/{}", parent.path, name),
        None => name,
    };
    let mut attrs = Vec::new();
    for attr in start.attributes() {
        let attr = attr.map_err(|e| ParseError::Xml(e.to_string()))?;
        let key = String::from_utf8_lossy(attr.key.local_name().as_ref()).into_owned();
        let value = attr
            .unescape_value()
            .map_err(|e| ParseError::Xml(e.to_string()))?
            .into_owned();
        attrs.push((key, value));
    }
    out.push(XmlElement {
        path,
        attrs,
        text: String::new(),
    });
    Ok(())
}

fn push_text(out: &mut [XmlElement], open: &[usize], text: &str) {
    if let Some(el) = open.last().and_then(|&i| out.get_mut(i)) {
        el.text.push_str(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flattens_paths_texts_and_attributes() {
        let els = read_elements(
            "<msg><appmsg appid=\"x&amp;y\"><title>a &lt;b&gt; &#20013;<![CDATA[c]]></title></appmsg><e/></msg>",
        )
        .unwrap();
        let paths: Vec<_> = els.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["msg", "msg/appmsg", "msg/appmsg/title", "msg/e"]);
        assert_eq!(els[1].attrs, vec![("appid".to_string(), "x&y".to_string())]);
        assert_eq!(els[2].text, "a <b> 中c");
    }

    #[test]
    fn rejects_broken_documents() {
        assert!(read_elements("<a><b></a>").is_err());
        assert!(read_elements("<a>").is_err());
        assert!(read_elements("").is_err());
        assert!(read_elements("<a>&bogus;</a>").is_err());
        let deep = "<a>".repeat(40) + &"</a>".repeat(40);
        assert!(read_elements(&deep).is_err());
    }
}
