//! One article's structure: the optional `date YYYY-MM-DD` header token, the title (a short
//! single-line first paragraph) and the body. Works on decoded text; knows nothing of files or
//! the index.

use std::ops::Range;

use crate::date::Date;
use crate::index::passage::paragraphs;

/// A title is a first paragraph of one line no longer than this many characters.
const MAX_TITLE_CHARS: usize = 200;

/// The parts of an article, as byte ranges into its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Article {
    /// The date from the header, when the text starts with a valid one.
    pub date: Option<Date>,
    /// The title's byte range, when the first paragraph is a title.
    pub title: Option<Range<usize>>,
    /// The body's byte range: everything after the header and the title.
    pub body: Range<usize>,
}

impl Article {
    /// Splits `text` into date, title and body.
    pub fn parse(text: &str) -> Article {
        let (date, after_header) = match parse_date_header(text) {
            Some((date, end)) => (Some(date), end),
            None => (None, 0),
        };
        let rest = &text[after_header..];
        let mut paras = paragraphs(rest);
        let first = paras.next();
        let second = paras.next();
        let title = match (first, second) {
            (Some(first), Some(second)) if is_title(&rest[first.clone()]) => {
                Some((first, second.start))
            }
            _ => None,
        };
        match title {
            Some((range, body_start)) => Article {
                date,
                title: Some(after_header + range.start..after_header + range.end),
                body: after_header + body_start..text.len(),
            },
            None => Article {
                date,
                title: None,
                body: after_header..text.len(),
            },
        }
    }
}

fn is_title(paragraph: &str) -> bool {
    !paragraph.contains('\n') && paragraph.chars().count() <= MAX_TITLE_CHARS
}

/// Finds `date YYYY-MM-DD` after optional leading whitespace; returns the date and the byte
/// offset just past the token and the spaces (or one line break) that follow it.
fn parse_date_header(text: &str) -> Option<(Date, usize)> {
    let start = text.len() - text.trim_start().len();
    let token = text[start..].strip_prefix("date ")?;
    let date = Date::parse(token.get(..10)?)?;
    let mut end = start + "date ".len() + 10;
    let after = &text[end..];
    if !(after.is_empty() || after.starts_with(char::is_whitespace)) {
        return None;
    }
    end += after.len() - after.trim_start_matches([' ', '\t']).len();
    let after = &text[end..];
    if let Some(stripped) = after
        .strip_prefix("\r\n")
        .or_else(|| after.strip_prefix('\n'))
    {
        end += after.len() - stripped.len();
    }
    Some((date, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(text: &str) -> (Option<String>, Option<&str>, &str) {
        let a = Article::parse(text);
        (
            a.date.map(|d| d.to_string()),
            a.title.map(|r| &text[r]),
            &text[a.body],
        )
    }

    #[test]
    fn header_on_the_title_line() {
        let text = "date 1987-02-26 BAHIA COCOA REVIEW\n\nSALVADOR, Feb 26 - Showers.\n";
        assert_eq!(
            parts(text),
            (
                Some("1987-02-26".into()),
                Some("BAHIA COCOA REVIEW"),
                "SALVADOR, Feb 26 - Showers.\n"
            )
        );
    }

    #[test]
    fn header_before_a_long_first_paragraph_gives_no_title() {
        let long = "BAKU, Azerbaijan. ".repeat(20);
        let text = format!(" date 2026-02-26 {long}\n\nSecond paragraph.");
        let (date, title, body) = parts(&text);
        assert_eq!(date.as_deref(), Some("2026-02-26"));
        assert_eq!(title, None);
        assert!(body.starts_with("BAKU"));
    }

    #[test]
    fn no_header_headline_first() {
        let text = "Ad sales boost Time Warner profit\n\nQuarterly profits rose.\n";
        assert_eq!(
            parts(text),
            (
                None,
                Some("Ad sales boost Time Warner profit"),
                "Quarterly profits rose.\n"
            )
        );
    }

    #[test]
    fn invalid_or_glued_header_stays_text() {
        for text in [
            "date 2026-13-01 text\n\nmore",
            "date 2026-01-01x\n\nmore",
            "update 2026-01-01\n\nmore",
        ] {
            let (date, _, _) = parts(text);
            assert_eq!(date, None, "{text}");
        }
    }

    #[test]
    fn single_paragraph_is_body_not_title() {
        assert_eq!(parts("Just one line"), (None, None, "Just one line"));
        assert_eq!(
            parts("date 2026-01-01\n"),
            (Some("2026-01-01".into()), None, "")
        );
    }

    #[test]
    fn crlf_text() {
        let text = "date 2026-01-01\r\nTitle here\r\n\r\nBody one.\r\n";
        assert_eq!(
            parts(text),
            (
                Some("2026-01-01".into()),
                Some("Title here"),
                "Body one.\r\n"
            )
        );
    }
}
