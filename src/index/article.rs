//! One article's structure: the optional header tokens `date YYYY-MM-DD` and `lang xx` (in
//! either order), the title (a short single-line first paragraph) and the body. Works on decoded text; knows nothing of files or
//! the index.

use std::ops::Range;

use crate::date::Date;
use crate::index::passage::{paragraphs, split, PassageLimits};

/// A title is a first paragraph of one line no longer than this many characters.
const MAX_TITLE_CHARS: usize = 200;

/// The parts of an article, as byte ranges into its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Article {
    /// The date from the header, when the text starts with a valid one.
    pub date: Option<Date>,
    /// The language from the header (`lang ru`), which overrides detection.
    pub language: Option<String>,
    /// The title's byte range, when the first paragraph is a title.
    pub title: Option<Range<usize>>,
    /// The body's byte range: everything after the header and the title.
    pub body: Range<usize>,
}

impl Article {
    /// The byte ranges of the passages of `text` (the text this article was parsed from),
    /// split within `limits`: what is indexed, one tantivy document each.
    pub fn passages(&self, text: &str, limits: PassageLimits) -> Vec<Range<usize>> {
        let offset = self.body.start;
        split(&text[self.body.clone()], limits)
            .into_iter()
            .map(|r| offset + r.start..offset + r.end)
            .collect()
    }

    /// Splits `text` into date, title and body.
    pub fn parse(text: &str) -> Article {
        let (mut date, mut language, mut after_header) = (None, None, 0);
        loop {
            let rest = &text[after_header..];
            if let Some((d, end)) = date.is_none().then(|| parse_date_header(rest)).flatten() {
                date = Some(d);
                after_header += end;
            } else if let Some((l, end)) = language
                .is_none()
                .then(|| parse_lang_header(rest))
                .flatten()
            {
                language = Some(l);
                after_header += end;
            } else {
                break;
            }
        }
        // A date the index cannot hold (before 1678, after 2261) leaves the article undated.
        let date = date.filter(|d| d.is_indexable());
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
                language,
                title: Some(after_header + range.start..after_header + range.end),
                body: after_header + body_start..text.len(),
            },
            None => Article {
                date,
                language,
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
    Some((date, header_end(text, start + "date ".len() + 10)?))
}

/// Finds `lang xx` (a language code of two or three lower-case letters) after optional
/// leading whitespace, alone on its line or before a date header (so that text starting with
/// "lang is ..." stays text); returns the code and the offset just past the header.
fn parse_lang_header(text: &str) -> Option<(String, usize)> {
    let start = text.len() - text.trim_start().len();
    let token = text[start..].strip_prefix("lang ")?;
    let code: String = token
        .chars()
        .take_while(|c| c.is_ascii_lowercase())
        .collect();
    if !(2..=3).contains(&code.len()) {
        return None;
    }
    let end = header_end(text, start + "lang ".len() + code.len())?;
    let rest = &text[end..];
    let alone = rest.is_empty() || text[..end].ends_with('\n') || parse_date_header(rest).is_some();
    alone.then_some((code, end))
}

/// The end of a header token ending at `end`: past the spaces (or one line break) after it;
/// `None` when the token is glued to more text.
fn header_end(text: &str, mut end: usize) -> Option<usize> {
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
    Some(end)
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
    fn lang_header_before_or_after_the_date() {
        for text in [
            "lang ru\ndate 2026-01-01\nЗаголовок\n\nТекст.",
            "date 2026-01-01 lang ru\nЗаголовок\n\nТекст.",
        ] {
            let a = Article::parse(text);
            assert_eq!(a.language.as_deref(), Some("ru"), "{text}");
            assert_eq!(a.date.map(|d| d.to_string()).as_deref(), Some("2026-01-01"));
            assert_eq!(a.title.map(|r| &text[r]), Some("Заголовок"));
        }
        for text in [
            "lang russian\n\nText",
            "language ru\n\nText",
            "lang r\n\nText",
            "lang is a word\n\nText",
        ] {
            assert_eq!(Article::parse(text).language, None, "{text}");
        }
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
