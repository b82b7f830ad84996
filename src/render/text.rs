//! Results for a person: `path:line`, date, score and title on one line, then the snippet on
//! one line with the matches in colour (when the caller allows colour).

use std::io;

use termcolor::{Color, ColorSpec, WriteColor};

use crate::search::{Hit, SearchResults};

/// Writes `results` as text; colour is used only if `out` supports it.
pub fn write_text(out: &mut dyn WriteColor, results: &SearchResults) -> io::Result<()> {
    for (i, hit) in results.hits.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        write_hit(out, hit)?;
    }
    Ok(())
}

fn write_hit(out: &mut dyn WriteColor, hit: &Hit) -> io::Result<()> {
    out.set_color(ColorSpec::new().set_fg(Some(Color::Magenta)))?;
    write!(out, "{}", hit.path)?;
    out.reset()?;
    write!(out, ":")?;
    out.set_color(ColorSpec::new().set_fg(Some(Color::Green)))?;
    write!(out, "{}", hit.line)?;
    out.reset()?;
    if let Some(date) = hit.date {
        write!(out, "  {date}")?;
    }
    out.set_color(ColorSpec::new().set_dimmed(true))?;
    write!(out, "  score {:.2}", hit.score)?;
    out.reset()?;
    writeln!(out)?;
    let title = hit.title.as_deref().unwrap_or_else(|| file_name(&hit.path));
    out.set_color(ColorSpec::new().set_bold(true))?;
    write!(out, "  {title}")?;
    out.reset()?;
    writeln!(out)?;
    write!(out, "  ")?;
    write_snippet(out, &hit.snippet.text, &hit.snippet.highlights)?;
    writeln!(out)
}

/// The file name without folders, which stands in for a missing title.
fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Writes the snippet on one line (line breaks and runs of spaces become one space), with the
/// highlighted ranges in bold red.
fn write_snippet(
    out: &mut dyn WriteColor,
    text: &str,
    highlights: &[std::ops::Range<usize>],
) -> io::Result<()> {
    let mut pos = 0;
    for h in highlights {
        write_flat(out, &text[pos..h.start])?;
        out.set_color(ColorSpec::new().set_fg(Some(Color::Red)).set_bold(true))?;
        write_flat(out, &text[h.start..h.end])?;
        out.reset()?;
        pos = h.end;
    }
    write_flat(out, &text[pos..])
}

fn write_flat(out: &mut dyn WriteColor, text: &str) -> io::Result<()> {
    let mut last_space = false;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            if !last_space {
                out.write_all(&text.as_bytes()[start..i])?;
                out.write_all(b" ")?;
            }
            start = i + c.len_utf8();
            last_space = true;
        } else {
            if last_space {
                start = i;
            }
            last_space = false;
        }
    }
    out.write_all(&text.as_bytes()[start..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::highlight::Snippet;

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
            text: "Armed\n\nforces  left.".into(),
            snippet: Snippet {
                text: "Armed\n\nforces  left.".into(),
                highlights: vec![0..5, 7..13],
            },
        }
    }

    #[test]
    fn plain_text_layout() {
        let results = SearchResults {
            query: "q".into(),
            total_hits: Some(1),
            took_ms: 1.0,
            hits: vec![hit()],
        };
        let mut out = termcolor::NoColor::new(Vec::new());
        write_text(&mut out, &results).unwrap();
        let text = String::from_utf8(out.into_inner()).unwrap();
        assert_eq!(
            text,
            "world/001.txt:3  2026-02-26  score 4.26\n  001.txt\n  Armed forces left.\n"
        );
    }

    #[test]
    fn colour_marks_the_highlights() {
        let results = SearchResults {
            query: "q".into(),
            total_hits: Some(1),
            took_ms: 1.0,
            hits: vec![hit()],
        };
        let mut out = termcolor::Ansi::new(Vec::new());
        write_text(&mut out, &results).unwrap();
        let text = String::from_utf8(out.into_inner()).unwrap();
        assert!(
            text.contains("\u{1b}[1m\u{1b}[31mArmed\u{1b}[0m"),
            "{text:?}"
        );
    }
}
