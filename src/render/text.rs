//! Results for a person: a header with the counts, then per hit `path:line`, date and score
//! on one line, the title (matches highlighted) and the snippet wrapped and indented below,
//! with the matches in colour (when the caller allows colour).

use std::io;
use std::ops::Range;

use termcolor::{Color, ColorSpec, WriteColor};

use crate::search::{Hit, SearchResults, Stale};

/// Snippet lines are wrapped to this many columns (or `$COLUMNS`, when set).
const DEFAULT_WIDTH: usize = 80;

/// Writes `results` as text; colour is used only if `out` supports it.
pub fn write_text(out: &mut dyn WriteColor, results: &SearchResults) -> io::Result<()> {
    let width = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse::<usize>().ok())
        .filter(|&w| w >= 20)
        .unwrap_or(DEFAULT_WIDTH);
    write_text_to_width(out, results, width)
}

/// [`write_text`] with the wrapping width given.
pub fn write_text_to_width(
    out: &mut dyn WriteColor,
    results: &SearchResults,
    width: usize,
) -> io::Result<()> {
    if let Some(header) = header(results) {
        out.set_color(ColorSpec::new().set_dimmed(true))?;
        write!(out, "{header}")?;
        out.reset()?;
        writeln!(out)?;
        writeln!(out)?;
    }
    let explained = results.hits.iter().any(|h| h.explanation.is_some());
    if explained && !results.feedback.is_empty() {
        let terms: Vec<String> = results
            .feedback
            .iter()
            .map(|(term, weight)| format!("{term} {weight:.2}"))
            .collect();
        out.set_color(ColorSpec::new().set_dimmed(true))?;
        writeln!(out, "feedback added: {}", terms.join(", "))?;
        out.reset()?;
        writeln!(out)?;
    }
    for (i, hit) in results.hits.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        write_hit(out, hit, width)?;
    }
    Ok(())
}

/// "12 passages in 5 documents", when the counts are known.
fn header(results: &SearchResults) -> Option<String> {
    let passages = results.total_hits? as u64;
    let documents = results.total_documents? as u64;
    if passages == 0 {
        return None;
    }
    let about = if results.totals_estimated {
        "about "
    } else {
        ""
    };
    let mut header = format!(
        "{about}{} in {about}{}",
        crate::plural(passages, "passage"),
        crate::plural(documents, "document")
    );
    if (results.hits.len() as u64) < passages {
        header.push_str(&format!(", showing {}", results.hits.len()));
    }
    Some(header)
}

fn write_hit(out: &mut dyn WriteColor, hit: &Hit, width: usize) -> io::Result<()> {
    out.set_color(ColorSpec::new().set_fg(Some(Color::Magenta)))?;
    write!(out, "{}", printable(&hit.path))?;
    out.reset()?;
    let line_known = !matches!(
        hit.stale,
        Some(
            Stale::Deleted
                | Stale::Unreadable
                | Stale::Changed {
                    relocated: false,
                    ..
                }
        )
    );
    if line_known {
        write!(out, ":")?;
        out.set_color(ColorSpec::new().set_fg(Some(Color::Green)))?;
        write!(out, "{}", hit.line)?;
        // A passage cut from the middle of a long line says where in the line it starts.
        if hit.column > 1 {
            write!(out, ":{}", hit.column)?;
        }
        out.reset()?;
    }
    if let Some(date) = hit.date {
        write!(out, "  {date}")?;
    }
    out.set_color(ColorSpec::new().set_dimmed(true))?;
    write!(out, "  score {:.2}", hit.score)?;
    out.reset()?;
    if let Some(stale) = hit.stale {
        out.set_color(ColorSpec::new().set_fg(Some(Color::Yellow)))?;
        write!(
            out,
            "  [{}]",
            match stale {
                Stale::Deleted => "file deleted since indexed",
                Stale::Unreadable => "file cannot be read",
                Stale::Changed {
                    relocated: true, ..
                } => "file changed since indexed",
                Stale::Changed {
                    relocated: false, ..
                } => "file changed since indexed; passage no longer in it",
            }
        )?;
        out.reset()?;
    }
    if !hit.identical.is_empty() {
        out.set_color(ColorSpec::new().set_dimmed(true))?;
        write!(out, "  +{} identical", hit.identical.len())?;
        out.reset()?;
    }
    writeln!(out)?;
    // Without a title the path above already names the document.
    if let Some(title) = &hit.title {
        let mut bold = ColorSpec::new();
        bold.set_bold(true);
        write_wrapped(out, title, &hit.title_highlights, width, &bold)?;
    }
    write_wrapped(
        out,
        &hit.snippet.text,
        &hit.snippet.highlights,
        width,
        &ColorSpec::new(),
    )?;
    if let Some(detail) = &hit.explanation {
        let parts = &hit.parts;
        out.set_color(ColorSpec::new().set_dimmed(true))?;
        if parts.rescored {
            writeln!(
                out,
                "  score {:.4} = (passage {:.4} + document {:.4} + feedback {:.4}) × exact forms {:.3}",
                parts.score, parts.passage, parts.document, parts.feedback, parts.exact
            )?;
        } else {
            writeln!(
                out,
                "  score {:.4} = passage {:.4}, its words alone (the bonuses re-rank only the best passages by their words)",
                parts.score, parts.passage
            )?;
        }
        for line in detail.lines() {
            writeln!(out, "    {line}")?;
        }
        out.reset()?;
    }
    Ok(())
}

/// Writes `text` with runs of white space folded to one space, wrapped at word boundaries to
/// `width` columns with every line indented by two spaces; `highlights` (byte ranges of
/// `text`) in bold red, the rest in `base`.
fn write_wrapped(
    out: &mut dyn WriteColor,
    text: &str,
    highlights: &[Range<usize>],
    width: usize,
    base: &ColorSpec,
) -> io::Result<()> {
    const INDENT: &str = "  ";
    let marked = |i: usize| highlights.iter().any(|h| h.start <= i && i < h.end);
    let strong = highlight_spec();
    // The colour in force: the highlight's (`Some(true)`), `base` (`Some(false)`), or none
    // (`None`, at the start of a line). It is set only when it changes, not for every word.
    let mut current: Option<bool> = None;
    let paint = |out: &mut dyn WriteColor, current: &mut Option<bool>, on: bool| {
        if *current != Some(on) {
            *current = Some(on);
            out.set_color(if on { &strong } else { base })
        } else {
            Ok(())
        }
    };
    let mut column = 0;
    for (word, spaced) in pieces(text) {
        let columns = unicode_width::UnicodeWidthStr::width(&text[word.clone()]);
        let gap = usize::from(spaced);
        if column > 0 && column + gap + columns > width.saturating_sub(INDENT.len()) {
            out.reset()?;
            writeln!(out)?;
            column = 0;
            current = None;
        }
        if column == 0 {
            write!(out, "{INDENT}")?;
        } else if spaced {
            // A space between two highlighted parts of one phrase is highlighted too.
            let joined = marked(word.start)
                && highlights
                    .iter()
                    .any(|h| h.start < word.start && h.end > word.start);
            paint(out, &mut current, joined)?;
            write!(out, " ")?;
        }
        let mut start = word.start;
        while start < word.end {
            let on = marked(start);
            let mut end = start;
            while end < word.end && marked(end) == on {
                end += text[end..].chars().next().map_or(1, char::len_utf8);
            }
            paint(out, &mut current, on)?;
            write!(out, "{}", &text[start..end])?;
            start = end;
        }
        column += columns + if column > 0 { gap } else { 0 };
    }
    out.reset()?;
    writeln!(out)
}

fn highlight_spec() -> ColorSpec {
    let mut spec = ColorSpec::new();
    spec.set_fg(Some(Color::Red)).set_bold(true);
    spec
}

/// The pieces of `text` a line may break before, with whether white space stands before each:
/// its white-space separated words, each CJK character (which lines break between) a piece
/// of its own.
fn pieces(text: &str) -> impl Iterator<Item = (Range<usize>, bool)> + '_ {
    words(text).flat_map(move |word| {
        let mut pieces = Vec::new();
        let mut start = word.start;
        for (i, c) in text[word.clone()].char_indices() {
            if crate::analysis::is_cjk(c) {
                let at = word.start + i;
                if at > start {
                    pieces.push(start..at);
                }
                start = at + c.len_utf8();
                pieces.push(at..start);
            }
        }
        if start < word.end {
            pieces.push(start..word.end);
        }
        pieces
            .into_iter()
            .enumerate()
            .map(|(k, piece)| (piece, k == 0))
    })
}

/// Byte ranges of the white-space separated words of `text`.
fn words(text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut pos = 0;
    std::iter::from_fn(move || {
        let rest = &text[pos..];
        let start = pos + (rest.len() - rest.trim_start().len());
        if start >= text.len() {
            return None;
        }
        let end = text[start..]
            .find(char::is_whitespace)
            .map_or(text.len(), |i| start + i);
        pos = end;
        Some(start..end)
    })
}

/// `path` with its control characters (a line break in a folder's name, say) written as
/// escapes, so that a hit's header stays one line and the terminal's state is left alone.
fn printable(path: &str) -> std::borrow::Cow<'_, str> {
    if !path.contains(char::is_control) {
        return path.into();
    }
    path.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect::<String>()
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::highlight::Snippet;

    /// The results of one hit, counted (`Some(1)`) or not.
    fn results_of(hit: Hit, total: Option<usize>) -> SearchResults {
        SearchResults {
            query: "q".into(),
            total_hits: total,
            total_documents: total,
            totals_estimated: false,
            took_ms: 1.0,
            hits: vec![hit],
            warnings: Vec::new(),
            suggestions: Vec::new(),
            feedback: Vec::new(),
        }
    }

    fn hit() -> Hit {
        Hit {
            rank: 1,
            score: 4.256,
            path: "world/001.txt".into(),
            title: None,
            date: crate::date::Date::parse("2026-02-26"),
            passage: 0,
            line: 3,
            byte_start: 10,
            byte_end: 30,
            lang: "en".into(),
            text: "Armed\n\nforces  left.".into(),
            snippet: Snippet {
                text: "Armed\n\nforces  left.".into(),
                highlights: vec![0..5, 7..13],
            },
            title_highlights: Vec::new(),
            stale: None,
            column: 1,
            identical: Vec::new(),
            parts: crate::search::scoring::Scored {
                score: 4.256,
                passage: 4.256,
                document: 0.0,
                feedback: 0.0,
                exact: 1.0,
                rescored: false,
                key: 0,
                address: tantivy::DocAddress::new(0, 0),
            },
            explanation: None,
        }
    }

    #[test]
    fn control_characters_in_a_path_are_escaped() {
        assert_eq!(printable("world/001.txt"), "world/001.txt");
        assert_eq!(
            printable("new\nline/\u{1b}[31mx.txt"),
            "new\\nline/\\u{1b}[31mx.txt"
        );
    }

    #[test]
    fn plain_text_layout() {
        let results = results_of(hit(), Some(1));
        let mut out = termcolor::NoColor::new(Vec::new());
        write_text(&mut out, &results).unwrap();
        let text = String::from_utf8(out.into_inner()).unwrap();
        assert_eq!(
            text,
            "1 passage in 1 document\n\nworld/001.txt:3  2026-02-26  score 4.26\n  Armed forces left.\n"
        );
    }

    #[test]
    fn long_snippets_wrap_with_an_indent() {
        let mut long = hit();
        long.snippet.text = "word ".repeat(30).trim_end().to_string();
        long.snippet.highlights = vec![Range { start: 0, end: 4 }];
        long.title = Some("A title".into());
        let results = results_of(long, None);
        let mut out = termcolor::NoColor::new(Vec::new());
        write_text_to_width(&mut out, &results, 40).unwrap();
        let text = String::from_utf8(out.into_inner()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[1], "  A title");
        assert!(lines.len() > 4, "{text}");
        assert!(
            lines[2..]
                .iter()
                .all(|l| l.starts_with("  word") && l.len() <= 40),
            "{text}"
        );
    }

    /// CJK text, which has no spaces and takes two columns a character, wraps between its
    /// characters at the terminal's width, and gains no spaces.
    #[test]
    fn cjk_snippets_wrap_by_terminal_columns() {
        let mut wide = hit();
        let text = "长城汽车今年的销量继续增长，公司在海外市场推出了新的电动汽车。".repeat(3);
        wide.snippet.text = format!("Great Wall {text}");
        wide.snippet.highlights = vec![Range { start: 11, end: 23 }];
        wide.title = None;
        let results = results_of(wide, None);
        let mut out = termcolor::NoColor::new(Vec::new());
        write_text_to_width(&mut out, &results, 40).unwrap();
        let printed = String::from_utf8(out.into_inner()).unwrap();
        let lines: Vec<&str> = printed.lines().filter(|l| l.starts_with("  ")).collect();
        assert!(lines.len() >= 5, "{printed}");
        for line in &lines {
            assert!(
                unicode_width::UnicodeWidthStr::width(*line) <= 40,
                "{printed}"
            );
        }
        let joined: String = lines.iter().map(|l| &l[2..]).collect();
        assert_eq!(joined, format!("Great Wall {text}"));
    }

    #[test]
    fn colour_marks_the_highlights() {
        let results = results_of(hit(), Some(1));
        let mut out = termcolor::Ansi::new(Vec::new());
        write_text(&mut out, &results).unwrap();
        let text = String::from_utf8(out.into_inner()).unwrap();
        assert!(
            text.contains("\u{1b}[1m\u{1b}[31mArmed\u{1b}[0m"),
            "{text:?}"
        );
        // The colour changes where a highlight starts or ends, not at every word.
        assert!(
            text.contains("\u{1b}[31mforces\u{1b}[0m left.\u{1b}[0m\n"),
            "{text:?}"
        );
    }
}
