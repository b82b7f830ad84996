//! The query language: turns the string a user types into a [`Node`] tree of words, phrases,
//! prefixes, fuzzy words, field restrictions, date ranges and path globs combined with
//! `+`/`-`, `AND`/`OR`/`NOT` and parentheses, in the habits of Lucene and web search engines.
//! The parser is lenient where intent is clear (stray operators and parentheses, unclosed
//! quotes) and returns a [`ParseError`] with a position and a hint where it is not (unknown
//! fields, fields without a value, bad dates). Words are kept as the user wrote them:
//! lowercasing, stemming and splitting into index terms, path matching and turning the tree
//! into an index query are left to other modules.

use std::fmt;

/// How many parentheses may be nested; deeper nesting is a [`ParseError`].
const MAX_DEPTH: usize = 32;

/// Which field a clause is restricted to. `None` in a node means the default fields (text and title).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldName {
    /// The document title.
    Title,
    /// The document body.
    Text,
    /// The document path relative to the corpus root.
    Path,
    /// The document date.
    Date,
}

impl FieldName {
    /// Looks up a field by name, ignoring ASCII case.
    pub fn from_name(name: &str) -> Option<FieldName> {
        [FieldName::Title, FieldName::Text, FieldName::Path, FieldName::Date]
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(name))
    }

    /// The field's name as written in queries.
    pub fn name(self) -> &'static str {
        match self {
            FieldName::Title => "title",
            FieldName::Text => "text",
            FieldName::Path => "path",
            FieldName::Date => "date",
        }
    }
}

/// How a clause takes part in its [`Node::Bool`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Occur {
    /// The clause may match (at least one must when the Bool has no `Must` clause).
    Should,
    /// The clause must match.
    Must,
    /// The clause must not match.
    MustNot,
}

/// A calendar date from the query, validated (month 1-12, day valid for the month incl. leap years).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    /// Year, 1 to 9999 (an open bound such as `date:>9999` may step one year past).
    pub year: i32,
    /// Month, 1 to 12.
    pub month: u8,
    /// Day of the month, 1 to the month's length.
    pub day: u8,
}

impl Date {
    /// Builds a date when the year is 1 to 9999 and the day exists in that month.
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        let valid = (1..=9999).contains(&year)
            && (1..=12).contains(&month)
            && (1..=days_in_month(year, month)).contains(&day);
        valid.then_some(Date { year, month, day })
    }

    /// Parses exactly `YYYY-MM-DD`; anything else, or a day that does not exist, is `None`.
    /// Query ranges also accept `YYYY` and `YYYY-MM`, see [`parse_date_span`].
    pub fn parse(s: &str) -> Option<Date> {
        parse_date_span(s).filter(|(from, to)| from == to).map(|(day, _)| day)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        _ => 31,
    }
}

/// The day after `d`, across month and year ends.
fn day_after(d: Date) -> Date {
    if d.day < days_in_month(d.year, d.month) {
        Date { day: d.day + 1, ..d }
    } else if d.month < 12 {
        Date { month: d.month + 1, day: 1, ..d }
    } else {
        Date { year: d.year + 1, month: 1, day: 1 }
    }
}

/// The day before `d`, across month and year starts.
fn day_before(d: Date) -> Date {
    if d.day > 1 {
        Date { day: d.day - 1, ..d }
    } else if d.month > 1 {
        Date { month: d.month - 1, day: days_in_month(d.year, d.month - 1), ..d }
    } else {
        Date { year: d.year - 1, month: 12, day: 31 }
    }
}

/// The first and last day of a `YYYY` (a year), `YYYY-MM` (a month) or `YYYY-MM-DD` (one day),
/// or `None` when `s` is none of these or names a day that does not exist.
pub fn parse_date_span(s: &str) -> Option<(Date, Date)> {
    fn number(part: &str, len: usize) -> Option<u16> {
        (part.len() == len && part.bytes().all(|b| b.is_ascii_digit()))
            .then(|| part.parse().ok())?
    }
    let parts: Vec<&str> = s.splitn(4, '-').collect();
    let year = i32::from(number(parts.first()?, 4)?);
    let month = |part: &str| u8::try_from(number(part, 2)?).ok();
    match parts.as_slice() {
        [_] => Some((Date::new(year, 1, 1)?, Date::new(year, 12, 31)?)),
        [_, m] => {
            let m = month(m)?;
            Some((Date::new(year, m, 1)?, Date::new(year, m, days_in_month(year, m))?))
        }
        [_, m, d] => Date::new(year, month(m)?, month(d)?).map(|day| (day, day)),
        _ => None,
    }
}

/// A parsed query, or a part of one.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// Clauses combined by their occurrence: Must all match, MustNot none, and at least one Should when there is no Must.
    Bool(Vec<Clause>),
    /// A single word, e.g. `oil` or `title:coffee`.
    Term { field: Option<FieldName>, text: String },
    /// Quoted words `"armed forces"`, with optional proximity `"armed forces"~3` (slop 0 when absent).
    Phrase { field: Option<FieldName>, text: String, slop: u32 },
    /// `democra*`: words beginning with `text` (text without the star).
    Prefix { field: Option<FieldName>, text: String },
    /// `democrcy~1`: words within edit distance `distance` (1 or 2; `word~` alone means 1; larger numbers are clamped to 2).
    Fuzzy { field: Option<FieldName>, text: String, distance: u8 },
    /// Documents dated from `from` to `to`, both inclusive; `None` is an open end.
    DateRange { from: Option<Date>, to: Option<Date> },
    /// `path:business/*` — a glob over the document path relative to the corpus root (`*` any
    /// run of chars, `?` one char); a pattern without wildcards means a folder or file prefix.
    Path { pattern: String },
}

impl Node {
    /// Tells whether the node is a Bool without clauses, or whose clauses are all empty.
    pub fn is_empty(&self) -> bool {
        match self {
            Node::Bool(clauses) => clauses.iter().all(|c| c.node.is_empty()),
            _ => false,
        }
    }
}

/// One part of a [`Node::Bool`] with its occurrence.
#[derive(Debug, Clone, PartialEq)]
pub struct Clause {
    /// Whether the part should, must or must not match.
    pub occur: Occur,
    /// The part itself.
    pub node: Node,
}

/// A problem in the query, with the character position (0-based, in chars) it points at and a short hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// What is wrong, e.g. `unknown field 'foo'`.
    pub message: String,
    /// The 0-based character position the problem starts at.
    pub position: usize,
    /// How to fix it, e.g. `dates are YYYY-MM-DD`.
    pub hint: String,
}

impl ParseError {
    fn new(message: impl Into<String>, position: usize, hint: impl Into<String>) -> ParseError {
        ParseError { message: message.into(), position, hint: hint.into() }
    }

    fn needs_value(field: FieldName, position: usize) -> ParseError {
        let name = field.name();
        let hint = match field {
            FieldName::Title | FieldName::Text => {
                format!("write {name}:word or {name}:\"some words\"")
            }
            FieldName::Path => "write path:folder/*".to_string(),
            FieldName::Date => {
                "write date:2026-01-01 or date:[2026-01-01 TO 2026-03-01]".to_string()
            }
        };
        ParseError::new(format!("field '{name}' needs a value"), position, hint)
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at column {}", self.message, self.position + 1)?;
        if !self.hint.is_empty() {
            write!(f, " ({})", self.hint)?;
        }
        Ok(())
    }
}

impl std::error::Error for ParseError {}

/// Parses a query; an empty or whitespace-only query is an empty [`Node::Bool`].
///
/// Decisions beyond the usual syntax: a `*` inside a word is dropped (`de*mo` is the term
/// `demo`, `de*mo*` the prefix `demo`); a boost `^N` is removed and ignored; `~` after a phrase
/// without a number leaves the slop at 0; when a clause has several of `+`, `-` and `NOT`, any
/// negation wins; `!` is an ordinary character; `&&` and `||` mean `AND` and `OR`; an unknown
/// field followed by `/` (`http://x`) is a plain word; after `title:` or `text:` the value is
/// taken literally (`title:AND`, `title:-x` and `title:a:b` are plain words).
pub fn parse(query: &str) -> Result<Node, ParseError> {
    let chars: Vec<char> = query.chars().collect();
    let mut lexer = Lexer { cs: &chars, i: 0, toks: Vec::new(), pending_field: None };
    lexer.run()?;
    Parser { toks: lexer.toks, i: 0 }.parse_or(None, 0)
}

/// A query as plain text: every whitespace-separated word a Should Term (no syntax at all),
/// always inside a [`Node::Bool`]. Used for natural-language query files.
pub fn parse_plain(query: &str) -> Node {
    let words = query.split(is_space).filter(|w| !w.is_empty());
    Node::Bool(
        words
            .map(|w| Clause {
                occur: Occur::Should,
                node: Node::Term { field: None, text: w.to_string() },
            })
            .collect(),
    )
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || c.is_control()
}

/// A word as the lexer read it, before a field is applied.
#[derive(Debug, Clone)]
enum Atom {
    Term(String),
    Prefix(String),
    Fuzzy(String, u8),
    Phrase(String, u32),
    Path(String),
    Dates(Option<Date>, Option<Date>),
}

impl Atom {
    fn into_node(self, field: Option<FieldName>) -> Node {
        match self {
            Atom::Term(text) => Node::Term { field, text },
            Atom::Prefix(text) => Node::Prefix { field, text },
            Atom::Fuzzy(text, distance) => Node::Fuzzy { field, text, distance },
            Atom::Phrase(text, slop) => Node::Phrase { field, text, slop },
            Atom::Path(pattern) => Node::Path { pattern },
            Atom::Dates(from, to) => Node::DateRange { from, to },
        }
    }
}

#[derive(Debug, Clone)]
enum Tok {
    LParen(usize),
    RParen,
    And,
    Or,
    Not,
    Must,
    MustNot,
    Field(FieldName, usize),
    Atom(Atom),
}

struct Lexer<'a> {
    cs: &'a [char],
    i: usize,
    toks: Vec<Tok>,
    /// A `title:` or `text:` just read, whose value must come next.
    pending_field: Option<(FieldName, usize)>,
}

impl Lexer<'_> {
    fn peek_at(&self, i: usize) -> Option<char> {
        self.cs.get(i).copied()
    }

    fn run(&mut self) -> Result<(), ParseError> {
        while let Some(c) = self.peek_at(self.i) {
            let in_value = self.pending_field.take();
            let before = self.toks.len();
            match c {
                _ if in_value.is_none() && is_space(c) => self.i += 1,
                '(' => {
                    self.toks.push(Tok::LParen(self.i));
                    self.i += 1;
                }
                ')' => {
                    self.toks.push(Tok::RParen);
                    self.i += 1;
                }
                '"' => self.lex_phrase(),
                '+' | '-' if in_value.is_none() => {
                    let next = self.peek_at(self.i + 1);
                    if next.is_some_and(|n| !is_space(n) && n != ')') {
                        self.toks.push(if c == '+' { Tok::Must } else { Tok::MustNot });
                    }
                    self.i += 1;
                }
                _ => self.lex_word(in_value.is_some())?,
            }
            if let Some((field, position)) = in_value {
                if self.toks.len() == before {
                    return Err(ParseError::needs_value(field, position));
                }
            }
        }
        match self.pending_field {
            Some((field, position)) => Err(ParseError::needs_value(field, position)),
            None => Ok(()),
        }
    }

    /// Reads ASCII digits from the current position; `None` when there are none.
    fn read_number(&mut self) -> Option<u32> {
        let start = self.i;
        let mut n: u32 = 0;
        while let Some(d) = self.peek_at(self.i).and_then(|c| c.to_digit(10)) {
            n = n.saturating_mul(10).saturating_add(d);
            self.i += 1;
        }
        (self.i > start).then_some(n)
    }

    /// Reads up to the closing quote (or the end of the query) after the opening one at `self.i`.
    fn read_quoted(&mut self) -> String {
        let start = self.i + 1;
        let end = self.cs[start.min(self.cs.len())..]
            .iter()
            .position(|&c| c == '"')
            .map_or(self.cs.len(), |p| start + p);
        self.i = (end + 1).min(self.cs.len());
        self.cs[start.min(end)..end].iter().collect()
    }

    /// Reads a run of characters that are not whitespace and not one of `stops`.
    fn read_run(&mut self, stops: &[char]) -> (usize, String) {
        let start = self.i;
        while self.peek_at(self.i).is_some_and(|c| !is_space(c) && !stops.contains(&c)) {
            self.i += 1;
        }
        (start, self.cs[start..self.i].iter().collect())
    }

    fn lex_phrase(&mut self) {
        let text = self.read_quoted().trim().to_string();
        let mut slop = 0;
        if self.peek_at(self.i) == Some('~') {
            self.i += 1;
            slop = self.read_number().unwrap_or(0);
        }
        if self.peek_at(self.i) == Some('^') {
            self.i += 1;
            self.read_run(&['"', '(', ')', '~', '^']);
        }
        if !text.is_empty() {
            self.toks.push(Tok::Atom(Atom::Phrase(text, slop)));
        }
    }

    fn lex_word(&mut self, in_value: bool) -> Result<(), ParseError> {
        let start = self.i;
        if !in_value {
            let letters = self.cs[start..].iter().take_while(|c| c.is_ascii_alphabetic()).count();
            let colon = start + letters;
            if letters > 0 && self.peek_at(colon) == Some(':') {
                let name: String = self.cs[start..colon].iter().collect();
                let after = self.peek_at(colon + 1);
                let has_value = after.is_some_and(|c| !is_space(c) && c != ')');
                match FieldName::from_name(&name) {
                    Some(field) if !has_value => return Err(ParseError::needs_value(field, start)),
                    Some(field) => {
                        self.i = colon + 1;
                        return match field {
                            FieldName::Title | FieldName::Text => {
                                self.toks.push(Tok::Field(field, start));
                                self.pending_field = Some((field, start));
                                Ok(())
                            }
                            FieldName::Path => self.lex_path(start),
                            FieldName::Date => self.lex_date(start),
                        };
                    }
                    None if has_value && after != Some('/') => {
                        return Err(ParseError::new(
                            format!("unknown field '{name}'"),
                            start,
                            "known fields: title, text, path, date",
                        ));
                    }
                    None => {}
                }
            }
        }
        let (_, raw) = self.read_run(&['"', '(', ')']);
        if !in_value {
            let op = match raw.as_str() {
                "AND" | "&&" => Some(Tok::And),
                "OR" | "||" => Some(Tok::Or),
                "NOT" => Some(Tok::Not),
                _ => None,
            };
            if let Some(op) = op {
                self.toks.push(op);
                return Ok(());
            }
        }
        if let Some(atom) = word_atom(raw) {
            self.toks.push(Tok::Atom(atom));
        }
        Ok(())
    }

    fn lex_path(&mut self, start: usize) -> Result<(), ParseError> {
        let pattern = if self.peek_at(self.i) == Some('"') {
            self.read_quoted()
        } else {
            self.read_run(&['"', '(', ')']).1
        };
        if pattern.is_empty() {
            return Err(ParseError::needs_value(FieldName::Path, start));
        }
        self.toks.push(Tok::Atom(Atom::Path(pattern)));
        Ok(())
    }

    fn lex_date(&mut self, start: usize) -> Result<(), ParseError> {
        let (from, to) = match self.peek_at(self.i) {
            Some(open @ ('[' | '{')) => self.lex_date_range(open == '{')?,
            _ => {
                let op: String =
                    self.cs[self.i..].iter().take_while(|c| matches!(c, '<' | '>' | '=')).collect();
                self.i += op.chars().count();
                let (pos, value) = self.read_run(&['(', ')']);
                let value = value.trim_matches('"');
                if value.is_empty() {
                    return Err(ParseError::needs_value(FieldName::Date, start));
                }
                if value == "*" && op.is_empty() {
                    (None, None)
                } else {
                    let (lo, hi) = date_span_at(value, pos)?;
                    match op.as_str() {
                        "" => (Some(lo), Some(hi)),
                        ">=" => (Some(lo), None),
                        ">" => (Some(day_after(hi)), None),
                        "<=" => (None, Some(hi)),
                        "<" => (None, Some(day_before(lo))),
                        _ => {
                            return Err(ParseError::new(
                                format!("unknown comparison '{op}'"),
                                start + 5,
                                "use date:>=, date:>, date:<= or date:<",
                            ))
                        }
                    }
                }
            }
        };
        if let (Some(f), Some(t)) = (from, to) {
            if f > t {
                return Err(ParseError::new(
                    format!("date range starts after it ends ({f} > {t})"),
                    start,
                    "put the earlier date first",
                ));
            }
        }
        self.toks.push(Tok::Atom(Atom::Dates(from, to)));
        Ok(())
    }

    /// Reads `[FROM TO UNTIL]` (or with `{`/`}` for exclusive ends) at the current `[`.
    fn lex_date_range(
        &mut self,
        exclusive_from: bool,
    ) -> Result<(Option<Date>, Option<Date>), ParseError> {
        let open = self.i;
        let Some(close) =
            self.cs[open + 1..].iter().position(|&c| c == ']' || c == '}').map(|p| open + 1 + p)
        else {
            return Err(ParseError::new("unclosed date range", open, "close the range with ]"));
        };
        let exclusive_to = self.peek_at(close) == Some('}');
        let mut words: Vec<(usize, String)> = Vec::new();
        self.i = open + 1;
        while self.i < close {
            if self.peek_at(self.i).is_some_and(is_space) {
                self.i += 1;
            } else {
                words.push(self.read_run(&[']', '}']));
            }
        }
        self.i = close + 1;
        let [(from_pos, from), (_, to_word), (to_pos, to)] = words.as_slice() else {
            return Err(ParseError::new(
                "malformed date range",
                open,
                "write date:[2026-01-01 TO 2026-03-01]",
            ));
        };
        if !to_word.eq_ignore_ascii_case("TO") {
            return Err(ParseError::new(
                "malformed date range",
                open,
                "write date:[2026-01-01 TO 2026-03-01]",
            ));
        }
        let from = match from.as_str() {
            "*" => None,
            s => {
                let (lo, hi) = date_span_at(s, *from_pos)?;
                Some(if exclusive_from { day_after(hi) } else { lo })
            }
        };
        let to = match to.as_str() {
            "*" => None,
            s => {
                let (lo, hi) = date_span_at(s, *to_pos)?;
                Some(if exclusive_to { day_before(lo) } else { hi })
            }
        };
        Ok((from, to))
    }
}

fn date_span_at(s: &str, position: usize) -> Result<(Date, Date), ParseError> {
    parse_date_span(s).ok_or_else(|| {
        ParseError::new(format!("invalid date '{s}'"), position, "dates are YYYY-MM-DD")
    })
}

/// Turns a raw word into a term, prefix or fuzzy atom; `None` when nothing is left of it.
fn word_atom(mut word: String) -> Option<Atom> {
    // `^` and `~` are ASCII, so the byte positions from `rfind` are char boundaries.
    if let Some(p) = word.rfind('^') {
        if word[p + 1..].chars().all(|c| c.is_ascii_digit() || c == '.') {
            word.truncate(p);
        }
    }
    let mut distance = None;
    if let Some(p) = word.rfind('~') {
        let digits = &word[p + 1..];
        if digits.bytes().all(|b| b.is_ascii_digit()) {
            let n = digits
                .bytes()
                .fold(0u32, |n, b| n.saturating_mul(10).saturating_add(u32::from(b - b'0')));
            let d = if digits.is_empty() { 1 } else { n.min(2) as u8 };
            distance = Some(d);
            word.truncate(p);
        }
    }
    let prefix = word.ends_with('*');
    if word.contains('*') {
        word.retain(|c| c != '*');
    }
    if word.is_empty() {
        return None;
    }
    Some(match distance {
        Some(d) if d > 0 => Atom::Fuzzy(word, d),
        _ if prefix => Atom::Prefix(word),
        _ => Atom::Term(word),
    })
}

struct Parser {
    toks: Vec<Tok>,
    i: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.i)
    }

    /// Clauses joined by `OR` or by juxtaposition, up to a `)` (skipped at the top level) or the end.
    fn parse_or(&mut self, field: Option<FieldName>, depth: usize) -> Result<Node, ParseError> {
        let mut clauses = Vec::new();
        loop {
            while matches!(self.peek(), Some(Tok::Or | Tok::And))
                || (depth == 0 && matches!(self.peek(), Some(Tok::RParen)))
            {
                self.i += 1;
            }
            if matches!(self.peek(), None | Some(Tok::RParen)) {
                break;
            }
            let mut group = self.parse_and(field, depth)?;
            if group.len() == 1 {
                if let Some((occur, node)) = group.pop() {
                    clauses.push(Clause { occur: occur.unwrap_or(Occur::Should), node });
                }
            } else if !group.is_empty() {
                let inner = group
                    .into_iter()
                    .map(|(o, node)| Clause { occur: o.unwrap_or(Occur::Must), node });
                clauses.push(Clause { occur: Occur::Should, node: make_bool(inner.collect()) });
            }
        }
        Ok(make_bool(clauses))
    }

    /// Clauses joined by `AND` or `NOT`; `None` occurs are left for the caller to decide.
    fn parse_and(
        &mut self,
        field: Option<FieldName>,
        depth: usize,
    ) -> Result<Vec<(Option<Occur>, Node)>, ParseError> {
        let mut items = Vec::new();
        items.extend(self.parse_unary(field, depth)?);
        loop {
            match self.peek() {
                Some(Tok::And) => {
                    while matches!(self.peek(), Some(Tok::And)) {
                        self.i += 1;
                    }
                    if matches!(self.peek(), None | Some(Tok::RParen | Tok::Or)) {
                        break;
                    }
                }
                Some(Tok::Not) => {}
                _ => break,
            }
            items.extend(self.parse_unary(field, depth)?);
        }
        Ok(items)
    }

    /// Optional `NOT`, `+` or `-` markers followed by one word, phrase, field or group.
    fn parse_unary(
        &mut self,
        field: Option<FieldName>,
        depth: usize,
    ) -> Result<Option<(Option<Occur>, Node)>, ParseError> {
        let mut occur = None;
        loop {
            match self.peek() {
                Some(Tok::Not | Tok::MustNot) => occur = Some(Occur::MustNot),
                Some(Tok::Must) => occur = occur.or(Some(Occur::Must)),
                _ => break,
            }
            self.i += 1;
        }
        Ok(self.parse_primary(field, depth)?.map(|node| (occur, node)))
    }

    fn parse_primary(
        &mut self,
        field: Option<FieldName>,
        depth: usize,
    ) -> Result<Option<Node>, ParseError> {
        match self.peek().cloned() {
            Some(Tok::Atom(atom)) => {
                self.i += 1;
                Ok(Some(atom.into_node(field)))
            }
            Some(Tok::Field(f, position)) => {
                self.i += 1;
                match self.peek() {
                    Some(Tok::Atom(_) | Tok::LParen(_)) => self.parse_primary(Some(f), depth),
                    _ => Err(ParseError::needs_value(f, position)),
                }
            }
            Some(Tok::LParen(position)) => {
                if depth >= MAX_DEPTH {
                    return Err(ParseError::new(
                        "parentheses nested too deeply",
                        position,
                        format!("use at most {MAX_DEPTH} levels of parentheses"),
                    ));
                }
                self.i += 1;
                let node = self.parse_or(field, depth + 1)?;
                if matches!(self.peek(), Some(Tok::RParen)) {
                    self.i += 1;
                }
                Ok((!node.is_empty()).then_some(node))
            }
            _ => Ok(None),
        }
    }
}

/// Builds a Bool, dropping empty clauses, merging nested Bools where that keeps the meaning,
/// and collapsing a single Should or Must clause to its node.
fn make_bool(clauses: Vec<Clause>) -> Node {
    let mut flat = Vec::with_capacity(clauses.len());
    for clause in clauses {
        match clause {
            c if c.node.is_empty() => {}
            Clause { occur: Occur::Must, node: Node::Bool(inner) }
                if inner.iter().all(|c| c.occur == Occur::Must) =>
            {
                flat.extend(inner);
            }
            c => flat.push(c),
        }
    }
    if !flat.iter().any(|c| c.occur == Occur::Must) {
        let mut merged = Vec::with_capacity(flat.len());
        for clause in flat {
            match clause {
                Clause { occur: Occur::Should, node: Node::Bool(inner) }
                    if inner.iter().all(|c| c.occur == Occur::Should) =>
                {
                    merged.extend(inner);
                }
                c => merged.push(c),
            }
        }
        flat = merged;
    }
    if flat.len() == 1 && flat[0].occur != Occur::MustNot {
        if let Some(clause) = flat.pop() {
            return clause.node;
        }
    }
    Node::Bool(flat)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(text: &str) -> Node {
        Node::Term { field: None, text: text.into() }
    }
    fn ft(field: FieldName, text: &str) -> Node {
        Node::Term { field: Some(field), text: text.into() }
    }
    fn cl(occur: Occur, node: Node) -> Clause {
        Clause { occur, node }
    }
    fn should(node: Node) -> Clause {
        cl(Occur::Should, node)
    }
    fn must(node: Node) -> Clause {
        cl(Occur::Must, node)
    }
    fn must_not(node: Node) -> Clause {
        cl(Occur::MustNot, node)
    }
    fn phrase(text: &str, slop: u32) -> Node {
        Node::Phrase { field: None, text: text.into(), slop }
    }
    fn date(s: &str) -> Option<Date> {
        Date::parse(s)
    }
    fn range(from: &str, to: &str) -> Node {
        Node::DateRange { from: date(from), to: date(to) }
    }
    fn p(q: &str) -> Node {
        parse(q).unwrap_or_else(|e| panic!("{q}: {e}"))
    }
    fn err(q: &str) -> ParseError {
        parse(q).expect_err(q)
    }

    #[test]
    fn empty_queries() {
        for q in
            ["", "   ", "\t\u{0}\n", "()", "( )", "AND", "OR NOT", "-", "+ -", "\"\"", "*", ")"]
        {
            assert_eq!(p(q), Node::Bool(vec![]), "{q:?}");
            assert!(p(q).is_empty());
        }
    }

    #[test]
    fn words_are_should_clauses() {
        assert_eq!(p("oil"), term("oil"));
        assert_eq!(p("oil prices"), Node::Bool(vec![should(term("oil")), should(term("prices"))]));
        assert_eq!(
            p("and or not"),
            Node::Bool(vec![should(term("and")), should(term("or")), should(term("not"))])
        );
    }

    #[test]
    fn punctuation_and_unicode_stay_in_words() {
        for w in [
            "U.S.", "don't", "café", "e-mail", "2025-26", "Türkiye", "🙂", "12:30", "a?b", "hello!",
        ] {
            assert_eq!(p(w), term(w), "{w}");
        }
        assert_eq!(
            p("Note: hello"),
            Node::Bool(vec![should(term("Note:")), should(term("hello"))])
        );
        assert_eq!(p("http://x.org/a"), term("http://x.org/a"));
        assert_eq!(p("a\u{1}b"), Node::Bool(vec![should(term("a")), should(term("b"))]));
    }

    #[test]
    fn plus_and_minus() {
        assert_eq!(
            p("+oil -opec gas"),
            Node::Bool(vec![must(term("oil")), must_not(term("opec")), should(term("gas"))])
        );
        assert_eq!(p("oil - gas +"), Node::Bool(vec![should(term("oil")), should(term("gas"))]));
        assert_eq!(p("-\"armed forces\""), Node::Bool(vec![must_not(phrase("armed forces", 0))]));
        assert_eq!(
            p("+(a OR b)"),
            Node::Bool(vec![should(term("a")), should(term("b"))]),
            "a single Must group collapses to the group"
        );
        assert_eq!(
            p("x -title:y"),
            Node::Bool(vec![should(term("x")), must_not(ft(FieldName::Title, "y"))])
        );
        assert_eq!(p("+-a"), Node::Bool(vec![must_not(term("a"))]));
    }

    #[test]
    fn boolean_operators_and_precedence() {
        assert_eq!(p("a AND b"), Node::Bool(vec![must(term("a")), must(term("b"))]));
        assert_eq!(p("a && b"), p("a AND b"));
        assert_eq!(p("a OR b"), Node::Bool(vec![should(term("a")), should(term("b"))]));
        assert_eq!(p("a || b"), p("a OR b"));
        assert_eq!(p("NOT a"), Node::Bool(vec![must_not(term("a"))]));
        assert_eq!(p("a NOT b"), Node::Bool(vec![must(term("a")), must_not(term("b"))]));
        assert_eq!(
            p("a AND b OR c"),
            Node::Bool(vec![
                should(Node::Bool(vec![must(term("a")), must(term("b"))])),
                should(term("c"))
            ])
        );
        assert_eq!(
            p("a OR b AND c"),
            Node::Bool(vec![
                should(term("a")),
                should(Node::Bool(vec![must(term("b")), must(term("c"))]))
            ])
        );
        assert_eq!(
            p("oil AND (prices OR output) NOT opec"),
            Node::Bool(vec![
                must(term("oil")),
                must(Node::Bool(vec![should(term("prices")), should(term("output"))])),
                must_not(term("opec")),
            ])
        );
        assert_eq!(
            p("a AND b AND c"),
            Node::Bool(vec![must(term("a")), must(term("b")), must(term("c"))])
        );
        assert_eq!(p("a AND (b AND c)"), p("a AND b AND c"));
    }

    #[test]
    fn stray_operators_are_dropped() {
        assert_eq!(p("oil AND"), term("oil"));
        assert_eq!(p("AND oil"), term("oil"));
        assert_eq!(p("oil OR"), term("oil"));
        assert_eq!(p("oil NOT"), term("oil"));
        assert_eq!(p("oil AND AND gas"), p("oil AND gas"));
        assert_eq!(p("oil AND OR gas"), p("oil OR gas"));
    }

    #[test]
    fn parentheses() {
        assert_eq!(p("(a)"), term("a"));
        assert_eq!(p("(a b"), p("a b"));
        assert_eq!(p("a) b)"), p("a b"));
        assert_eq!(p("a () b"), p("a b"));
        assert_eq!(
            p("x (a OR b)"),
            Node::Bool(vec![should(term("x")), should(term("a")), should(term("b"))])
        );
        assert_eq!(
            p("x AND (a -b)"),
            Node::Bool(vec![
                must(term("x")),
                must(Node::Bool(vec![should(term("a")), must_not(term("b"))]))
            ])
        );
    }

    #[test]
    fn nesting_depth_is_capped() {
        let ok = format!("{}a{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert_eq!(p(&ok), term("a"));
        let e = err(&format!("{}a", "(".repeat(MAX_DEPTH + 1)));
        assert_eq!(e.position, MAX_DEPTH);
        assert!(parse(&"(".repeat(10_000)).is_err());
        assert!(parse(&format!("{}a{}", "(".repeat(10_000), ")".repeat(10_000))).is_err());
        assert_eq!(p(&")".repeat(10_000)), Node::Bool(vec![]));
    }

    #[test]
    fn phrases() {
        assert_eq!(p("\"armed forces\""), phrase("armed forces", 0));
        assert_eq!(p("\"armed forces\"~3"), phrase("armed forces", 3));
        assert_eq!(p("\"armed forces\"~"), phrase("armed forces", 0));
        assert_eq!(p("\"armed forces\"^2"), phrase("armed forces", 0));
        assert_eq!(p("\"unclosed phrase"), phrase("unclosed phrase", 0));
        assert_eq!(p("\"one\""), phrase("one", 0));
        assert_eq!(p("a \"\" b"), p("a b"));
        assert_eq!(p("\"a (b) AND c\""), phrase("a (b) AND c", 0));
        assert_eq!(p("\"a\"~99999999999"), phrase("a", u32::MAX));
    }

    #[test]
    fn prefixes_fuzzy_and_boosts() {
        assert_eq!(p("democra*"), Node::Prefix { field: None, text: "democra".into() });
        assert_eq!(p("de*mo"), term("demo"));
        assert_eq!(p("de*mo**"), Node::Prefix { field: None, text: "demo".into() });
        for (q, distance) in [
            ("democrcy~", 1),
            ("democrcy~1", 1),
            ("democrcy~2", 2),
            ("democrcy~7", 2),
            ("democrcy~99999999999999", 2),
        ] {
            assert_eq!(p(q), Node::Fuzzy { field: None, text: "democrcy".into(), distance }, "{q}");
        }
        assert_eq!(p("democrcy~0"), term("democrcy"));
        assert_eq!(p("a~b"), term("a~b"));
        assert_eq!(p("word^2"), term("word"));
        assert_eq!(p("word^1.5"), term("word"));
        assert_eq!(p("x^y"), term("x^y"));
        assert_eq!(p("* ~ ^2 oil"), term("oil"));
    }

    #[test]
    fn text_fields() {
        assert_eq!(p("title:coffee"), ft(FieldName::Title, "coffee"));
        assert_eq!(p("TITLE:coffee"), ft(FieldName::Title, "coffee"));
        assert_eq!(p("text:oil"), ft(FieldName::Text, "oil"));
        assert_eq!(
            p("title:\"armed forces\"~2"),
            Node::Phrase { field: Some(FieldName::Title), text: "armed forces".into(), slop: 2 }
        );
        assert_eq!(
            p("title:cof*"),
            Node::Prefix { field: Some(FieldName::Title), text: "cof".into() }
        );
        assert_eq!(
            p("title:(a OR \"b c\" text:d)"),
            Node::Bool(vec![
                should(ft(FieldName::Title, "a")),
                should(Node::Phrase { field: Some(FieldName::Title), text: "b c".into(), slop: 0 }),
                should(ft(FieldName::Text, "d")),
            ])
        );
        assert_eq!(p("title:AND"), ft(FieldName::Title, "AND"));
        assert_eq!(p("title:-x"), ft(FieldName::Title, "-x"));
        assert_eq!(p("title:a:b"), ft(FieldName::Title, "a:b"));
    }

    #[test]
    fn field_errors() {
        let e = err("oil title:");
        assert_eq!((e.message.as_str(), e.position), ("field 'title' needs a value", 4));
        assert_eq!(e.hint, "write title:word or title:\"some words\"");
        assert_eq!(err("title: coffee").position, 0);
        assert_eq!(err("(text:)").position, 1);
        assert_eq!(err("title:* x").position, 0);
        assert_eq!(err("title:\"\"").position, 0);
        assert_eq!(err("a path:").message, "field 'path' needs a value");
        assert_eq!(err("date: 2026").message, "field 'date' needs a value");
        let e = err("x foo:bar");
        assert_eq!((e.message.as_str(), e.position), ("unknown field 'foo'", 2));
        assert_eq!(
            e.to_string(),
            "unknown field 'foo' at column 3 (known fields: title, text, path, date)"
        );
        assert_eq!(err("a:b:c").message, "unknown field 'a'");
    }

    #[test]
    fn paths() {
        assert_eq!(p("path:business/*"), Node::Path { pattern: "business/*".into() });
        assert_eq!(p("PATH:business"), Node::Path { pattern: "business".into() });
        assert_eq!(p("path:\"my docs/*.txt\""), Node::Path { pattern: "my docs/*.txt".into() });
        assert_eq!(
            p("oil (path:a/?.txt)"),
            Node::Bool(vec![should(term("oil")), should(Node::Path { pattern: "a/?.txt".into() })])
        );
        assert_eq!(p("-path:x"), Node::Bool(vec![must_not(Node::Path { pattern: "x".into() })]));
    }

    #[test]
    fn date_ranges() {
        assert_eq!(p("date:[2026-01-01 TO 2026-03-01]"), range("2026-01-01", "2026-03-01"));
        assert_eq!(
            p("date:[* to 2026-03-01]"),
            Node::DateRange { from: None, to: date("2026-03-01") }
        );
        assert_eq!(
            p("date:[2026-01-01 TO *]"),
            Node::DateRange { from: date("2026-01-01"), to: None }
        );
        assert_eq!(p("date:{2025-12-31 TO 2026-03-01}"), range("2026-01-01", "2026-02-28"));
        assert_eq!(p("date:[1987 TO 1988]"), range("1987-01-01", "1988-12-31"));
        assert_eq!(p("date:2026"), range("2026-01-01", "2026-12-31"));
        assert_eq!(p("date:2024-02"), range("2024-02-01", "2024-02-29"));
        assert_eq!(p("date:2026-02-26"), range("2026-02-26", "2026-02-26"));
        assert_eq!(p("date:>=2026-01-01"), Node::DateRange { from: date("2026-01-01"), to: None });
        assert_eq!(p("date:>2025-12-31"), Node::DateRange { from: date("2026-01-01"), to: None });
        assert_eq!(p("date:>2025"), Node::DateRange { from: date("2026-01-01"), to: None });
        assert_eq!(p("date:<2024-03-01"), Node::DateRange { from: None, to: date("2024-02-29") });
        assert_eq!(p("date:<=2024-03"), Node::DateRange { from: None, to: date("2024-03-31") });
        assert_eq!(p("date:*"), Node::DateRange { from: None, to: None });
        assert_eq!(
            p("oil date:2026)"),
            Node::Bool(vec![should(term("oil")), should(range("2026-01-01", "2026-12-31"))])
        );
    }

    #[test]
    fn date_errors() {
        let e = err("date:[2026-13-01 TO *]");
        assert_eq!(
            (e.message.as_str(), e.position, e.hint.as_str()),
            ("invalid date '2026-13-01'", 6, "dates are YYYY-MM-DD")
        );
        assert_eq!(err("date:[* TO 2023-02-29]").position, 11);
        assert_eq!(err("x date:2026-1-5").position, 7);
        assert_eq!(err("date:>=soon").position, 7);
        let e = err("a date:[1987 TO");
        assert_eq!(
            (e.message.as_str(), e.position, e.hint.as_str()),
            ("unclosed date range", 7, "close the range with ]")
        );
        let e = err("date:[2026 TO 2025]");
        assert_eq!((e.position, e.hint.as_str()), (0, "put the earlier date first"));
        assert_eq!(err("date:[2026-01-01]").message, "malformed date range");
        assert_eq!(err("date:[2026 UNTIL 2027]").message, "malformed date range");
        assert_eq!(err("date:=>2026").message, "unknown comparison '=>'");
    }

    #[test]
    fn date_parsing_and_arithmetic() {
        assert_eq!(Date::parse("2024-02-29"), Some(Date { year: 2024, month: 2, day: 29 }));
        for bad in [
            "2023-02-29",
            "1900-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-04-31",
            "2026-1-01",
            "2026",
            "2026-02",
            "",
            "0000-01-01",
            "２０２６-01-01",
            "2026-01-01-",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
        assert_eq!(Date::parse("2000-02-29").map(|d| d.to_string()), Some("2000-02-29".into()));
        let d = |s| Date::parse(s).unwrap();
        assert_eq!(day_after(d("2025-12-31")), d("2026-01-01"));
        assert_eq!(day_after(d("2024-02-28")), d("2024-02-29"));
        assert_eq!(day_after(d("2023-02-28")), d("2023-03-01"));
        assert_eq!(day_before(d("2026-01-01")), d("2025-12-31"));
        assert_eq!(day_before(d("2024-03-01")), d("2024-02-29"));
        assert_eq!(day_before(d("2026-05-01")), d("2026-04-30"));
        assert_eq!(parse_date_span("2026-02"), Some((d("2026-02-01"), d("2026-02-28"))));
        assert_eq!(parse_date_span("26"), None);
    }

    #[test]
    fn plain_queries_have_no_syntax() {
        assert_eq!(
            parse_plain("Oil AND \"prices\" title:x\t-y"),
            Node::Bool(
                ["Oil", "AND", "\"prices\"", "title:x", "-y"]
                    .iter()
                    .map(|w| should(term(w)))
                    .collect()
            )
        );
        assert_eq!(parse_plain("  "), Node::Bool(vec![]));
    }

    #[test]
    fn field_names() {
        assert_eq!(FieldName::from_name("Date"), Some(FieldName::Date));
        assert_eq!(FieldName::from_name("foo"), None);
        assert_eq!(FieldName::Path.name(), "path");
    }

    #[test]
    fn long_queries_parse() {
        let words: Vec<String> = (0..20_000).map(|i| format!("w{i}")).collect();
        let q = words.join(" ");
        assert!(q.len() > 90_000);
        match p(&q) {
            Node::Bool(clauses) => assert_eq!(clauses.len(), 20_000),
            other => panic!("{other:?}"),
        }
        let q = words.join(" AND ");
        assert!(matches!(p(&q), Node::Bool(c) if c.len() == 20_000));
        let q = format!("\"{}", words.join(" "));
        assert!(matches!(p(&q), Node::Phrase { .. }));
    }

    #[test]
    fn random_queries_never_panic() {
        const PIECES: &[&str] = &[
            "a",
            "b",
            "c",
            "\"",
            "(",
            ")",
            ":",
            "*",
            "~",
            "^",
            "+",
            "-",
            "AND",
            "OR",
            "NOT",
            "&&",
            "||",
            "title:",
            "text:",
            "path:",
            "date:",
            "date:[",
            "]",
            "}",
            "{",
            "TO",
            "2026-01-01",
            "2026",
            "é",
            "🙂",
            "\t",
            "\u{0}",
            " ",
            " ",
            " ",
            "~2",
            "^3",
            ">=",
            "<",
            "foo:",
            "/",
            "2",
            "?",
            "[",
            ".",
        ];
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..20_000 {
            let len = next() % 12;
            let mut q = String::new();
            for _ in 0..len {
                let r = next();
                if r % 5 == 0 {
                    q.extend(char::from_u32((r >> 8) as u32 % 0x11_0000));
                } else {
                    q.push_str(PIECES[(r >> 8) as usize % PIECES.len()]);
                }
            }
            if let Err(e) = parse(&q) {
                assert!(e.position <= q.chars().count(), "{q:?}: {e}");
            }
            let _ = parse_plain(&q);
        }
    }
}
