//! Turning a file's bytes into text: byte-order marks, UTF-8 (with invalid bytes replaced),
//! UTF-16, and legacy single-byte encodings guessed from content; binary files are refused.

use encoding_rs::{Encoding, UTF_8};

/// A file's text, decoded to UTF-8.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text, without any byte-order mark.
    pub text: String,
    /// Name of the encoding the bytes were read as (e.g. `UTF-8`, `windows-1252`).
    pub encoding: &'static str,
    /// Bytes of the byte-order mark that preceded the text (0 when none).
    pub bom_len: usize,
    /// A problem worth telling the user, when the text was read with losses.
    pub warning: Option<String>,
}

/// Why a file's bytes are not text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotText(pub String);

/// Share of control characters above which a decoded file counts as binary.
const MAX_CONTROL_SHARE: f64 = 0.05;

/// Decodes `bytes`, or says why they are not text.
pub fn decode(bytes: &[u8]) -> Result<Decoded, NotText> {
    decode_owned(bytes.to_vec())
}

/// Like [`decode`], taking ownership so that a UTF-8 file (the common case) becomes its text
/// without a copy.
pub fn decode_owned(bytes: Vec<u8>) -> Result<Decoded, NotText> {
    if Encoding::for_bom(&bytes).is_none() && !bytes.contains(&0) {
        match String::from_utf8(bytes) {
            Ok(text) => return finish(text, UTF_8, 0, false),
            Err(e) => return decode_other(e.as_bytes()),
        }
    }
    decode_other(&bytes)
}

/// Decodes bytes that are not plain UTF-8: with a BOM, with invalid sequences, or binary.
fn decode_other(bytes: &[u8]) -> Result<Decoded, NotText> {
    if let Some(decoded) = utf32_with_bom(bytes) {
        return decoded;
    }
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        return finish(text.into_owned(), encoding, bom_len, had_errors);
    }
    if bytes.contains(&0) {
        if let Some(encoding) = utf16_without_bom(bytes) {
            let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
            if !had_errors {
                return finish(text.into_owned(), encoding, 0, false);
            }
        }
        return Err(NotText("binary file (contains NUL bytes)".into()));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => finish(text.to_owned(), UTF_8, 0, false),
        Err(_) if mostly_utf8(bytes) => {
            let text = String::from_utf8_lossy(bytes).into_owned();
            finish(text, UTF_8, 0, true)
        }
        Err(_) => {
            let mut detector = chardetng::EncodingDetector::new();
            detector.feed(bytes, true);
            let encoding = detector.guess(None, false);
            let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
            finish(text.into_owned(), encoding, 0, had_errors)
        }
    }
}

fn finish(
    text: String,
    encoding: &'static Encoding,
    bom_len: usize,
    had_errors: bool,
) -> Result<Decoded, NotText> {
    let (chars, controls) = count_controls(&text);
    if chars > 0 && controls as f64 > MAX_CONTROL_SHARE * chars as f64 {
        return Err(NotText("binary file (mostly non-text bytes)".into()));
    }
    let warning =
        had_errors.then(|| format!("invalid {} bytes replaced with U+FFFD", encoding.name()));
    Ok(Decoded {
        text,
        encoding: encoding.name(),
        bom_len,
        warning,
    })
}

/// Characters in `text`, and how many of them are control characters (other than line breaks,
/// tabs and form feeds) or replacement characters. Works on bytes: this runs on every file.
/// Blocks of 16 printable ASCII bytes, most of a text, are counted at once (a byte at a time
/// this was 4 % of a build).
fn count_controls(text: &str) -> (usize, usize) {
    const BLOCK: usize = 16;
    let bytes = text.as_bytes();
    let (mut chars, mut controls) = (0usize, 0usize);
    let mut start = 0;
    while start < bytes.len() {
        let end = (start + BLOCK).min(bytes.len());
        if end - start == BLOCK && printable_ascii(&bytes[start..end]) {
            chars += BLOCK;
        } else {
            for i in start..end {
                let (char_starts, control) = byte_class(bytes, i);
                chars += usize::from(char_starts);
                controls += usize::from(control);
            }
        }
        start = end;
    }
    (chars, controls)
}

/// True when every byte is printable ASCII or a line break, tab or form feed (written without
/// branches, so that it compiles to vector instructions).
fn printable_ascii(block: &[u8]) -> bool {
    block.iter().fold(true, |all, &b| {
        all & ((0x20..0x7f).contains(&b) | (b == b'\n') | (b == b'\r') | (b == b'\t') | (b == 0x0c))
    })
}

/// Whether the byte at `i` starts a character, and whether it starts a control character or a
/// replacement character.
fn byte_class(bytes: &[u8], i: usize) -> (bool, bool) {
    let b = bytes[i];
    if b < 0x80 {
        let control = (b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c)) || b == 0x7f;
        return (true, control);
    }
    // Continuation bytes do not start characters. C1 controls are C2 80..C2 9F; U+FFFD is
    // EF BF BD.
    let c1 = b == 0xC2
        && bytes
            .get(i + 1)
            .is_some_and(|&n| (0x80..=0x9F).contains(&n));
    let replacement = bytes[i..].starts_with(&[0xEF, 0xBF, 0xBD]);
    (b & 0xC0 != 0x80, c1 || replacement)
}

/// UTF-16 without a byte-order mark, told by where its NUL bytes are: text in Latin, Greek or
/// Cyrillic letters has NULs in the high byte of its spaces, digits and punctuation (of every
/// character, in English), and only there; binary data has them on both sides.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    let nuls = |side: usize| {
        bytes
            .iter()
            .skip(side)
            .step_by(2)
            .filter(|&&b| b == 0)
            .count()
    };
    let (even, odd) = (nuls(0), nuls(1));
    let units = bytes.len() / 2;
    // At least one character in ten a space or other ASCII: any sentence has more.
    match (even, odd) {
        (0, n) if n * 10 >= units => Some(encoding_rs::UTF_16LE),
        (n, 0) if n * 10 >= units => Some(encoding_rs::UTF_16BE),
        _ => None,
    }
}

/// Text in UTF-32 with its byte-order mark (which encoding_rs, following the web's standard,
/// does not decode: it would read the mark as UTF-16's).
fn utf32_with_bom(bytes: &[u8]) -> Option<Result<Decoded, NotText>> {
    let little = bytes.starts_with(&[0xFF, 0xFE, 0, 0]);
    if !little && !bytes.starts_with(&[0, 0, 0xFE, 0xFF]) {
        return None;
    }
    let units = bytes[4..].chunks(4);
    if units.len() * 4 != bytes.len() - 4 {
        return None;
    }
    let mut had_errors = false;
    let text: String = units
        .map(|unit| {
            let unit: [u8; 4] = unit.try_into().expect("chunks of 4");
            let code = if little {
                u32::from_le_bytes(unit)
            } else {
                u32::from_be_bytes(unit)
            };
            char::from_u32(code).unwrap_or_else(|| {
                had_errors = true;
                char::REPLACEMENT_CHARACTER
            })
        })
        .collect();
    let decoded = finish(text, UTF_8, 4, had_errors).map(|mut d| {
        d.encoding = if little { "UTF-32LE" } else { "UTF-32BE" };
        d.warning =
            had_errors.then(|| format!("invalid {} bytes replaced with U+FFFD", d.encoding));
        d
    });
    Some(decoded)
}

/// True when the bytes hold more valid multi-byte UTF-8 characters than invalid sequences:
/// a UTF-8 file with a few bad bytes rather than a file in a legacy encoding.
fn mostly_utf8(bytes: &[u8]) -> bool {
    let (mut multibyte, mut invalid) = (0usize, 0usize);
    for chunk in bytes.utf8_chunks() {
        multibyte += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        invalid += usize::from(!chunk.invalid().is_empty());
    }
    multibyte > invalid
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn counting_by_blocks_agrees_on_any_text(
            text in "([a-z .\n\t]{10,40}|[\u{0}-\u{1f}\u{7f}-\u{a0}é\u{fffd}在]{1,3}){0,8}"
        ) {
            let chars = text.chars().count();
            let controls = text
                .chars()
                .filter(|&c| {
                    (c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}')) || c == '\u{fffd}'
                })
                .count();
            proptest::prop_assert_eq!(count_controls(&text), (chars, controls));
        }
    }

    #[test]
    fn utf8_with_and_without_bom() {
        let d = decode("café".as_bytes()).unwrap();
        assert_eq!(
            (d.text.as_str(), d.encoding, d.bom_len, d.warning),
            ("café", "UTF-8", 0, None)
        );
        let d = decode(b"\xEF\xBB\xBFdate 2026-01-01 x").unwrap();
        assert_eq!((d.text.as_str(), d.bom_len), ("date 2026-01-01 x", 3));
    }

    #[test]
    fn utf16_with_bom() {
        let mut le = vec![0xFF, 0xFE];
        le.extend("Türkiye".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(decode(&le).unwrap().text, "Türkiye");
        let mut be = vec![0xFE, 0xFF];
        be.extend("Привет".encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(decode(&be).unwrap().text, "Привет");
    }

    #[test]
    fn utf16_without_bom_and_utf32_with_bom() {
        for text in [
            "Oil prices rose on Monday.\n",
            "Министр заявил, что переговоры в Москве будут продолжены.",
            "Türkiye'nin başkenti Ankara'dır.",
        ] {
            let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
            let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
            assert_eq!(decode(&le).unwrap().text, text);
            assert_eq!(decode(&be).unwrap().encoding, "UTF-16BE");
            assert_eq!(decode(&be).unwrap().text, text);
            let mut utf32 = vec![0xFF, 0xFE, 0, 0];
            utf32.extend(text.chars().flat_map(|c| (c as u32).to_le_bytes()));
            let d = decode(&utf32).unwrap();
            assert_eq!(
                (d.text.as_str(), d.encoding, d.bom_len),
                (text, "UTF-32LE", 4)
            );
            let mut utf32 = vec![0, 0, 0xFE, 0xFF];
            utf32.extend(text.chars().flat_map(|c| (c as u32).to_be_bytes()));
            assert_eq!(decode(&utf32).unwrap().text, text);
        }
        // NULs on both sides of the 16-bit units: binary, as before.
        assert!(decode(b"ab\x00c\x00\x00de\x00\x00fg\x00h").is_err());
    }

    #[test]
    fn legacy_encodings_are_detected() {
        let latin1 =
            b"Le caf\xe9 est tr\xe8s bon, la cr\xe8me br\xfbl\xe9e aussi, et le th\xe9\xe2tre.";
        let d = decode(latin1).unwrap();
        assert!(d.text.contains("café") && d.text.contains("crème"), "{d:?}");
        // "Привет, как дела? Россия и Москва." in Windows-1251.
        let (cp1251, _, _) = encoding_rs::WINDOWS_1251
            .encode("Привет, как дела у всех в России? Москва прекрасна зимой.");
        let d = decode(&cp1251).unwrap();
        assert!(d.text.contains("Москва"), "{d:?}");
    }

    #[test]
    fn utf8_with_a_stray_byte_is_kept_with_a_warning() {
        let d = decode(b"caf\xc3\xa9 na\xc3\xafve and one bad \xff byte").unwrap();
        assert!(d.text.starts_with("café naïve"));
        assert!(d.warning.is_some());
    }

    #[test]
    fn control_counting_matches_the_char_definition() {
        for text in [
            "plain\ttext\n",
            "a\u{1}b\u{7f}c",
            "é\u{85}\u{FFFD}ü",
            "",
            "Москва\u{0}",
        ] {
            let chars = text.chars().count();
            let controls = text
                .chars()
                .filter(|&c| {
                    c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\x0c') || c == '\u{FFFD}'
                })
                .count();
            assert_eq!(count_controls(text), (chars, controls), "{text:?}");
        }
    }

    #[test]
    fn koi8r_and_turkish_legacy_encodings() {
        let russian = "В Москве сегодня прошёл сильный снегопад, и движение на дорогах было затруднено весь день.";
        let (koi8, _, _) = encoding_rs::KOI8_R.encode(russian);
        assert_eq!(decode(&koi8).unwrap().text, russian);
        let turkish =
            "Türkiye'nin başkenti Ankara'dır; İstanbul ise en büyük şehridir ve çok güzeldir.";
        let (iso9, _, _) = encoding_rs::WINDOWS_1254.encode(turkish);
        let decoded = decode(&iso9).unwrap();
        assert!(
            decoded.text.contains("başkenti") && decoded.text.contains("İstanbul"),
            "{decoded:?}"
        );
    }

    #[test]
    fn binary_is_refused() {
        assert!(decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR").is_err());
        let noise: Vec<u8> = (0..2000u32).map(|i| (i * 7 % 32) as u8 + 1).collect();
        assert!(decode(&noise).is_err());
    }
}
