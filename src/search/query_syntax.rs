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

/// How many different words a query may hold (Lucene caps a query's clauses at 1,024 too);
/// more is a [`ParseError`]: every word is looked up in every segment, and 100,000 took a
/// minute. A word repeated counts once.
pub const MAX_WORDS: usize = 1024;

/// The character position where the query's different word number [`MAX_WORDS`] + 1 starts
/// (ignoring case), and how many different words it has, when it has more than [`MAX_WORDS`].
pub fn too_many_words(query: &str) -> Option<(usize, usize)> {
    let mut distinct = std::collections::HashSet::new();
    let mut excess = None;
    for (position, word) in words_with_positions(query) {
        if distinct.insert(word.to_lowercase()) && distinct.len() == MAX_WORDS + 1 {
            excess = Some(position);
        }
    }
    excess.map(|position| (position, distinct.len()))
}

/// The words of `query` between spaces, each with the character position it starts at.
fn words_with_positions(query: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut chars = query.char_indices().enumerate().peekable();
    std::iter::from_fn(move || {
        while chars.peek().is_some_and(|&(_, (_, c))| is_space(c)) {
            chars.next();
        }
        let (position, (start, _)) = chars.next()?;
        let mut end = query.len();
        while let Some(&(_, (byte, c))) = chars.peek() {
            if is_space(c) {
                end = byte;
                break;
            }
            chars.next();
        }
        Some((position, &query[start..end]))
    })
}

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
    /// The passage's language.
    Lang,
}

impl FieldName {
    /// Looks up a field by name, ignoring ASCII case.
    pub fn from_name(name: &str) -> Option<FieldName> {
        [
            FieldName::Title,
            FieldName::Text,
            FieldName::Path,
            FieldName::Date,
            FieldName::Lang,
        ]
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
            FieldName::Lang => "lang",
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

use crate::date::days_in_month;
pub use crate::date::Date;

/// The day after `d`, across month and year ends.
fn day_after(d: Date) -> Date {
    if d.day < days_in_month(d.year, d.month) {
        Date {
            day: d.day + 1,
            ..d
        }
    } else if d.month < 12 {
        Date {
            month: d.month + 1,
            day: 1,
            ..d
        }
    } else {
        Date {
            year: d.year + 1,
            month: 1,
            day: 1,
        }
    }
}

/// The day before `d`, across month and year starts.
fn day_before(d: Date) -> Date {
    if d.day > 1 {
        Date {
            day: d.day - 1,
            ..d
        }
    } else if d.month > 1 {
        Date {
            month: d.month - 1,
            day: days_in_month(d.year, d.month - 1),
            ..d
        }
    } else {
        Date {
            year: d.year - 1,
            month: 12,
            day: 31,
        }
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
            Some((
                Date::new(year, m, 1)?,
                Date::new(year, m, days_in_month(year, m))?,
            ))
        }
        [_, m, d] => Date::new(year, month(m)?, month(d)?).map(|day| (day, day)),
        _ => None,
    }
}

/// A parsed query, or a part of one. A `field` of `None` means the default fields (text and
/// title), or the field of an enclosing `title:(...)` when the caller tracks one.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// Clauses combined by their occurrence: Must all match, MustNot none, and at least one
    /// Should when there is no Must.
    Bool(Vec<Clause>),
    /// A single word, e.g. `oil` or `title:coffee`.
    Term {
        /// The field searched.
        field: Option<FieldName>,
        /// The word as written.
        text: String,
    },
    /// Quoted words `"armed forces"`, with optional proximity `"armed forces"~3`.
    Phrase {
        /// The field searched.
        field: Option<FieldName>,
        /// The words between the quotes, trimmed.
        text: String,
        /// How far the words may move apart (0 when no `~N` is given).
        slop: u32,
    },
    /// `democra*`: words beginning with `text`.
    Prefix {
        /// The field searched.
        field: Option<FieldName>,
        /// The beginning, without the star.
        text: String,
    },
    /// `democrcy~1`: words within an edit distance of `text`.
    Fuzzy {
        /// The field searched.
        field: Option<FieldName>,
        /// The word, without the `~N`.
        text: String,
        /// 1 or 2 (`word~` alone means 1; larger numbers are clamped to 2).
        distance: u8,
    },
    /// Documents dated within a range, e.g. `date:[2026-01-01 TO 2026-03-01]` or `date:>2025`.
    DateRange {
        /// The first day included; `None` for no lower bound.
        from: Option<Date>,
        /// The last day included; `None` for no upper bound.
        to: Option<Date>,
    },
    /// `lang:ru`: passages in a language (an ISO 639-1 code, or `und` for passages whose
    /// language is not known).
    Lang {
        /// The code, lower-cased.
        code: String,
    },
    /// `path:business/*`: documents whose path relative to the corpus root matches a glob.
    Path {
        /// The glob as written (`*` any run of chars, `?` one char); without wildcards it
        /// means a folder or file prefix. Matching is left to the caller.
        pattern: String,
    },
}

impl Node {
    /// True for the nodes that restrict which passages match rather than score them:
    /// `date:`, `path:` and `lang:`.
    pub fn is_filter(&self) -> bool {
        matches!(
            self,
            Node::DateRange { .. } | Node::Path { .. } | Node::Lang { .. }
        )
    }

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
        ParseError {
            message: message.into(),
            position,
            hint: hint.into(),
        }
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
            FieldName::Lang => "write lang:en, lang:ru or another language code".to_string(),
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
/// Words side by side are Should clauses; `+`/`-` make them Must/MustNot; `AND` binds tighter
/// than `OR`, and `NOT x` is MustNot. A `NOT` continues an `AND` chain (`a AND b NOT c` is
/// `+a +b -c`) and otherwise acts like `-` on its level (`a b NOT c` is `a b -c`). Stray
/// operators and parentheses are dropped, a missing `)` or closing quote is supplied, and a
/// Bool with a single Should or Must clause is replaced by that clause's node. A `date:` or
/// `path:` clause beside others is a Must filter (`oil date:2026` is `oil +date:2026`) unless
/// it is joined by `OR` or marked with `+`/`-`/`NOT`.
///
/// Other choices: a `*` inside a word is dropped (`de*mo` is the term `demo`, `de*mo*` the
/// prefix `demo`); a boost `^N` is removed and ignored; `~` after a phrase without a number
/// leaves the slop at 0; when a clause has several of `+`, `-` and `NOT`, any negation wins; `!`
/// is an ordinary character; `&&` and `||` mean `AND` and `OR`; an unknown field followed by `/`
/// (`http://x`) is a plain word; after `title:` or `text:` the value is taken literally
/// (`title:AND`, `title:-x` and `title:a:b` are words); `date:` and `path:` inside
/// `title:(...)` keep their own meaning.
///
/// # Errors
///
/// A [`ParseError`] for an unknown field (`foo:bar`), a field without a value (`title:`), a bad
/// or reversed date or date range, or parentheses nested more than 32 deep.
pub fn parse(query: &str) -> Result<Node, ParseError> {
    if let Some((position, words)) = too_many_words(query) {
        return Err(ParseError::new(
            format!("the query has {words} different words"),
            position,
            format!("use at most {MAX_WORDS}"),
        ));
    }
    let chars: Vec<char> = query.chars().map(straight_quote).collect();
    let mut lexer = Lexer {
        cs: &chars,
        i: 0,
        toks: Vec::new(),
        pending_field: None,
    };
    lexer.run()?;
    Parser {
        toks: lexer.toks,
        i: 0,
    }
    .parse_or(None, 0)
}

/// A query as plain text: every whitespace-separated word a Should Term (no syntax at all),
/// always inside a [`Node::Bool`]. Used for natural-language query files.
pub fn parse_plain(query: &str) -> Node {
    let words = query.split(is_space).filter(|w| !w.is_empty());
    Node::Bool(
        words
            .map(|w| Clause {
                occur: Occur::Should,
                node: Node::Term {
                    field: None,
                    text: w.to_string(),
                },
            })
            .collect(),
    )
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || c.is_control()
}

/// Gives `node` the field `field` unless it names one itself (or cannot have one).
fn with_field(mut node: Node, field: Option<FieldName>) -> Node {
    if let Node::Term { field: f, .. }
    | Node::Phrase { field: f, .. }
    | Node::Prefix { field: f, .. }
    | Node::Fuzzy { field: f, .. } = &mut node
    {
        *f = f.or(field);
    }
    node
}

/// Quotation marks as keyboards and autocorrection type them (`«…»`, `“…”`, `„…“`) are the
/// phrase quote `"`; single quotes stay apostrophes (`Türkiye’nin`).
fn straight_quote(c: char) -> char {
    match c {
        '«' | '»' | '“' | '”' | '„' | '‟' => '"',
        c => c,
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
    /// A word, phrase, path or date range, without a field yet.
    Node(Node),
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
                        self.toks
                            .push(if c == '+' { Tok::Must } else { Tok::MustNot });
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
        while self
            .peek_at(self.i)
            .is_some_and(|c| !is_space(c) && !stops.contains(&c))
        {
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
            self.toks.push(Tok::Node(Node::Phrase {
                field: None,
                text,
                slop,
            }));
        }
    }

    fn lex_word(&mut self, in_value: bool) -> Result<(), ParseError> {
        let start = self.i;
        if !in_value {
            let letters = self.cs[start..]
                .iter()
                .take_while(|c| c.is_ascii_alphabetic())
                .count();
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
                            FieldName::Lang => self.lex_lang(),
                        };
                    }
                    None if has_value && after != Some('/') => {
                        return Err(ParseError::new(
                            format!("unknown field '{name}'"),
                            start,
                            "known fields: title, text, path, date, lang",
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
        if let Some(node) = word_node(raw) {
            self.toks.push(Tok::Node(node));
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
        self.toks.push(Tok::Node(Node::Path { pattern }));
        Ok(())
    }

    fn lex_lang(&mut self) -> Result<(), ParseError> {
        let (position, code) = self.read_run(&['"', '(', ')']);
        let code = code.to_ascii_lowercase();
        if !(2..=3).contains(&code.len()) || !code.chars().all(|c| c.is_ascii_lowercase()) {
            return Err(ParseError::new(
                format!("'{code}' is not a language code"),
                position,
                "write a code of two or three letters: lang:en, lang:ru, lang:tr, lang:zh, lang:und",
            ));
        }
        self.toks.push(Tok::Node(Node::Lang { code }));
        Ok(())
    }

    fn lex_date(&mut self, start: usize) -> Result<(), ParseError> {
        let (from, to) = match self.peek_at(self.i) {
            Some(open @ ('[' | '{')) => self.lex_date_range(open == '{')?,
            _ => {
                let op: String = self.cs[self.i..]
                    .iter()
                    .take_while(|c| matches!(c, '<' | '>' | '='))
                    .collect();
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
        self.toks.push(Tok::Node(Node::DateRange { from, to }));
        Ok(())
    }

    /// Reads `[FROM TO UNTIL]` (or with `{`/`}` for exclusive ends) at the current `[`.
    fn lex_date_range(
        &mut self,
        exclusive_from: bool,
    ) -> Result<(Option<Date>, Option<Date>), ParseError> {
        let open = self.i;
        let Some(close) = self.cs[open + 1..]
            .iter()
            .position(|&c| c == ']' || c == '}')
            .map(|p| open + 1 + p)
        else {
            return Err(ParseError::new(
                "unclosed date range",
                open,
                "close the range with ]",
            ));
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
            return Err(malformed_range(open));
        };
        if !to_word.eq_ignore_ascii_case("TO") {
            return Err(malformed_range(open));
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

fn malformed_range(position: usize) -> ParseError {
    ParseError::new(
        "malformed date range",
        position,
        "write date:[2026-01-01 TO 2026-03-01]",
    )
}

fn date_span_at(s: &str, position: usize) -> Result<(Date, Date), ParseError> {
    parse_date_span(s).ok_or_else(|| {
        ParseError::new(
            format!("invalid date '{s}'"),
            position,
            "dates are YYYY-MM-DD",
        )
    })
}

/// Turns a raw word into a term, prefix or fuzzy node; `None` when nothing is left of it.
fn word_node(mut word: String) -> Option<Node> {
    // `^` and `~` are ASCII, so the byte positions from `rfind` are char boundaries.
    if let Some(p) = word.rfind('^') {
        if word[p + 1..]
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.')
        {
            word.truncate(p);
        }
    }
    let mut distance = None;
    if let Some(p) = word.rfind('~') {
        let digits = &word[p + 1..];
        if digits.bytes().all(|b| b.is_ascii_digit()) {
            let n = digits.bytes().fold(0u32, |n, b| {
                n.saturating_mul(10).saturating_add(u32::from(b - b'0'))
            });
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
        Some(distance) if distance > 0 => Node::Fuzzy {
            field: None,
            text: word,
            distance,
        },
        _ if prefix => Node::Prefix {
            field: None,
            text: word,
        },
        _ => Node::Term {
            field: None,
            text: word,
        },
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
        let mut after_or = false;
        loop {
            while matches!(self.peek(), Some(Tok::Or | Tok::And))
                || (depth == 0 && matches!(self.peek(), Some(Tok::RParen)))
            {
                after_or |= matches!(self.peek(), Some(Tok::Or));
                self.i += 1;
            }
            if matches!(self.peek(), None | Some(Tok::RParen)) {
                break;
            }
            let mut group = self.parse_and(field, depth)?;
            let next_to_or = after_or || matches!(self.peek(), Some(Tok::Or));
            after_or = false;
            if group.len() == 1 {
                if let Some((occur, node)) = group.pop() {
                    // A date or path beside words filters them (`oil date:2026`), unless `OR`ed.
                    let filter = node.is_filter();
                    let default = if filter && !next_to_or {
                        Occur::Must
                    } else {
                        Occur::Should
                    };
                    clauses.push(Clause {
                        occur: occur.unwrap_or(default),
                        node,
                    });
                }
            } else if !group.is_empty() {
                let inner = group.into_iter().map(|(o, node)| Clause {
                    occur: o.unwrap_or(Occur::Must),
                    node,
                });
                clauses.push(Clause {
                    occur: Occur::Should,
                    node: make_bool(inner.collect()),
                });
            }
        }
        Ok(make_bool(clauses))
    }

    /// Clauses joined by `AND`, and by `NOT` once an `AND` was seen (`a AND b NOT c`); `None`
    /// occurs are left for the caller to decide.
    fn parse_and(
        &mut self,
        field: Option<FieldName>,
        depth: usize,
    ) -> Result<Vec<(Option<Occur>, Node)>, ParseError> {
        let mut items = Vec::new();
        items.extend(self.parse_unary(field, depth)?);
        let mut joined = false;
        loop {
            match self.peek() {
                Some(Tok::And) => {
                    while matches!(self.peek(), Some(Tok::And)) {
                        self.i += 1;
                    }
                    if matches!(self.peek(), None | Some(Tok::RParen | Tok::Or)) {
                        break;
                    }
                    joined = true;
                }
                Some(Tok::Not) if joined => {}
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
            Some(Tok::Node(node)) => {
                self.i += 1;
                Ok(Some(with_field(node, field)))
            }
            Some(Tok::Field(f, position)) => {
                self.i += 1;
                match self.peek() {
                    Some(Tok::Node(_) | Tok::LParen(_)) => self.parse_primary(Some(f), depth),
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
            Clause {
                occur: Occur::Must,
                node: Node::Bool(inner),
            } if inner.iter().all(|c| c.occur == Occur::Must) => {
                flat.extend(inner);
            }
            c => flat.push(c),
        }
    }
    if !flat.iter().any(|c| c.occur == Occur::Must) {
        let mut merged = Vec::with_capacity(flat.len());
        for clause in flat {
            match clause {
                Clause {
                    occur: Occur::Should,
                    node: Node::Bool(inner),
                } if inner.iter().all(|c| c.occur == Occur::Should) => {
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

    /// A compact rendering: `[..]` a Bool, `+`/`-` Must/MustNot, `"..."~N` a phrase with slop,
    /// `w*` a prefix, `w~N` a fuzzy word, `date:FROM..TO` a range, `field:` a field.
    fn show(node: &Node) -> String {
        let f =
            |field: &Option<FieldName>| field.map_or(String::new(), |f| format!("{}:", f.name()));
        match node {
            Node::Bool(clauses) => {
                let parts: Vec<String> = clauses
                    .iter()
                    .map(|c| {
                        let occur = match c.occur {
                            Occur::Should => "",
                            Occur::Must => "+",
                            Occur::MustNot => "-",
                        };
                        format!("{occur}{}", show(&c.node))
                    })
                    .collect();
                format!("[{}]", parts.join(" "))
            }
            Node::Term { field, text } => format!("{}{text}", f(field)),
            Node::Phrase {
                field,
                text,
                slop: 0,
            } => format!("{}\"{text}\"", f(field)),
            Node::Phrase { field, text, slop } => format!("{}\"{text}\"~{slop}", f(field)),
            Node::Prefix { field, text } => format!("{}{text}*", f(field)),
            Node::Fuzzy {
                field,
                text,
                distance,
            } => format!("{}{text}~{distance}", f(field)),
            Node::DateRange { from, to } => {
                let d = |d: &Option<Date>| d.map_or("*".to_string(), |d| d.to_string());
                format!("date:{}..{}", d(from), d(to))
            }
            Node::Path { pattern } => format!("path:{pattern}"),
            Node::Lang { code } => format!("lang:{code}"),
        }
    }

    fn check(cases: &[(&str, &str)]) {
        for (query, expected) in cases {
            match parse(query) {
                Ok(node) => assert_eq!(show(&node), *expected, "query {query:?}"),
                Err(e) => panic!("query {query:?}: {e}"),
            }
        }
    }

    fn check_errors(cases: &[(&str, &str, usize)]) {
        for (query, message, position) in cases {
            let e = parse(query).expect_err(query);
            assert_eq!(
                (e.message.as_str(), e.position),
                (*message, *position),
                "query {query:?}"
            );
        }
    }

    #[test]
    fn empty_queries() {
        for q in [
            "",
            "   ",
            "\t\u{0}\n",
            "()",
            "( )",
            "AND",
            "OR NOT",
            "-",
            "+ -",
            "\"\"",
            "*",
            ")",
        ] {
            assert_eq!(parse(q), Ok(Node::Bool(vec![])), "{q:?}");
        }
        assert!(Node::Bool(vec![Clause {
            occur: Occur::Must,
            node: Node::Bool(vec![])
        }])
        .is_empty());
    }

    #[test]
    fn typographic_quotes_quote_phrases() {
        let straight = parse("\"в Москве будет\" rain");
        for q in [
            "«в Москве будет» rain",
            "“в Москве будет” rain",
            "„в Москве будет“ rain",
        ] {
            assert_eq!(parse(q), straight, "{q:?}");
        }
        assert_ne!(parse("Türkiye’nin"), parse("Türkiye\"nin"));
    }

    #[test]
    fn words() {
        check(&[
            ("oil", "oil"),
            ("oil prices", "[oil prices]"),
            ("and or not", "[and or not]"),
            (
                "U.S. don't café e-mail 2025-26",
                "[U.S. don't café e-mail 2025-26]",
            ),
            (
                "Türkiye 🙂 12:30 a?b hello!",
                "[Türkiye 🙂 12:30 a?b hello!]",
            ),
            ("Note: hello", "[Note: hello]"),
            ("http://x.org/a", "http://x.org/a"),
            ("a\u{1}b\u{a0}c", "[a b c]"),
        ]);
        let n = parse("oil").unwrap();
        assert_eq!(
            n,
            Node::Term {
                field: None,
                text: "oil".into()
            }
        );
    }

    #[test]
    fn plus_and_minus() {
        check(&[
            ("+oil -opec gas", "[+oil -opec gas]"),
            ("oil - gas +", "[oil gas]"),
            ("-\"armed forces\"", "[-\"armed forces\"]"),
            ("x +(a OR b)", "[x +[a b]]"),
            ("+(a OR b)", "[a b]"),
            ("x -title:y", "[x -title:y]"),
            ("+-a", "[-a]"),
            ("-(a b)", "[-[a b]]"),
        ]);
    }

    #[test]
    fn boolean_operators_and_precedence() {
        check(&[
            ("a AND b", "[+a +b]"),
            ("a && b", "[+a +b]"),
            ("a OR b", "[a b]"),
            ("a || b", "[a b]"),
            ("NOT a", "[-a]"),
            ("a NOT b", "[a -b]"),
            ("a b NOT c", "[a b -c]"),
            ("a AND NOT b", "[+a -b]"),
            ("a AND b OR c", "[[+a +b] c]"),
            ("a OR b AND c", "[a [+b +c]]"),
            (
                "oil AND (prices OR output) NOT opec",
                "[+oil +[prices output] -opec]",
            ),
            ("a AND b NOT c OR d", "[[+a +b -c] d]"),
            ("a AND b AND c", "[+a +b +c]"),
            ("a AND (b AND c)", "[+a +b +c]"),
            ("a AND -b", "[+a -b]"),
            ("NOT NOT a", "[-a]"),
        ]);
    }

    #[test]
    fn stray_operators_are_dropped() {
        check(&[
            ("oil AND", "oil"),
            ("AND oil", "oil"),
            ("oil OR", "oil"),
            ("oil NOT", "oil"),
            ("oil AND AND gas", "[+oil +gas]"),
            ("oil AND OR gas", "[oil gas]"),
            ("oil AND ) gas", "[oil gas]"),
        ]);
    }

    #[test]
    fn parentheses() {
        check(&[
            ("(a)", "a"),
            ("(a b", "[a b]"),
            ("a) b)", "[a b]"),
            ("a () b", "[a b]"),
            ("x (a OR b)", "[x a b]"),
            ("x AND (a -b)", "[+x +[a -b]]"),
            ("((a AND b))", "[+a +b]"),
        ]);
    }

    #[test]
    fn nesting_depth_is_capped() {
        let ok = format!("{}a{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert_eq!(parse(&ok).map(|n| show(&n)), Ok("a".to_string()));
        let e = parse(&format!("x {}a", "(".repeat(MAX_DEPTH + 1))).unwrap_err();
        assert_eq!(
            (e.message.as_str(), e.position),
            ("parentheses nested too deeply", 2 + MAX_DEPTH)
        );
        assert!(parse(&"(".repeat(10_000)).is_err());
        assert!(parse(&format!("{}a{}", "(".repeat(10_000), ")".repeat(10_000))).is_err());
        assert_eq!(parse(&")".repeat(10_000)), Ok(Node::Bool(vec![])));
    }

    #[test]
    fn phrases() {
        check(&[
            ("\"armed forces\"", "\"armed forces\""),
            ("\"armed forces\"~3", "\"armed forces\"~3"),
            ("\"armed forces\"~", "\"armed forces\""),
            ("\"armed forces\"^2 x", "[\"armed forces\" x]"),
            ("a \"unclosed phrase", "[a \"unclosed phrase\"]"),
            ("\" one \"", "\"one\""),
            ("a \"\" b", "[a b]"),
            ("\"a (b) AND c\"", "\"a (b) AND c\""),
            ("\"a\"~99999999999", "\"a\"~4294967295"),
            ("\"a\"b", "[\"a\" b]"),
        ]);
    }

    #[test]
    fn prefixes_fuzzy_and_boosts() {
        check(&[
            ("democra*", "democra*"),
            ("de*mo", "demo"),
            ("de*mo**", "demo*"),
            ("democrcy~ x~1 y~2 z~7", "[democrcy~1 x~1 y~2 z~2]"),
            ("democrcy~99999999999999", "democrcy~2"),
            ("democrcy~0", "democrcy"),
            ("a~b", "a~b"),
            ("word^2 x^1.5 x^y", "[word x x^y]"),
            ("* ~ ^2 oil", "oil"),
        ]);
    }

    #[test]
    fn text_fields() {
        check(&[
            ("title:coffee", "title:coffee"),
            ("TITLE:coffee Text:oil", "[title:coffee text:oil]"),
            ("title:\"armed forces\"~2", "title:\"armed forces\"~2"),
            ("title:cof* text:cofe~", "[title:cof* text:cofe~1]"),
            (
                "title:(a OR \"b c\" text:d)",
                "[title:a title:\"b c\" text:d]",
            ),
            ("title:(a (b AND -c))", "[title:a [+title:b -title:c]]"),
            (
                "title:AND title:-x title:a:b",
                "[title:AND title:-x title:a:b]",
            ),
            ("title:(date:2026)", "date:2026-01-01..2026-12-31"),
        ]);
    }

    #[test]
    fn a_query_of_more_than_max_words_is_refused_where_the_excess_starts() {
        let words: Vec<String> = (0..MAX_WORDS).map(|i| format!("w{i}")).collect();
        let longest = words.join(" ");
        assert!(parse(&longest).is_ok());
        // Repeated words, in any case, count once.
        assert!(parse(&format!("{longest} W1 w2 {longest}")).is_ok());
        let too_long = format!("  {longest}\t\"one more\" \"ONE");
        let e = parse(&too_long).unwrap_err();
        assert_eq!(
            e.message,
            format!("the query has {} different words", MAX_WORDS + 2)
        );
        assert_eq!(e.position, longest.chars().count() + 3);
    }

    #[test]
    fn field_errors() {
        check_errors(&[
            ("oil title:", "field 'title' needs a value", 4),
            ("title: coffee", "field 'title' needs a value", 0),
            ("(text:)", "field 'text' needs a value", 1),
            ("title:* x", "field 'title' needs a value", 0),
            ("title:\"\"", "field 'title' needs a value", 0),
            ("a path:", "field 'path' needs a value", 2),
            ("path:\"\"", "field 'path' needs a value", 0),
            ("date: 2026", "field 'date' needs a value", 0),
            ("x foo:bar", "unknown field 'foo'", 2),
            ("a:b:c", "unknown field 'a'", 0),
            ("é Foo:(x)", "unknown field 'Foo'", 2),
        ]);
        let e = parse("oil title:").unwrap_err();
        assert_eq!(e.hint, "write title:word or title:\"some words\"");
        let e = parse("foo:bar").unwrap_err();
        let text = "unknown field 'foo' at column 1 (known fields: title, text, path, date, lang)";
        assert_eq!(e.to_string(), text);
    }

    #[test]
    fn languages() {
        check(&[
            ("lang:ru москва", "[+lang:ru москва]"),
            ("LANG:TR istanbul", "[+lang:tr istanbul]"),
        ]);
        check_errors(&[
            ("oil lang:", "field 'lang' needs a value", 4),
            ("oil lang:russian", "'russian' is not a language code", 9),
            ("lang:r1", "'r1' is not a language code", 5),
        ]);
    }

    #[test]
    fn paths() {
        check(&[
            ("path:business/*", "path:business/*"),
            ("PATH:business", "path:business"),
            ("path:\"my docs/*.txt\"", "path:my docs/*.txt"),
            ("oil (path:a/?.txt)", "[oil +path:a/?.txt]"),
            ("oil prices path:a", "[oil prices +path:a]"),
            ("path:a OR path:b", "[path:a path:b]"),
            ("-path:x", "[-path:x]"),
        ]);
    }

    #[test]
    fn date_ranges() {
        check(&[
            (
                "date:[2026-01-01 TO 2026-03-01]",
                "date:2026-01-01..2026-03-01",
            ),
            ("date:[* to 2026-03-01]", "date:*..2026-03-01"),
            ("date:[2026-01-01 TO *]", "date:2026-01-01..*"),
            (
                "date:{2025-12-31 TO 2026-03-01}",
                "date:2026-01-01..2026-02-28",
            ),
            ("date:[1987 TO 1988-06]", "date:1987-01-01..1988-06-30"),
            ("date:2026", "date:2026-01-01..2026-12-31"),
            ("date:2024-02", "date:2024-02-01..2024-02-29"),
            ("date:2026-02-26", "date:2026-02-26..2026-02-26"),
            ("date:>=2026-01-01", "date:2026-01-01..*"),
            ("date:>2025-12-31", "date:2026-01-01..*"),
            ("date:>2025", "date:2026-01-01..*"),
            ("date:<2024-03-01", "date:*..2024-02-29"),
            ("date:<=2024-03", "date:*..2024-03-31"),
            ("date:*", "date:*..*"),
            ("oil date:2026)", "[oil +date:2026-01-01..2026-12-31]"),
            (
                "date:2025 OR date:2026 oil",
                "[date:2025-01-01..2025-12-31 date:2026-01-01..2026-12-31 oil]",
            ),
            (
                "(oil OR gas) date:2026",
                "[[oil gas] +date:2026-01-01..2026-12-31]",
            ),
        ]);
    }

    #[test]
    fn date_errors() {
        check_errors(&[
            ("date:[2026-13-01 TO *]", "invalid date '2026-13-01'", 6),
            ("date:[* TO 2023-02-29]", "invalid date '2023-02-29'", 11),
            ("x date:2026-1-5", "invalid date '2026-1-5'", 7),
            ("date:>=soon", "invalid date 'soon'", 7),
            ("a date:[1987 TO", "unclosed date range", 7),
            (
                "date:[2026 TO 2025]",
                "date range starts after it ends (2026-01-01 > 2025-12-31)",
                0,
            ),
            ("date:[2026-01-01]", "malformed date range", 5),
            ("date:[2026 UNTIL 2027]", "malformed date range", 5),
            ("date:=>2026", "unknown comparison '=>'", 5),
        ]);
        assert_eq!(
            parse("date:[2026-13-01 TO *]").unwrap_err().hint,
            "dates are YYYY-MM-DD"
        );
        assert_eq!(
            parse("date:[1987 TO").unwrap_err().hint,
            "close the range with ]"
        );
    }

    #[test]
    fn date_parsing_and_arithmetic() {
        assert_eq!(
            Date::parse("2024-02-29"),
            Some(Date {
                year: 2024,
                month: 2,
                day: 29
            })
        );
        assert_eq!(
            Date::parse("2000-02-29").map(|d| d.to_string()),
            Some("2000-02-29".into())
        );
        let bad = "2023-02-29 1900-02-29 2026-13-01 2026-00-10 2026-04-31 2026-1-01 2026 2026-02 \
                   0000-01-01 ２０２６-01-01 2026-01-01- +202-01-01 2026/01/01";
        for bad in bad.split_whitespace().chain([""]) {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
        let d = |s| Date::parse(s).unwrap();
        for (day, next) in [
            ("2025-12-31", "2026-01-01"),
            ("2024-02-28", "2024-02-29"),
            ("2023-02-28", "2023-03-01"),
            ("2024-02-29", "2024-03-01"),
            ("2026-04-30", "2026-05-01"),
            ("2026-01-15", "2026-01-16"),
        ] {
            assert_eq!(day_after(d(day)), d(next));
            assert_eq!(day_before(d(next)), d(day));
        }
        assert_eq!(
            parse_date_span("2026-02"),
            Some((d("2026-02-01"), d("2026-02-28")))
        );
        assert_eq!(parse_date_span("26"), None);
    }

    #[test]
    fn plain_queries_have_no_syntax() {
        let node = parse_plain("Oil AND \"prices\" title:x\t-y (");
        assert_eq!(show(&node), "[Oil AND \"prices\" title:x -y (]");
        assert_eq!(show(&parse_plain("one")), "[one]");
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
        let words: Vec<String> = (0..20_000).map(|i| format!("w{}", i % 1000)).collect();
        let q = words.join(" ");
        assert!(q.len() > 80_000);
        assert!(matches!(parse(&q), Ok(Node::Bool(c)) if c.len() == 20_000));
        assert!(matches!(parse(&words.join(" AND ")), Ok(Node::Bool(c)) if c.len() == 20_000));
        assert!(matches!(parse(&format!("\"{q}")), Ok(Node::Phrase { .. })));
        assert!(parse(&format!("title:({q}) -x date:[2020 TO 2026]")).is_ok());
        let distinct: Vec<String> = (0..20_000).map(|i| format!("w{i}")).collect();
        let e = parse(&distinct.join(" ")).unwrap_err();
        assert_eq!(e.message, "the query has 20000 different words");
    }

    #[test]
    fn random_queries_never_panic() {
        let pieces =
            "a b c \" ( ) : * ~ ^ + - AND OR NOT && || title: text: path: date: date:[ ] } { \
                      TO 2026-01-01 2026 é 🙂 ~2 ^3 >= < foo: / 2 ? [ .";
        let pieces: Vec<&str> = pieces
            .split(' ')
            .chain(["\t", "\u{0}", " ", " ", " "])
            .collect();
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..20_000 {
            let mut q = String::new();
            for _ in 0..next() % 12 {
                let r = next();
                if r % 5 == 0 {
                    q.extend(char::from_u32((r >> 8) as u32 % 0x11_0000));
                } else {
                    q.push_str(pieces[(r >> 8) as usize % pieces.len()]);
                }
            }
            if let Err(e) = parse(&q) {
                assert!(e.position < q.chars().count(), "{q:?}: {e}");
            }
            let _ = parse_plain(&q);
        }
    }
}
