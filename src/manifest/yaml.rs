//! All YAML handling lives in this module.
//!
//! `serde_yaml` parses each document into a value (it is the parser the design names, and its
//! syntax errors carry a position). It does not say where each key is, so an event-level pass
//! with `yaml-rust2` records the line and column of every key and value by path, and where a
//! key is written twice. Error messages use those positions to point at the exact field.
//!
//! libyaml's error texts ("did not find expected ',' or ']'") are translated into what the
//! user did wrong, pointing where the mistake starts (an unclosed `[` or quote) rather than
//! where the parser gave up. Nesting too deep for either parser is refused up front: it
//! would overflow the stack or take libyaml seconds.
//!
//! # Scalars are taken as written
//!
//! YAML reads some unquoted scalars as numbers or booleans (`3.10`, `0x1F`, `1e3`, `.5`, `+1`,
//! `True`), and serde_yaml then holds only their value: written back they become `3.1`, `31`,
//! `1000.0`, `0.5`, `1`, `true`. Every field of a connection is text sent to AWS as is, so the
//! decision is: **a string field receives exactly the text the user wrote**. The event pass
//! records the source text of every plain scalar (values and keys, by path, following aliases
//! to their anchors), and [`Document::raw_scalar`] and [`Document::raw_keys`] give it back to
//! the conversion wherever serde_yaml produced a number or a boolean. Nulls (`~`, `null`, an
//! empty value) still mean "no value": a missing value where one is required, absent where it
//! is optional; the recorded text lets the message say `null` was written.
//!
//! A UTF-8 byte-order mark at the start of the text is skipped before parsing, so it neither
//! trips the parsers nor shifts the columns of the first line.
//!
//! # Why two parsers, and not one that keeps positions (measured, December 2026)
//!
//! The translation of libyaml's texts is `SyntaxError` and `syntax_problem`, about 240
//! lines that match 16 English phrases of libyaml and serde_yaml (`did not find expected`,
//! `flow sequence`, `duplicate entry with key`, ...) and split serde_yaml's rendering
//! `... at line L column C, while ...` in 3 places; the `Loaded` visitor (about 105 lines,
//! for integers wider than 64 bits and the duplicate-key wording) and `same_value_keys` exist
//! for serde_yaml too. The candidates: `serde_yaml_ng` and `yaml_serde` are forks of
//! serde_yaml on the same libyaml, so they change nothing here; `serde-saphyr` is a serde
//! deserializer with no generic value tree to walk; `marked-yaml` (on `yaml-rust`) keeps
//! spans but reads every scalar as a string; `saphyr` and `yaml-rust2` (the latter already
//! the event pass) keep positions, and `yaml-rust2` alone would remove serde_yaml and
//! unsafe-libyaml. Run on the 12 YAML cases of `tests/invalid/`, `yaml-rust2` 0.10.4:
//! - reports its own English texts, also a bare `info` string with no error kind, so the
//!   matching stays: 1 case has libyaml's text word for word, 3 reordered (`while parsing a
//!   flow mapping, did not find ...`), 5 differ (`illegal placement of ':' indicator` for an
//!   unclosed `[`, `tabs disallowed within this context`), and 3 point elsewhere (the bad
//!   indentation at column 10, not 3);
//! - gives one position, never libyaml's second one (where the unclosed `[` or quote
//!   opens), which this module would have to track from the events;
//! - accepts 2 cases that must fail: content after `...` without `---`, and keys `1.0` and
//!   `1.00` (it keeps real numbers as text), and its loader did not finish the alias bomb in
//!   120 s (it copies every alias; a limit would be ours to write);
//! - types scalars differently: `Null` and `NULL` are text to it, "no value" to serde_yaml,
//!   so `description: Null` would change meaning; strings stay as written either way (the
//!   event pass already gives the text), a BOM is stripped here before either parser, and
//!   duplicate keys are found by the event pass already.
//!
//! So a single parser would trade about 170 lines for a value builder, a scalar resolver and
//! an alias limit of about the same size, and re-derive the messages of the 12 cases. The
//! gain is not large: serde_yaml, the parser the design names, stays.

use crate::error::{Location, Problem};
use serde::Deserialize;
use serde::de::{self, Visitor};
use serde_yaml::Value;
use std::collections::HashMap;
use std::path::Path;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

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
                out.push_str(&display_key(key));
            }
            Segment::Index(index) => out.push_str(&format!("[{index}]")),
        }
    }
    out
}

/// Longest key shown whole in a field path; longer ones are cut (the message gives the length).
const KEY_SHOWN_MAX: usize = 40;

/// A key as shown in a field path: control characters escaped (a key may hold a tab or a
/// newline, which must not break the message), and a very long key cut short.
fn display_key(key: &str) -> String {
    let shown: String = if key.chars().count() > KEY_SHOWN_MAX {
        let head: String = key.chars().take(KEY_SHOWN_MAX).collect();
        format!("{head}...")
    } else {
        key.to_string()
    };
    if shown.chars().any(char::is_control) {
        format!("\"{}\"", shown.escape_debug())
    } else {
        shown
    }
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

/// A key written twice in one mapping: where it is, both times.
#[derive(Debug, Clone)]
struct DuplicateKey {
    path: Vec<Segment>,
    first: Position,
    again: Position,
}

/// What the event pass learnt about one document.
#[derive(Debug, Default)]
struct DocumentMarks {
    /// Where the document starts: its `---`, or its first node when it has none.
    start: Option<Position>,
    marks: HashMap<Vec<Segment>, NodeMarks>,
    duplicates: Vec<DuplicateKey>,
    written: Written,
}

/// The source text of plain scalars, by path (see the module documentation).
#[derive(Debug, Default)]
struct Written {
    /// The text of each plain scalar value (an empty value is recorded as "").
    scalars: HashMap<Vec<Segment>, String>,
    /// The keys of each mapping, in order, as written.
    keys: HashMap<Vec<Segment>, Vec<String>>,
    /// An alias node's path -> the path of the node its anchor marks.
    aliases: HashMap<Vec<Segment>, Vec<Segment>>,
}

/// Alias hops followed when looking a path up; anchors precede their aliases, so real chains
/// are short, and a bound keeps a pathological document cheap.
const ALIAS_HOPS_MAX: usize = 16;

impl Written {
    /// The entry at `path`, following aliases on the way.
    fn find<'m, T>(&self, map: &'m HashMap<Vec<Segment>, T>, path: &[Segment]) -> Option<&'m T> {
        let mut path = path.to_vec();
        for _ in 0..ALIAS_HOPS_MAX {
            if let Some(found) = map.get(&path) {
                return Some(found);
            }
            let (len, target) = (1..=path.len())
                .rev()
                .find_map(|len| self.aliases.get(&path[..len]).map(|target| (len, target)))?;
            let mut next = target.clone();
            next.extend_from_slice(&path[len..]);
            path = next;
        }
        None
    }
}

/// One parsed YAML document with the position of every node in it.
#[derive(Debug)]
pub struct Document {
    /// 0-based index of the document within its file.
    pub index: usize,
    pub value: Value,
    start: Position,
    marks: HashMap<Vec<Segment>, NodeMarks>,
    written: Written,
}

impl Document {
    /// The source text of the plain scalar at `path` (`0x1F` where the value is the number
    /// 31), or `None` when it is quoted, a block scalar, a container, or not known.
    pub fn raw_scalar(&self, path: &[Segment]) -> Option<&str> {
        self.written
            .find(&self.written.scalars, path)
            .map(String::as_str)
    }

    /// The keys of the mapping at `path` in the order written, as written (`1.0`, not `1`).
    pub fn raw_keys(&self, path: &[Segment]) -> Option<&[String]> {
        self.written
            .find(&self.written.keys, path)
            .map(Vec::as_slice)
    }

    /// Where the key of the node at `path` is (or the node itself for sequence items).
    pub fn key_position(&self, path: &[Segment]) -> Position {
        self.nearest(path).map(|m| m.key).unwrap_or(self.start)
    }

    /// Where the value of the node at `path` is.
    pub fn value_position(&self, path: &[Segment]) -> Position {
        self.nearest(path).map(|m| m.value).unwrap_or(self.start)
    }

    /// Where the document starts (its `---` line, if it has one).
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
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (mut marks, too_deep) = collect_marks(text);
    if let Some(at) = too_deep {
        // Deeper than any parser here accepts; libyaml would take seconds to say so.
        return Err(too_deep_problem(file, Some(at)));
    }
    let mut values = Vec::new();
    for document in serde_yaml::Deserializer::from_str(text) {
        match Loaded::deserialize(document) {
            Ok(Loaded(value)) => values.push(value),
            Err(error) => {
                let empty = DocumentMarks::default();
                let found = marks.get(values.len()).unwrap_or(&empty);
                return Err(syntax_problem(file, text, &error, found));
            }
        }
    }
    let documents = values
        .into_iter()
        .enumerate()
        .map(|(index, value)| {
            let found = marks.get_mut(index).map(std::mem::take).unwrap_or_default();
            Document {
                index,
                value,
                start: found.start.unwrap_or_default(),
                marks: found.marks,
                written: found.written,
            }
        })
        .collect();
    Ok(documents)
}

/// A value as serde_yaml's own `Value` builds it, except for integers wider than 64 bits:
/// `Value` refuses them ("invalid type: integer ... as u128"), here they are numbers like any
/// other (an `f64`, never used as such: a string field takes the text as written).
struct Loaded(Value);

impl<'de> Deserialize<'de> for Loaded {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LoadedVisitor).map(Loaded)
    }
}

struct LoadedVisitor;

impl<'de> Visitor<'de> for LoadedVisitor {
    type Value = Value;

    fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
        formatter.write_str("any YAML value")
    }

    fn visit_bool<E: de::Error>(self, flag: bool) -> Result<Value, E> {
        Ok(Value::Bool(flag))
    }

    fn visit_i64<E: de::Error>(self, number: i64) -> Result<Value, E> {
        Ok(Value::Number(number.into()))
    }

    fn visit_u64<E: de::Error>(self, number: u64) -> Result<Value, E> {
        Ok(Value::Number(number.into()))
    }

    fn visit_i128<E: de::Error>(self, number: i128) -> Result<Value, E> {
        Ok(Value::Number((number as f64).into()))
    }

    fn visit_u128<E: de::Error>(self, number: u128) -> Result<Value, E> {
        Ok(Value::Number((number as f64).into()))
    }

    fn visit_f64<E: de::Error>(self, number: f64) -> Result<Value, E> {
        Ok(Value::Number(number.into()))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Value, E> {
        Ok(Value::String(text.to_owned()))
    }

    fn visit_string<E: de::Error>(self, text: String) -> Result<Value, E> {
        Ok(Value::String(text))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        Loaded::deserialize(deserializer).map(|Loaded(value)| value)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut items: A) -> Result<Value, A::Error> {
        let mut sequence = Vec::new();
        while let Some(Loaded(item)) = items.next_element()? {
            sequence.push(item);
        }
        Ok(Value::Sequence(sequence))
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut entries: A) -> Result<Value, A::Error> {
        let mut mapping = serde_yaml::Mapping::new();
        while let Some(Loaded(key)) = entries.next_key()? {
            if mapping.contains_key(&key) {
                // serde_yaml's wording, which `syntax_problem` recognises.
                let with = match &key {
                    Value::Null => "with null key".to_string(),
                    Value::Bool(flag) => format!("with key `{flag}`"),
                    Value::Number(number) => format!("with key {number}"),
                    Value::String(text) => format!("with key {text:?}"),
                    _ => "in YAML map".to_string(),
                };
                return Err(de::Error::custom(format!("duplicate entry {with}")));
            }
            let Loaded(value) = entries.next_value()?;
            mapping.insert(key, value);
        }
        Ok(Value::Mapping(mapping))
    }

    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<Value, A::Error> {
        use serde::de::VariantAccess;
        let (tag, contents) = data.variant::<String>()?;
        if tag.is_empty() {
            return Err(de::Error::custom("empty YAML tag is not allowed"));
        }
        let Loaded(value) = contents.newtype_variant()?;
        Ok(Value::Tagged(Box::new(serde_yaml::value::TaggedValue {
            tag: serde_yaml::value::Tag::new(tag),
            value,
        })))
    }
}

/// A libyaml error as serde_yaml renders it:
/// `<problem> at line L column C, while <context> at line L column C` (each mark optional).
struct SyntaxError<'a> {
    problem: &'a str,
    context: Option<&'a str>,
    context_at: Option<Position>,
}

impl<'a> SyntaxError<'a> {
    fn parse(message: &'a str) -> Self {
        let (problem, context) = match message.split_once(", while ") {
            Some((problem, context)) => (problem, Some(context)),
            None => (message, None),
        };
        let (problem, _) = split_mark(problem);
        let (context, context_at) = match context.map(split_mark) {
            Some((context, at)) => (Some(context), at),
            None => (None, None),
        };
        SyntaxError {
            problem,
            context,
            context_at,
        }
    }

    fn context_is(&self, what: &str) -> bool {
        self.context.is_some_and(|context| context.contains(what))
    }
}

/// Splits `text at line L column C` into the text and the position.
fn split_mark(text: &str) -> (&str, Option<Position>) {
    let Some(cut) = text.rfind(" at line ") else {
        return (text, None);
    };
    let mut numbers = text[cut + " at line ".len()..].split(" column ");
    let line = numbers.next().and_then(|n| n.trim().parse().ok());
    let column = numbers.next().and_then(|n| n.trim().parse().ok());
    match (line, column) {
        (Some(line), Some(column)) => (&text[..cut], Some(Position { line, column })),
        _ => (text, None),
    }
}

/// Turns a serde_yaml error into a problem that says, in the user's terms, what is wrong and
/// where: for an unclosed bracket or quote that is where it opens, not where the file ends.
fn syntax_problem(
    file: &Path,
    text: &str,
    error: &serde_yaml::Error,
    found: &DocumentMarks,
) -> Problem {
    let at = error.location().map(|at| {
        within(
            text,
            Position {
                line: at.line(),
                column: at.column(),
            },
        )
    });
    let message = error.to_string();
    let parsed = SyntaxError::parse(&message);
    let located = |position: Option<Position>| match position {
        Some(Position { line, column }) => Location::at(file, line, column),
        None => Location::file(file),
    };
    let where_ = |position: Option<Position>| match position {
        Some(Position { line, column }) => format!("line {line} column {column}"),
        None => "the end of the file".to_string(),
    };

    if parsed.problem.contains("recursion limit exceeded") {
        return too_deep_problem(file, at);
    }

    if parsed.problem.contains("duplicate entry with key") {
        let duplicates = &found.duplicates;
        let duplicate = duplicates
            .iter()
            .find(|d| match d.path.last() {
                Some(Segment::Key(key)) => parsed.problem.contains(&format!("{key:?}")),
                _ => false,
            })
            .or(duplicates.first());
        if let Some(duplicate) = duplicate {
            let key = match duplicate.path.last() {
                Some(Segment::Key(key)) => key.as_str(),
                _ => "?",
            };
            return Problem::new(format!(
                "invalid YAML: `{key}` is set twice in the same mapping (first at {})",
                where_(Some(duplicate.first))
            ))
            .at(located(Some(duplicate.again)))
            .field(display_path(&duplicate.path))
            .help("keep one of them: a key can appear only once in a mapping");
        }
        // Written differently (`1.0` and `1.00`, `true` and `True`) but read as the same
        // number or boolean: the parser cannot keep both.
        if let Some((path, first, again)) = same_value_keys(found) {
            let mut first_path = path.clone();
            first_path.push(Segment::Key(first.clone()));
            let mut again_path = path;
            again_path.push(Segment::Key(again.clone()));
            let first_at = found.marks.get(&first_path).map(|m| m.key);
            let again_at = found.marks.get(&again_path).map(|m| m.key);
            return Problem::new(format!(
                "invalid YAML: the keys `{first}` (at {}) and `{again}` are written differently but YAML reads both as the same value",
                where_(first_at)
            ))
            .at(located(again_at.or(at)))
            .field(display_path(&again_path))
            .help(format!(
                "quote the keys (`\"{first}\":` and `\"{again}\":`) so that each is read as the text written, or keep one of them"
            ));
        }
    }

    // An unclosed `[` or `{`: point where it opens, and name the bracket that ends it.
    let unclosed = [
        ("flow sequence", "list", '[', ']', "items"),
        ("flow mapping", "mapping", '{', '}', "values"),
    ]
    .into_iter()
    .find(|(context, ..)| {
        parsed.context_is(context) && parsed.problem.starts_with("did not find expected")
    });
    let (location, message, help) = if let Some((_, noun, open, close, parts)) = unclosed {
        (
            parsed.context_at.or(at),
            format!(
                "invalid YAML: the {noun} opened here with `{open}` is not closed (no `,` or `{close}` before {})",
                where_(at)
            ),
            format!(
                "end the {noun} with `{close}`, and quote {parts} that contain `,`, `[`, `]`, `{{`, `}}` or `: `"
            ),
        )
    } else if parsed.context_is("quoted scalar") {
        (
            parsed.context_at.or(at),
            "invalid YAML: the quoted string that starts here is not closed".to_string(),
            "end the string with the quote it starts with (`\"` or `'`)".to_string(),
        )
    } else if parsed.context_is("simple key") && parsed.problem.contains("expected ':'") {
        (
            parsed.context_at.or(at),
            "invalid YAML: this line is not `key: value` (no `:` after the key)".to_string(),
            "write `key: value`, or indent the line further if it continues the value above"
                .to_string(),
        )
    } else if parsed.problem.starts_with("mapping values are not allowed") {
        (
            at,
            "invalid YAML: unexpected `:` (a mapping cannot start here)".to_string(),
            "quote a value that contains `: `, e.g. `description: \"Acme: production\"`, or fix the indentation of this line".to_string(),
        )
    } else if parsed.problem.starts_with("did not find expected key")
        && parsed.context_is("block mapping")
    {
        (
            at,
            "invalid YAML: the indentation of this line does not match the keys above it"
                .to_string(),
            "line up the keys of one mapping in the same column, and indent nested keys further than their parent".to_string(),
        )
    } else if parsed
        .problem
        .starts_with("block sequence entries are not allowed")
    {
        (
            at,
            "invalid YAML: a `- ` list item cannot start here".to_string(),
            "start the list on the line after its key, indented, or write it as `[a, b]`"
                .to_string(),
        )
    } else if parsed.problem.contains("repetition limit exceeded") {
        (
            at,
            "invalid YAML: the aliases (`*name`) expand to too many values".to_string(),
            "write the values out instead of nesting aliases".to_string(),
        )
    } else if parsed.problem.starts_with("unknown anchor") {
        let alias = at.map(|at| word_at(text, at)).unwrap_or_default();
        let name = alias.trim_start_matches('*');
        (
            at,
            format!("invalid YAML: the alias `{alias}` refers to no anchor `&{name}` before it"),
            format!("mark an earlier value with `&{name}`, or write the value out"),
        )
    } else if parsed
        .problem
        .starts_with("did not find expected <document start>")
    {
        (
            at,
            "invalid YAML: content after the end of a document (`...`) must start a new document with `---`".to_string(),
            "put `---` on the line before this one, or remove the `...` above".to_string(),
        )
    } else if parsed
        .problem
        .starts_with("found character that cannot start any token")
    {
        match at.and_then(|at| char_at(text, at)) {
            Some('\t') => (
                at,
                "invalid YAML: a tab character; YAML indentation must use spaces".to_string(),
                "replace the tab with spaces".to_string(),
            ),
            Some(c) => (
                at,
                format!("invalid YAML: `{c}` cannot start a plain value"),
                format!("put the value in quotes, e.g. \"{c}...\""),
            ),
            None => (
                at,
                format!("invalid YAML: {}", parsed.problem),
                "check the quoting and indentation at this spot".to_string(),
            ),
        }
    } else {
        let mut message = format!("invalid YAML: {}", parsed.problem);
        if let Some(context) = parsed.context {
            message.push_str(&format!(" (while {context}"));
            if let Some(context_at) = parsed.context_at {
                message.push_str(&format!(" that starts at {}", where_(Some(context_at))));
            }
            message.push(')');
        }
        (
            at,
            message,
            "check the quoting and indentation at this spot".to_string(),
        )
    };
    Problem::new(message).at(located(location)).help(help)
}

/// Two keys of one mapping written differently that YAML reads as the same number or boolean
/// (`1.0` and `1.00`): the mapping's path and both keys as written.
fn same_value_keys(found: &DocumentMarks) -> Option<(Vec<Segment>, String, String)> {
    let mut paths: Vec<&Vec<Segment>> = found.written.keys.keys().collect();
    paths.sort_by_key(|path| path.len());
    for path in paths {
        let keys = &found.written.keys[path];
        let mut seen: Vec<(Value, &String)> = Vec::new();
        for key in keys {
            let Ok(value @ (Value::Number(_) | Value::Bool(_))) =
                serde_yaml::from_str::<Value>(key)
            else {
                continue;
            };
            if let Some((_, first)) = seen.iter().find(|(v, first)| *v == value && *first != key) {
                return Some((path.clone(), (*first).clone(), key.clone()));
            }
            seen.push((value, key));
        }
    }
    None
}

fn too_deep_problem(file: &Path, at: Option<Position>) -> Problem {
    let location = match at {
        Some(Position { line, column }) => Location::at(file, line, column),
        None => Location::file(file),
    };
    Problem::new("invalid YAML: the values are nested too deeply")
        .at(location)
        .help("a connection needs only a few levels of nesting; look for unclosed or repeated brackets or `- ` markers")
}

/// Line breaks as YAML counts them: `\r\n`, `\r`, `\n`, NEL, LS and PS.
fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// A position moved back inside the text: at the end of a file that does not end with a line
/// break, both parsers report a position on the line after the last one.
fn within(text: &str, at: Position) -> Position {
    clamp(end_of(text), at)
}

fn clamp(end: Position, at: Position) -> Position {
    if at.line > end.line { end } else { at }
}

/// The position just after the last character.
fn end_of(text: &str) -> Position {
    let mut end = Position { line: 1, column: 1 };
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' && chars.peek() == Some(&'\n') {
            continue;
        }
        if is_break(c) {
            end = Position {
                line: end.line + 1,
                column: 1,
            };
        } else {
            end.column += 1;
        }
    }
    end
}

/// The token at a 1-based line and column (up to a space or a flow indicator).
fn word_at(text: &str, at: Position) -> String {
    let Some(line) = at.line.checked_sub(1).and_then(|l| text.lines().nth(l)) else {
        return String::new();
    };
    line.chars()
        .skip(at.column.saturating_sub(1))
        .take_while(|c| !c.is_whitespace() && !",[]{}".contains(*c))
        .take(64)
        .collect()
}

/// The character at a 1-based line and column.
fn char_at(text: &str, at: Position) -> Option<char> {
    text.lines()
        .nth(at.line.checked_sub(1)?)?
        .chars()
        .nth(at.column.checked_sub(1)?)
}

/// Containers nested deeper than this are not recorded: serde_yaml refuses documents nested
/// deeper than 128 anyway, and recording costs time in proportion to the depth.
const RECORDED_DEPTH_MAX: usize = 130;

/// Runs the event parser and records positions by path. Positions are best effort: if this
/// parser disagrees with serde_yaml, messages fall back to the nearest known position.
///
/// Also returns where nesting went past the parser's limit, if it did.
fn collect_marks(text: &str) -> (Vec<DocumentMarks>, Option<Position>) {
    let mut recorder = MarkRecorder {
        text,
        end: end_of(text),
        line_starts: std::iter::once(0)
            .chain(text.match_indices('\n').map(|(at, _)| at + 1))
            .collect(),
        ..MarkRecorder::default()
    };
    let mut parser = Parser::new_from_str(text);
    // Events one at a time: `Parser::load` recurses once per level of nesting and overflows
    // the stack on a few thousand nested `- `.
    let mut too_deep = None;
    loop {
        match parser.next_token() {
            Ok((Event::StreamEnd, _)) => break,
            Ok((event, mark)) => recorder.on_event(event, mark),
            Err(error) => {
                if error.info() == "recursion limit exceeded" {
                    too_deep = Some(Position::from(*error.marker()));
                }
                break;
            }
        }
    }
    if let Some(document) = recorder.current.take() {
        // The parser stopped inside a document (a syntax error): keep what it saw.
        recorder.documents.push(document);
    }
    (recorder.documents, too_deep)
}

enum Frame {
    Mapping {
        pending_key: Option<(String, Position)>,
        /// The keys seen so far, to find duplicates.
        keys: HashMap<String, Position>,
        pushed: bool,
    },
    Sequence {
        next: usize,
        pushed: bool,
    },
}

#[derive(Default)]
struct MarkRecorder<'t> {
    text: &'t str,
    /// Where the text ends; no recorded position lies beyond it.
    end: Position,
    /// Byte offset of the start of each line.
    line_starts: Vec<usize>,
    documents: Vec<DocumentMarks>,
    current: Option<DocumentMarks>,
    frames: Vec<Frame>,
    path: Vec<Segment>,
    /// Depth inside a complex (non-scalar) mapping key, whose contents are not addressable.
    skipping: usize,
    /// Depth inside containers nested deeper than [`RECORDED_DEPTH_MAX`].
    too_deep: usize,
    /// Anchor id -> the path of the node it marks, and its text if it is a plain scalar.
    anchors: HashMap<usize, (Vec<Segment>, Option<String>)>,
}

impl MarkRecorder<'_> {
    /// True when `---` is written at `at`.
    fn dashes_at(&self, at: Position) -> bool {
        let Some(&start) = at.line.checked_sub(1).and_then(|l| self.line_starts.get(l)) else {
            return false;
        };
        let line = self.text.get(start..).unwrap_or_default();
        let rest: String = line
            .chars()
            .skip(at.column.saturating_sub(1))
            .take(3)
            .collect();
        rest == "---"
    }

    fn record(&mut self, path: Vec<Segment>, marks: NodeMarks) {
        if let Some(document) = &mut self.current {
            if path.is_empty() && document.start.is_none() {
                document.start = Some(marks.value);
            }
            document.marks.entry(path).or_insert(marks);
        }
    }

    /// The parser marks a block mapping at the `:` of its first key; the mapping really
    /// starts at that key.
    fn first_key_of_mapping(&mut self, at: Position) {
        if let Some(document) = &mut self.current
            && let Some(marks) = document.marks.get_mut(&self.path)
            && (at.line, at.column) < (marks.value.line, marks.value.column)
        {
            marks.value = at;
            if self.path.is_empty() {
                marks.key = at;
                if document.start.is_some_and(|start| start.line == at.line) {
                    document.start = Some(at);
                }
            }
        }
    }

    /// A node starts. Returns the segment it is reached by, if it is a value (not a key).
    fn node_starts(&mut self, scalar: Option<&str>, at: Position) -> Option<Option<Segment>> {
        match self.frames.last_mut() {
            None => {
                self.record(Vec::new(), NodeMarks { key: at, value: at });
                Some(None)
            }
            Some(Frame::Mapping {
                pending_key, keys, ..
            }) => match pending_key.take() {
                None => {
                    let key = scalar.unwrap_or("?").to_string();
                    let first_key = keys.is_empty();
                    let earlier = if scalar.is_some() {
                        keys.insert(key.clone(), at)
                    } else {
                        None
                    };
                    *pending_key = Some((key.clone(), at));
                    if let Some(document) = &mut self.current {
                        document
                            .written
                            .keys
                            .entry(self.path.clone())
                            .or_default()
                            .push(key.clone());
                    }
                    if let Some(first) = earlier
                        && let Some(document) = &mut self.current
                    {
                        let mut path = self.path.clone();
                        path.push(Segment::Key(key));
                        document.duplicates.push(DuplicateKey {
                            path,
                            first,
                            again: at,
                        });
                    }
                    if first_key {
                        self.first_key_of_mapping(at);
                    }
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

    /// The path of a value node reached by `segment` (`None`: the document's root).
    fn path_to(&self, segment: &Option<Segment>) -> Vec<Segment> {
        let mut path = self.path.clone();
        path.extend(segment.iter().cloned());
        path
    }

    fn container_starts(&mut self, mapping: bool, anchor: usize, at: Position) {
        if self.skipping > 0 {
            self.skipping += 1;
            return;
        }
        if self.too_deep > 0 {
            self.too_deep += 1;
            return;
        }
        match self.node_starts(None, at) {
            None => self.skipping = 1,
            Some(_) if self.frames.len() >= RECORDED_DEPTH_MAX => self.too_deep = 1,
            Some(segment) => {
                if anchor != 0 {
                    self.anchors.insert(anchor, (self.path_to(&segment), None));
                }
                let pushed = segment.is_some();
                if let Some(segment) = segment {
                    self.path.push(segment);
                }
                self.frames.push(if mapping {
                    Frame::Mapping {
                        pending_key: None,
                        keys: HashMap::new(),
                        pushed,
                    }
                } else {
                    Frame::Sequence { next: 0, pushed }
                });
            }
        }
    }

    fn container_ends(&mut self) {
        if self.too_deep > 0 {
            self.too_deep -= 1;
            return;
        }
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

impl MarkedEventReceiver for MarkRecorder<'_> {
    fn on_event(&mut self, event: Event, mark: Marker) {
        let at = clamp(self.end, Position::from(mark));
        match event {
            Event::DocumentStart => {
                // An explicit `---` is where the document starts; without one, the parser's
                // mark is wherever it had read to, so the first node decides.
                let explicit = self.dashes_at(at);
                self.current = Some(DocumentMarks {
                    start: explicit.then_some(at),
                    ..DocumentMarks::default()
                });
                self.frames.clear();
                self.path.clear();
                self.skipping = 0;
                self.too_deep = 0;
                self.anchors.clear();
            }
            Event::DocumentEnd => {
                if let Some(document) = self.current.take() {
                    self.documents.push(document);
                }
            }
            Event::MappingStart(anchor, _) => self.container_starts(true, anchor, at),
            Event::SequenceStart(anchor, _) => self.container_starts(false, anchor, at),
            Event::MappingEnd | Event::SequenceEnd => self.container_ends(),
            Event::Scalar(value, style, anchor, _) if self.skipping == 0 && self.too_deep == 0 => {
                let plain = style == TScalarStyle::Plain;
                let node = self.node_starts(Some(&value), at).map(|s| self.path_to(&s));
                if let Some(path) = &node
                    && plain
                    && let Some(document) = &mut self.current
                {
                    document.written.scalars.insert(path.clone(), value.clone());
                }
                if anchor != 0 {
                    // An anchored key is its own node too: an alias may repeat it as a key.
                    let path = node.unwrap_or_else(|| self.path.clone());
                    self.anchors.insert(anchor, (path, plain.then_some(value)));
                }
            }
            Event::Alias(anchor) if self.skipping == 0 && self.too_deep == 0 => {
                let (target, text) = match self.anchors.get(&anchor).cloned() {
                    Some((target, text)) => (Some(target), text),
                    None => (None, None),
                };
                let key = text.clone().unwrap_or_else(|| "*alias".to_string());
                if let Some(segment) = self.node_starts(Some(&key), at) {
                    let path = self.path_to(&segment);
                    if let Some(document) = &mut self.current {
                        match (text, target) {
                            (Some(text), _) => {
                                document.written.scalars.insert(path, text);
                            }
                            (None, Some(target)) => {
                                document.written.aliases.insert(path, target);
                            }
                            (None, None) => {}
                        }
                    }
                }
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
            problem.message.as_str().starts_with("invalid YAML: "),
            "{}",
            problem.message
        );
    }

    #[test]
    fn a_block_mapping_starts_at_its_first_key() {
        // The event parser marks a block mapping at the `:` of its first key.
        let text = "description: x\nsalesforce:\n  myDomain: acme\n";
        let doc = &parse_documents(Path::new("f.yaml"), text).unwrap()[0];
        assert_eq!(doc.start(), Position { line: 1, column: 1 });
        assert_eq!(
            doc.value_position(&[key("salesforce")]),
            Position { line: 3, column: 3 }
        );
    }

    #[test]
    fn a_document_starts_at_its_dashes_or_its_first_key() {
        let text = "# comment\nname: a\n---\n# second\nname: b\n";
        let docs = parse_documents(Path::new("f.yaml"), text).unwrap();
        assert_eq!(docs[0].start(), Position { line: 2, column: 1 });
        assert_eq!(docs[1].start(), Position { line: 3, column: 1 });
        assert_eq!(docs[1].key_position(&[]), Position { line: 5, column: 1 });
    }

    #[test]
    fn a_duplicate_key_points_at_its_second_occurrence() {
        let text = "name: a\n---\nname: b\nsalesforce:\n  myDomain: a\n  myDomain: b\n";
        let problem = parse_documents(Path::new("f.yaml"), text).unwrap_err();
        assert_eq!(
            problem.to_string(),
            "f.yaml:6:3: salesforce.myDomain: invalid YAML: `myDomain` is set twice in the same mapping (first at line 5 column 3)\n  help: keep one of them: a key can appear only once in a mapping"
        );
    }

    #[test]
    fn an_unclosed_quote_points_where_it_opens() {
        let problem =
            parse_documents(Path::new("f.yaml"), "name: a\ndescription: 'Acme\n").unwrap_err();
        let location = problem.location.unwrap();
        assert_eq!((location.line, location.column), (Some(2), Some(14)));
    }

    #[test]
    fn split_mark_reads_libyaml_positions() {
        assert_eq!(
            split_mark("did not find expected key at line 4 column 3"),
            (
                "did not find expected key",
                Some(Position { line: 4, column: 3 })
            )
        );
        assert_eq!(
            split_mark("parsing a block mapping"),
            ("parsing a block mapping", None)
        );
    }

    #[test]
    fn display_path_escapes_control_characters_and_cuts_long_keys() {
        assert_eq!(
            display_path(&[key("oauth"), key("query"), key("format\t")]),
            "oauth.query.\"format\\t\""
        );
        let long = "H".repeat(100);
        assert_eq!(
            display_path(&[key(&long)]),
            format!("{}...", "H".repeat(KEY_SHOWN_MAX))
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
