//! All YAML handling lives in this module.
//!
//! `serde_yaml` parses each document into a value (it is the parser the design names, and its
//! syntax errors carry a position). It does not say where each key is, so a second, event-level
//! pass with `yaml-rust2` records the line and column of every key and value by path. Error
//! messages use those positions to point at the exact field.

use crate::error::{Location, Problem};
use serde::Deserialize;
use serde_yaml::Value;
use std::collections::HashMap;
use std::path::Path;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// One step into a document: a mapping key or a sequence index.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Segment {
    Key(String),
    Index(usize),
}

/// Renders a path the way users write it: `invocation.headers.X-Token`, `regions[1]`.
pub fn display_path(path: &[Segment]) -> String {
    let mut out = String::new();
    for segment in path {
        match segment {
            Segment::Key(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Segment::Index(index) => out.push_str(&format!("[{index}]")),
        }
    }
    out
}

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl Default for Position {
    fn default() -> Self {
        Position { line: 1, column: 1 }
    }
}

impl From<Marker> for Position {
    fn from(mark: Marker) -> Self {
        Position {
            line: mark.line(),
            column: mark.col() + 1,
        }
    }
}

/// Where a node is: its key (for mapping entries) and its value.
#[derive(Debug, Clone, Copy)]
struct NodeMarks {
    key: Position,
    value: Position,
}

/// One parsed YAML document with the position of every node in it.
#[derive(Debug)]
pub struct Document {
    /// 0-based index of the document within its file.
    pub index: usize,
    pub value: Value,
    start: Position,
    marks: HashMap<Vec<Segment>, NodeMarks>,
}

impl Document {
    /// Where the key of the node at `path` is (or the node itself for sequence items).
    pub fn key_position(&self, path: &[Segment]) -> Position {
        self.nearest(path).map(|m| m.key).unwrap_or(self.start)
    }

    /// Where the value of the node at `path` is.
    pub fn value_position(&self, path: &[Segment]) -> Position {
        self.nearest(path).map(|m| m.value).unwrap_or(self.start)
    }

    /// Where the document starts.
    pub fn start(&self) -> Position {
        self.start
    }

    fn nearest(&self, path: &[Segment]) -> Option<NodeMarks> {
        (0..=path.len())
            .rev()
            .find_map(|len| self.marks.get(&path[..len]).copied())
    }
}

/// Parses every document of a file. A syntax error is one problem with its position.
pub fn parse_documents(file: &Path, text: &str) -> Result<Vec<Document>, Problem> {
    let mut values = Vec::new();
    for document in serde_yaml::Deserializer::from_str(text) {
        match Value::deserialize(document) {
            Ok(value) => values.push(value),
            Err(error) => return Err(syntax_problem(file, &error)),
        }
    }
    let mut marks = collect_marks(text);
    let documents = values
        .into_iter()
        .enumerate()
        .map(|(index, value)| {
            let (start, marks) = if index < marks.len() {
                std::mem::take(&mut marks[index])
            } else {
                (Position { line: 1, column: 1 }, HashMap::new())
            };
            Document {
                index,
                value,
                start,
                marks,
            }
        })
        .collect();
    Ok(documents)
}

fn syntax_problem(file: &Path, error: &serde_yaml::Error) -> Problem {
    let location = match error.location() {
        Some(at) => Location::at(file, at.line(), at.column()),
        None => Location::file(file),
    };
    // serde_yaml appends " at line L column C" to its messages; the location says that already.
    let mut message = error.to_string();
    if let Some(cut) = message.find(" at line ") {
        message.truncate(cut);
    }
    Problem::new(format!("invalid YAML: {message}"))
        .at(location)
        .help("fix the YAML syntax; a YAML linter or `provision validate` shows the exact spot")
}

type DocumentMarks = (Position, HashMap<Vec<Segment>, NodeMarks>);

/// Runs the event parser and records positions by path. Positions are best effort: if this
/// parser disagrees with serde_yaml, messages fall back to the nearest known position.
fn collect_marks(text: &str) -> Vec<DocumentMarks> {
    let mut recorder = MarkRecorder::default();
    let mut parser = Parser::new_from_str(text);
    let _ = parser.load(&mut recorder, true);
    recorder.documents
}

enum Frame {
    Mapping {
        pending_key: Option<(String, Position)>,
        pushed: bool,
    },
    Sequence {
        next: usize,
        pushed: bool,
    },
}

#[derive(Default)]
struct MarkRecorder {
    documents: Vec<DocumentMarks>,
    current: Option<DocumentMarks>,
    frames: Vec<Frame>,
    path: Vec<Segment>,
    /// Depth inside a complex (non-scalar) mapping key, whose contents are not addressable.
    skipping: usize,
}

impl MarkRecorder {
    fn record(&mut self, path: Vec<Segment>, marks: NodeMarks) {
        if let Some((_, map)) = &mut self.current {
            map.entry(path).or_insert(marks);
        }
    }

    /// A node starts. Returns the segment it is reached by, if it is a value (not a key).
    fn node_starts(&mut self, scalar: Option<&str>, at: Position) -> Option<Option<Segment>> {
        match self.frames.last_mut() {
            None => Some(None),
            Some(Frame::Mapping { pending_key, .. }) => match pending_key.take() {
                None => {
                    *pending_key = Some((scalar.unwrap_or("?").to_string(), at));
                    None
                }
                Some((key, key_at)) => {
                    let mut path = self.path.clone();
                    path.push(Segment::Key(key.clone()));
                    self.record(
                        path,
                        NodeMarks {
                            key: key_at,
                            value: at,
                        },
                    );
                    Some(Some(Segment::Key(key)))
                }
            },
            Some(Frame::Sequence { next, .. }) => {
                let index = *next;
                *next += 1;
                let mut path = self.path.clone();
                path.push(Segment::Index(index));
                self.record(path, NodeMarks { key: at, value: at });
                Some(Some(Segment::Index(index)))
            }
        }
    }

    fn container_starts(&mut self, mapping: bool, at: Position) {
        if self.skipping > 0 {
            self.skipping += 1;
            return;
        }
        match self.node_starts(None, at) {
            None => self.skipping = 1,
            Some(segment) => {
                let pushed = segment.is_some();
                if let Some(segment) = segment {
                    self.path.push(segment);
                }
                self.frames.push(if mapping {
                    Frame::Mapping {
                        pending_key: None,
                        pushed,
                    }
                } else {
                    Frame::Sequence { next: 0, pushed }
                });
            }
        }
    }

    fn container_ends(&mut self) {
        if self.skipping > 0 {
            self.skipping -= 1;
            if self.skipping == 0 {
                // The complex key is complete; its value comes next.
                if let Some(Frame::Mapping { pending_key, .. }) = self.frames.last_mut() {
                    *pending_key = Some(("?".to_string(), Position { line: 1, column: 1 }));
                }
            }
            return;
        }
        if let Some(Frame::Mapping { pushed, .. } | Frame::Sequence { pushed, .. }) =
            self.frames.pop()
            && pushed
        {
            self.path.pop();
        }
    }
}

impl MarkedEventReceiver for MarkRecorder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        let at = Position::from(mark);
        match event {
            Event::DocumentStart => {
                self.current = Some((at, HashMap::new()));
                self.frames.clear();
                self.path.clear();
                self.skipping = 0;
            }
            Event::DocumentEnd => {
                if let Some(document) = self.current.take() {
                    self.documents.push(document);
                }
            }
            Event::MappingStart(..) => self.container_starts(true, at),
            Event::SequenceStart(..) => self.container_starts(false, at),
            Event::MappingEnd | Event::SequenceEnd => self.container_ends(),
            Event::Scalar(value, ..) if self.skipping == 0 => {
                self.node_starts(Some(&value), at);
            }
            Event::Alias(..) if self.skipping == 0 => {
                self.node_starts(Some("*alias"), at);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &str) -> Segment {
        Segment::Key(k.to_string())
    }

    #[test]
    fn positions_point_at_keys_and_values() {
        let text =
            "name: a\ninvocation:\n  headers:\n    X-Token: abc\nregions: [us-east-1, eu-west-1]\n";
        let docs = parse_documents(Path::new("f.yaml"), text).unwrap();
        assert_eq!(docs.len(), 1);
        let doc = &docs[0];
        let header = [key("invocation"), key("headers"), key("X-Token")];
        assert_eq!(doc.key_position(&header), Position { line: 4, column: 5 });
        assert_eq!(
            doc.value_position(&header),
            Position {
                line: 4,
                column: 14
            }
        );
        let region = [key("regions"), Segment::Index(1)];
        assert_eq!(
            doc.value_position(&region),
            Position {
                line: 5,
                column: 22
            }
        );
        // An unknown path falls back to its nearest known parent.
        let missing = [key("invocation"), key("query")];
        assert_eq!(doc.key_position(&missing), Position { line: 2, column: 1 });
    }

    #[test]
    fn each_document_has_its_own_positions() {
        let text = "name: a\n---\nname: b\ndescription: x\n";
        let docs = parse_documents(Path::new("f.yaml"), text).unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(
            docs[1].key_position(&[key("description")]),
            Position { line: 4, column: 1 }
        );
    }

    #[test]
    fn syntax_errors_carry_their_position() {
        let problem = parse_documents(Path::new("f.yaml"), "name: [a\n").unwrap_err();
        let location = problem.location.unwrap();
        assert_eq!(location.file, Path::new("f.yaml"));
        assert!(location.line.is_some());
        assert!(
            problem.message.starts_with("invalid YAML: "),
            "{}",
            problem.message
        );
    }

    #[test]
    fn display_path_joins_keys_and_indices() {
        assert_eq!(
            display_path(&[key("a"), key("b.c"), Segment::Index(2)]),
            "a.b.c[2]"
        );
    }
}
