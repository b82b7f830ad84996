//! Splitting a document body into passages: paragraph-sized, self-contained pieces of text
//! that are indexed and returned one by one. Paragraphs are separated by blank lines; short
//! ones are merged with their neighbours, long ones are cut at sentence ends (or, failing
//! that, at spaces), so that no passage is unbounded even in a file without a blank line.

use std::ops::Range;

/// Size bounds of a passage, in bytes of UTF-8 text.
#[derive(Debug, Clone, Copy)]
pub struct PassageLimits {
    /// A passage shorter than this takes in the next paragraph when the two fit in `max`.
    pub min: usize,
    /// No passage is longer than this.
    pub max: usize,
}

impl Default for PassageLimits {
    fn default() -> Self {
        PassageLimits {
            min: 300,
            max: 1200,
        }
    }
}

/// Byte ranges of the paragraphs in `text`: runs of lines separated by blank (whitespace-only)
/// lines, with surrounding whitespace trimmed. Empty paragraphs are not returned.
pub fn paragraphs(text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut pos = 0;
    std::iter::from_fn(move || {
        // Skip leading whitespace; the paragraph starts at the first other character.
        let rest = &text[pos..];
        let start = pos + (rest.len() - rest.trim_start().len());
        if start >= text.len() {
            pos = text.len();
            return None;
        }
        // Walk line by line until a blank line or the end.
        let mut line_start = start;
        let mut end = text.len();
        while let Some(nl) = text[line_start..].find('\n') {
            let next = line_start + nl + 1;
            let next_line_end = text[next..].find('\n').map_or(text.len(), |i| next + i);
            if text[next..next_line_end].trim().is_empty() {
                end = line_start + nl;
                break;
            }
            line_start = next;
        }
        pos = end;
        Some(start..start + text[start..end].trim_end().len())
    })
}

/// Splits `text` into passages within `limits`; ranges are byte offsets into `text`.
pub fn split(text: &str, limits: PassageLimits) -> Vec<Range<usize>> {
    let mut pieces = Vec::new();
    for para in paragraphs(text) {
        cut_long(text, para, limits, &mut pieces);
    }
    merge_short(pieces, limits)
}

/// Cuts a paragraph longer than `limits.max` into pieces of about equal size, preferring
/// sentence ends, then spaces, then any character boundary.
fn cut_long(text: &str, range: Range<usize>, limits: PassageLimits, out: &mut Vec<Range<usize>>) {
    let mut start = range.start;
    while range.end - start > limits.max {
        let remaining = range.end - start;
        let parts = remaining.div_ceil(limits.max);
        let ideal = start + remaining / parts;
        let lo = floor_char(text, start + (remaining / parts) / 2);
        let hi = floor_char(text, (start + limits.max).min(range.end));
        let cut = best_cut(text, lo, ideal.min(hi), hi).unwrap_or(hi);
        let cut = if cut <= start {
            ceil_char(text, start + 1)
        } else {
            cut
        };
        let piece = text[start..cut].trim_end();
        out.push(start..start + piece.len());
        let rest = &text[cut..range.end];
        start = cut + (rest.len() - rest.trim_start().len());
    }
    if start < range.end {
        out.push(start..range.end);
    }
}

/// The cut position in `lo..=hi` nearest `ideal`: after a sentence end if there is one,
/// else at a space.
fn best_cut(text: &str, lo: usize, ideal: usize, hi: usize) -> Option<usize> {
    let window = &text[lo..hi];
    let nearest = |candidates: &mut dyn Iterator<Item = usize>| {
        candidates.min_by_key(|&pos| pos.abs_diff(ideal))
    };
    let bytes = window.as_bytes();
    let is_stop = |b: u8| matches!(b, b'.' | b'!' | b'?');
    // A sentence ends at a space after `.`, `!` or `?`, possibly followed by a closing quote or bracket.
    let sentence_ends = &mut (1..bytes.len()).filter_map(|i| {
        let closes = matches!(bytes[i - 1], b'"' | b'\'' | b')') && i >= 2 && is_stop(bytes[i - 2]);
        (bytes[i].is_ascii_whitespace() && (is_stop(bytes[i - 1]) || closes)).then_some(lo + i)
    });
    nearest(sentence_ends).or_else(|| {
        let spaces = &mut (0..bytes.len())
            .filter(|&i| bytes[i].is_ascii_whitespace())
            .map(|i| lo + i);
        nearest(spaces)
    })
}

/// Merges each piece shorter than `limits.min` with the following ones while they fit.
fn merge_short(pieces: Vec<Range<usize>>, limits: PassageLimits) -> Vec<Range<usize>> {
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(pieces.len());
    for piece in pieces {
        match merged.last_mut() {
            Some(last) if last.len() < limits.min && piece.end - last.start <= limits.max => {
                last.end = piece.end;
            }
            _ => merged.push(piece),
        }
    }
    // A short tail joins the passage before it when they fit together.
    if merged.len() >= 2 {
        let n = merged.len();
        if merged[n - 1].len() < limits.min && merged[n - 1].end - merged[n - 2].start <= limits.max
        {
            let tail = merged.pop().expect("two passages");
            merged[n - 2].end = tail.end;
        }
    }
    merged
}

fn floor_char(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str, limits: PassageLimits) -> Vec<&str> {
        split(text, limits).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn paragraphs_are_trimmed_and_separated_by_blank_lines() {
        let text = "  First line\nsecond line  \n\n \t \nNext.\r\n\r\nLast";
        let paras: Vec<&str> = paragraphs(text).map(|r| &text[r]).collect();
        assert_eq!(paras, ["First line\nsecond line", "Next.", "Last"]);
        assert_eq!(paragraphs("   \n\n  ").count(), 0);
    }

    #[test]
    fn short_paragraphs_merge_long_ones_split() {
        let limits = PassageLimits { min: 20, max: 60 };
        let text = "Short.\n\nAlso short.\n\nThis paragraph is long enough to stand alone here.";
        assert_eq!(
            texts(text, limits),
            [
                "Short.\n\nAlso short.",
                "This paragraph is long enough to stand alone here."
            ]
        );
    }

    #[test]
    fn long_paragraph_cut_at_sentence_ends() {
        let limits = PassageLimits { min: 10, max: 50 };
        let text = "One sentence here. Two sentence here. Three sentence here. Four.";
        let parts = texts(text, limits);
        assert!(parts.len() >= 2);
        for p in &parts {
            assert!(p.len() <= 50, "{p:?}");
            assert!(p.ends_with('.'), "{p:?}");
        }
        assert_eq!(parts.join(" "), text);
    }

    #[test]
    fn text_without_spaces_is_still_bounded_and_char_safe() {
        let limits = PassageLimits { min: 10, max: 40 };
        let text = "é".repeat(100);
        let parts = texts(&text, limits);
        assert!(parts.iter().all(|p| p.len() <= 40 && !p.is_empty()));
        assert_eq!(parts.concat(), text);
    }

    #[test]
    fn ranges_are_exact_offsets() {
        let text = "\n\nAlpha beta.\n\nGamma delta.\n";
        let ranges = split(text, PassageLimits { min: 1, max: 100 });
        assert_eq!(ranges, vec![2..13, 15..27]);
    }
}
