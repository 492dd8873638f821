//! `parse xml`: values at XPath locations
//! (https://www.sumologic.com/help/docs/search/search-query-language/parse-operators/parse-xml-formatted-logs/).
//!
//! sumoql runs the XPath forms real queries use: absolute element paths
//! `/a/b/c`, an attribute at the end `/a/b/@name`, `text()` at the end, and
//! `//b/c` for a path that may start at any depth. Element and attribute
//! names match by local name, without namespace prefixes. An element's value
//! is all the text inside it; the first match in document order wins. As for
//! every parse operator, a row is dropped when no path is found, unless
//! `nodrop`; the fields of missing paths stay as they were. The XML starts
//! at the first `<` of the field.

use std::sync::Arc;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use sumoql_syntax::ast::Spanned;
use sumoql_syntax::Diagnostic;

use super::text_value;
use crate::expr::Slot;
use crate::row::{FieldTable, Row};

#[derive(Debug)]
pub(crate) struct XmlExtractor {
    paths: Vec<(XmlPath, Slot)>,
    nodrop: bool,
}

#[derive(Debug, Clone, PartialEq)]
struct XmlPath {
    /// `//` at the start: the elements may sit at any depth.
    anywhere: bool,
    elements: Vec<String>,
    attribute: Option<String>,
}

impl XmlPath {
    fn parse(text: &str) -> Result<XmlPath, String> {
        let (anywhere, body) = match text.strip_prefix("//") {
            Some(body) => (true, body),
            None => (
                false,
                text.strip_prefix('/')
                    .ok_or("an XPath must start with `/`")?,
            ),
        };
        let mut elements: Vec<String> = body.split('/').map(str::to_string).collect();
        let mut attribute = None;
        if elements.last().is_some_and(|last| last == "text()") {
            elements.pop();
        } else if let Some(name) = elements.last().and_then(|last| last.strip_prefix('@')) {
            attribute = Some(name.to_string());
            elements.pop();
        }
        if elements.is_empty() {
            return Err("the path names no element".to_string());
        }
        for element in &elements {
            if element.is_empty() || element.contains(['[', ']', '(', ')', '@', '*']) {
                return Err(format!("`{element}` is not an element name sumoql can match; it runs plain paths such as `/a/b/@c`"));
            }
        }
        let elements = elements
            .into_iter()
            .map(|element| match element.rsplit_once(':') {
                Some((_, local)) => local.to_string(),
                None => element,
            })
            .collect();
        Ok(XmlPath {
            anywhere,
            elements,
            attribute,
        })
    }

    fn matches(&self, stack: &[String]) -> bool {
        if self.anywhere {
            stack.ends_with(&self.elements)
        } else {
            stack == self.elements.as_slice()
        }
    }
}

/// What one path has found so far while the reader walks the document.
#[derive(Default)]
struct Search {
    found: Option<String>,
    /// The depth of the matched element whose text is being gathered.
    open: Option<(usize, String)>,
}

impl XmlExtractor {
    pub(crate) fn compile(
        paths: &[Spanned<String>],
        names: &[Spanned<String>],
        nodrop: bool,
        fields: &mut FieldTable,
    ) -> Result<XmlExtractor, Diagnostic> {
        let mut compiled = Vec::new();
        for (index, path) in paths.iter().enumerate() {
            let parsed = XmlPath::parse(&path.node).map_err(|reason| {
                Diagnostic::error("unsupported XPath", path.span.clone(), reason)
            })?;
            let target = match names.get(index) {
                Some(name) => fields.slot(&name.node),
                None => fields.slot(&path.node),
            };
            compiled.push((parsed, target));
        }
        Ok(XmlExtractor {
            paths: compiled,
            nodrop,
        })
    }

    pub(crate) fn targets(&self) -> Vec<Slot> {
        self.paths.iter().map(|(_, slot)| *slot).collect()
    }

    pub(crate) fn apply(&self, text: Option<&Arc<str>>, row: &mut Row) -> bool {
        let searches = text.map(|text| self.search(text)).unwrap_or_default();
        let mut any_found = false;
        for (index, (_, slot)) in self.paths.iter().enumerate() {
            if let Some(value) = searches
                .get(index)
                .and_then(|search| search.found.as_deref())
            {
                row.set(*slot, text_value(value));
                any_found = true;
            }
        }
        any_found || self.nodrop
    }

    fn search(&self, text: &str) -> Vec<Search> {
        let mut searches: Vec<Search> = self.paths.iter().map(|_| Search::default()).collect();
        let Some(start) = text.find('<') else {
            return searches;
        };
        let mut reader = Reader::from_str(&text[start..]);
        let mut stack: Vec<String> = Vec::new();
        // A document that turns invalid keeps what was found before the error.
        while let Ok(event) = reader.read_event() {
            match event {
                Event::Start(element) => {
                    stack.push(local_name(&element));
                    self.open_element(&element, &stack, &mut searches, false);
                }
                Event::Empty(element) => {
                    stack.push(local_name(&element));
                    self.open_element(&element, &stack, &mut searches, true);
                    stack.pop();
                }
                Event::End(_) => {
                    for search in &mut searches {
                        if search
                            .open
                            .as_ref()
                            .is_some_and(|(depth, _)| *depth == stack.len())
                        {
                            let (_, gathered) = search.open.take().expect("checked above");
                            search.found.get_or_insert(gathered);
                        }
                    }
                    stack.pop();
                    if stack.is_empty() {
                        break;
                    }
                }
                Event::Text(content) => gather(&mut searches, &content.into_inner()),
                Event::CData(content) => gather(&mut searches, &content.into_inner()),
                Event::GeneralRef(reference) => {
                    let resolved = match reference.resolve_char_ref() {
                        Ok(Some(character)) => character.to_string(),
                        _ => match &*reference {
                            "amp" => "&".to_string(),
                            "lt" => "<".to_string(),
                            "gt" => ">".to_string(),
                            "quot" => "\"".to_string(),
                            "apos" => "'".to_string(),
                            other => format!("&{other};"),
                        },
                    };
                    gather(&mut searches, &resolved);
                }
                Event::Eof => break,
                _ => {}
            }
        }
        searches
    }

    fn open_element(
        &self,
        element: &BytesStart<'_>,
        stack: &[String],
        searches: &mut [Search],
        empty: bool,
    ) {
        for ((path, _), search) in self.paths.iter().zip(searches.iter_mut()) {
            if search.found.is_some() || search.open.is_some() || !path.matches(stack) {
                continue;
            }
            match &path.attribute {
                Some(name) => search.found = attribute(element, name),
                None if empty => search.found = Some(String::new()),
                None => search.open = Some((stack.len(), String::new())),
            }
        }
    }
}

fn gather(searches: &mut [Search], text: &str) {
    for search in searches {
        if let Some((_, gathered)) = search.open.as_mut() {
            gathered.push_str(text);
        }
    }
}

fn local_name(element: &BytesStart<'_>) -> String {
    let name = element.local_name();
    let name: &str = name.as_ref();
    name.to_string()
}

fn attribute(element: &BytesStart<'_>, name: &str) -> Option<String> {
    element.attributes().flatten().find_map(|attribute| {
        let key = attribute.key.local_name();
        let key: &str = key.as_ref();
        (key == name).then(|| {
            quick_xml::escape::unescape(&attribute.value)
                .map(|value| value.into_owned())
                .unwrap_or_else(|_| attribute.value.to_string())
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(path: &str, text: &str) -> Option<String> {
        let extractor = XmlExtractor {
            paths: vec![(XmlPath::parse(path).unwrap(), 0)],
            nodrop: false,
        };
        extractor.search(text).remove(0).found
    }

    const AUDIT: &str = r#"prefix <AuditRecord><Audit_Type>1</Audit_Type><Sql_Text>select a &amp; b</Sql_Text><DB_User><![CDATA[SYS]]></DB_User><Empty/></AuditRecord>"#;

    #[test]
    fn element_text() {
        assert_eq!(find("/AuditRecord/Audit_Type", AUDIT).as_deref(), Some("1"));
        assert_eq!(
            find("/AuditRecord/Sql_Text", AUDIT).as_deref(),
            Some("select a & b")
        );
        assert_eq!(
            find("/AuditRecord/DB_User/text()", AUDIT).as_deref(),
            Some("SYS")
        );
        assert_eq!(find("/AuditRecord/Empty", AUDIT).as_deref(), Some(""));
        assert_eq!(find("/AuditRecord/Missing", AUDIT), None);
        assert_eq!(find("/Audit_Type", AUDIT), None);
        assert_eq!(find("//Audit_Type", AUDIT).as_deref(), Some("1"));
    }

    #[test]
    fn attributes() {
        let text = r#"<blocked-process-report><blocking-process><process clientapp="SSMS &amp; co" isolationlevel="read committed (2)"/></blocking-process></blocked-process-report>"#;
        assert_eq!(
            find(
                "/blocked-process-report/blocking-process/process/@clientapp",
                text
            )
            .as_deref(),
            Some("SSMS & co")
        );
        assert_eq!(
            find(
                "/blocked-process-report/blocking-process/process/@nosuch",
                text
            ),
            None
        );
    }

    #[test]
    fn unsupported_paths_are_reported() {
        assert!(XmlPath::parse("a/b").is_err());
        assert!(XmlPath::parse("/a/b[1]").is_err());
        assert!(XmlPath::parse("/").is_err());
    }
}
