//! Which language a text is written in, told from its commonest words. Each language below has
//! a short list of function words (articles, conjunctions, prepositions) that no other language
//! of the list shares; a text's language is the one whose words it uses most, at least twice as
//! often as any other's; words in capitals (acronyms, headlines) do not count. Letters that only one language uses (Azerbaijani `ə`, Ukrainian `і`,
//! `ї`, `є`, `ґ`) count as that language's words. Chinese, Japanese and Korean are told by their
//! scripts. Text with too little evidence is undetermined ([`UNDETERMINED`]) and not stemmed.
//!
//! This is small on purpose: what matters is choosing the stemmer, never a wrong one, and
//! reading only the first words of each passage (see the README's "Languages" section for
//! why not whatlang or whichlang).

use std::sync::LazyLock;

use rustc_hash::FxHashMap;

use super::words::is_cjk;

/// The code of a text whose language is not known.
pub const UNDETERMINED: &str = "und";

/// The languages told apart by their words, as ISO 639-1 codes.
const LANGUAGES: [&str; 11] = [
    "en", "ru", "uk", "tr", "az", "de", "fr", "es", "it", "pt", "nl",
];

/// Function words of each language of [`LANGUAGES`], in the same order; none is in two lists,
/// and none is an English word, name or abbreviation (`do`, `die`, `van`, `par`, `al`).
const FUNCTION_WORDS: [&str; 11] = [
    "the of and to is that for with by are this from at be have has were which it not or but \
     their they said he his will would been its who",
    "и что как это из от для его был была были также уже только он она они с к",
    "і та що як це від його був була були також вже тільки він вона вони з",
    "ve için ile olarak değil gibi ancak kadar göre çok ise ayrıca tarafından üzere veya şu",
    "və üçün ilə isə edib olub qədər görə artıq bildirib həm hər çox bəzi lakin həmçinin",
    "der und das ist nicht sich auch dem eine für werden wird dass sind nach bei",
    "les des est une dans qui pour avec sont ont",
    "los las del una como más pero sus fue está",
    "che della sono gli alla anche delle nel più dei",
    "não com dos mais seu sua foi são pelo pela uma",
    "het een dat zijn voor niet ook maar werd heeft wordt",
];

/// Words read from a passage to tell its language: enough for one in three or four to be a
/// function word, few enough to cost little next to indexing.
const MAX_WORDS: usize = 20;

/// Texts at least this long are sampled at their start and middle.
const SAMPLED_BYTES: usize = 400;

/// Words read from a document whose passages' first words did not tell its language.
const MAX_DOCUMENT_WORDS: usize = 400;

/// ASCII words longer than this are no function word and are not looked up.
const MAX_ASCII_WORD: usize = 8;

/// CJK characters read from a passage.
const MAX_CJK: u32 = 40;

/// Each function word with the index of its language.
static WORDS: LazyLock<FxHashMap<&'static [u8], usize>> = LazyLock::new(|| {
    let mut words = FxHashMap::default();
    for (language, list) in FUNCTION_WORDS.iter().enumerate() {
        for word in list.split_whitespace() {
            let earlier = words.insert(word.as_bytes(), language);
            debug_assert!(earlier.is_none(), "'{word}' is in two lists");
        }
    }
    words
});

/// What a text says of its language: how many words of each language it uses, and how many
/// characters of each CJK script it holds. Evidence adds up over the passages of a document.
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    words: [u32; LANGUAGES.len()],
    /// Words read outside the CJK scripts, function words or not.
    other_words: u32,
    han: u32,
    kana: u32,
    hangul: u32,
}

impl Evidence {
    /// The evidence of `text`'s words: its first [`MAX_WORDS`], or, in a longer text, half of
    /// them from its start and half from its middle (a paragraph that opens with a foreign
    /// title or quote is not taken for that language).
    pub fn of(text: &str) -> Evidence {
        let mut evidence = Evidence::default();
        if text.len() < SAMPLED_BYTES {
            evidence.read(text, MAX_WORDS);
        } else {
            evidence.read(text, MAX_WORDS / 2);
            let mut middle = text.len() / 2;
            while !text.is_char_boundary(middle) {
                middle += 1;
            }
            // Skip the word cut in two.
            let rest = &text[middle..];
            let next = rest.find(char::is_whitespace).unwrap_or(rest.len());
            evidence.read(&rest[next..], MAX_WORDS / 2);
        }
        evidence
    }

    /// Adds the evidence of the first `max_words` words of `text`; returns how many were read.
    fn read(&mut self, text: &str, max_words: usize) -> usize {
        let evidence = self;
        let bytes = text.as_bytes();
        let (mut i, mut words) = (0, 0);
        while i < bytes.len() && words < max_words {
            if bytes[i].is_ascii() && !bytes[i].is_ascii_alphabetic() {
                i += 1;
                continue;
            }
            // A word: letters, outside CJK scripts.
            let start = i;
            let (mut ascii, mut letters, mut capitals) = (true, 0, 0);
            while let Some(&b) = bytes.get(i) {
                if b.is_ascii() {
                    if !b.is_ascii_alphabetic() {
                        break;
                    }
                    letters += 1;
                    capitals += usize::from(b.is_ascii_uppercase());
                    i += 1;
                    continue;
                }
                let c = text[i..].chars().next().expect("a char boundary");
                if !c.is_alphabetic() || is_cjk(c) {
                    break;
                }
                ascii = false;
                letters += 1;
                capitals += usize::from(c.is_uppercase());
                i += c.len_utf8();
            }
            if i == start {
                // Not a letter, or a CJK character.
                let c = text[i..].chars().next().expect("a char boundary");
                i += c.len_utf8();
                if is_cjk(c) && evidence.count_cjk(c) {
                    return max_words;
                }
                continue;
            }
            words += 1;
            evidence.other_words += 1;
            // Words in capitals (`IL-2`, `THE`) are acronyms or headlines: no evidence.
            if capitals >= 2 && capitals == letters {
                continue;
            }
            let word = &text[start..i];
            if ascii {
                let mut lower = [0u8; MAX_ASCII_WORD];
                if let Some(lower) = lower.get_mut(..word.len()) {
                    lower.copy_from_slice(word.as_bytes());
                    lower.make_ascii_lowercase();
                    evidence.count_word(lower);
                }
            } else {
                let lower: String = word
                    .chars()
                    .flat_map(|c| match c {
                        'İ' | 'I' => 'i'.to_lowercase(),
                        c => c.to_lowercase(),
                    })
                    .collect();
                evidence.count_word(lower.as_bytes());
            }
        }
        words
    }

    /// Counts a CJK character; true when enough have been read.
    fn count_cjk(&mut self, c: char) -> bool {
        match c {
            '\u{3040}'..='\u{30FF}' | '\u{31F0}'..='\u{31FF}' | '\u{FF66}'..='\u{FF9F}' => {
                self.kana += 1
            }
            '\u{1100}'..='\u{11FF}' | '\u{3130}'..='\u{318F}' | '\u{AC00}'..='\u{D7AF}' => {
                self.hangul += 1
            }
            _ => self.han += 1,
        }
        self.han + self.kana + self.hangul == MAX_CJK
    }

    /// Counts a lower-cased word (UTF-8).
    fn count_word(&mut self, word: &[u8]) {
        let index = |code| LANGUAGES.iter().position(|l| *l == code).expect("listed");
        if let Some(&language) = WORDS.get(word) {
            self.words[language] += 1;
        } else if word.is_ascii() {
        } else if let Ok(word) = std::str::from_utf8(word) {
            if word.contains('ə') {
                self.words[index("az")] += 1;
            } else if word.contains(['і', 'ї', 'є', 'ґ']) {
                self.words[index("uk")] += 1;
            }
        }
    }

    /// Adds `other`'s evidence to this.
    pub fn add(&mut self, other: &Evidence) {
        for (mine, theirs) in self.words.iter_mut().zip(other.words) {
            *mine += theirs;
        }
        self.other_words += other.other_words;
        self.han += other.han;
        self.kana += other.kana;
        self.hangul += other.hangul;
    }

    /// The language the evidence points to: one with at least `min` words (or CJK characters,
    /// two counting as one word), and at least twice as many as any other; else none. CJK
    /// characters count only where they make most of the words: the names in an English
    /// article written in their own script (`Yoon Suk Yeol (윤석열)`) do not make it Korean.
    pub fn language(&self, min: u32) -> Option<&'static str> {
        let cjk = (self.han + self.kana + self.hangul) / 2;
        let cjk = if cjk > self.other_words { cjk } else { 0 };
        let mut counts: Vec<(u32, &'static str)> = LANGUAGES
            .iter()
            .zip(self.words)
            .map(|(code, n)| (n, *code))
            .collect();
        let cjk_code = if self.hangul >= self.han + self.kana {
            "ko"
        } else if self.kana > 0 {
            "ja"
        } else {
            "zh"
        };
        counts.push((cjk, cjk_code));
        counts.sort_by_key(|c| std::cmp::Reverse(c.0));
        let (best, code) = counts[0];
        (best >= min.max(1) && best >= 2 * counts[1].0).then_some(code)
    }
}

/// Function words a passage needs to be given a language of its own, apart from its document's.
const PASSAGE_EVIDENCE: u32 = 3;

/// The language of a document (its title's) and of each of its passages: a passage with
/// enough evidence of its own has its language, the others take the document's, told from
/// the evidence of all its text.
pub fn languages(title: Option<&str>, passages: &[&str]) -> (&'static str, Vec<&'static str>) {
    let evidence: Vec<Evidence> = passages.iter().map(|p| Evidence::of(p)).collect();
    let mut whole = title.map(Evidence::of).unwrap_or_default();
    for e in &evidence {
        whole.add(e);
    }
    let mut document = whole.language(1);
    if document.is_none() {
        // Too little in the passages' first words: read on, as far as the document goes.
        let mut more = Evidence::default();
        let mut budget = MAX_DOCUMENT_WORDS;
        for text in title.into_iter().chain(passages.iter().copied()) {
            budget -= more.read(text, budget);
            if budget == 0 {
                break;
            }
        }
        document = more.language(1);
    }
    let document = document.unwrap_or(UNDETERMINED);
    let passages = evidence
        .iter()
        .map(|e| e.language(PASSAGE_EVIDENCE).unwrap_or(document))
        .collect();
    (document, passages)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detect(text: &str) -> Option<&'static str> {
        Evidence::of(text).language(2)
    }

    #[test]
    fn tells_the_languages_of_news_paragraphs() {
        let cases = [
            ("The ministry said that the talks would resume in the spring.", "en"),
            ("Министр заявил, что переговоры в Москве будут продолжены и что это важно.", "ru"),
            ("Міністр заявив, що переговори у Києві будуть продовжені, і це важливо.", "uk"),
            ("Bakan, görüşmelerin İstanbul'da ve Ankara'da devam edeceğini söyledi; ancak tarih için karar yok.", "tr"),
            ("Nazir bildirib ki, danışıqlar Bakıda və Gəncədə davam edəcək.", "az"),
            ("Der Minister sagte, dass die Gespräche in Berlin fortgesetzt werden.", "de"),
            ("北京是中国的首都，也是政治和文化中心。", "zh"),
            ("東京都に住んでいます。日本の首都です。", "ja"),
            ("서울은 대한민국의 수도입니다.", "ko"),
        ];
        for (text, code) in cases {
            assert_eq!(detect(text), Some(code), "{text}");
        }
    }

    #[test]
    fn names_in_their_own_script_do_not_change_a_text_s_language() {
        let cases = [
            ("President Yoon Suk Yeol (윤석열) met executives from Samsung (삼성전자) and Hyundai (현대자동차) in Seoul (서울) on Tuesday to discuss chip exports.", "en"),
            ("Prime Minister Fumio Kishida (岸田文雄) met the heads of Toyota (トヨタ) and Sony (ソニー) in Tokyo (東京) on Monday.", "en"),
            ("苹果公司的 iPhone 在中国市场的销量今年继续增长，华为和小米也推出了新机型。", "zh"),
        ];
        for (text, code) in cases {
            assert_eq!(detect(text), Some(code), "{text}");
        }
    }

    #[test]
    fn little_or_mixed_evidence_decides_nothing() {
        assert_eq!(detect("Oil prices rose"), None);
        assert_eq!(detect("Москва"), None);
        assert_eq!(detect(""), None);
        // As many English words as Russian ones.
        assert_eq!(detect("the end of это и что"), None);
        // Acronyms are not words: IL-2 is an interleukin, not French.
        assert_eq!(
            detect("IL-2 and IL-4 with IL-7, IL-9 of the cells"),
            Some("en")
        );
    }

    #[test]
    fn evidence_adds_up() {
        let mut e = Evidence::of("the fox");
        assert_eq!(e.language(2), None);
        e.add(&Evidence::of("and the dog"));
        assert_eq!(e.language(2), Some("en"));
    }

    #[test]
    fn a_mixed_document_gives_each_passage_its_language() {
        let (document, passages) = languages(
            Some("Talks"),
            &[
                "The ministers said that the talks would go on.",
                "Министр заявил, что переговоры будут продолжены и что это важно.",
                "Short line.",
            ],
        );
        assert_eq!(document, UNDETERMINED);
        assert_eq!(passages, ["en", "ru", UNDETERMINED]);
        let (document, passages) = languages(None, &["The end of the story.", "Short line."]);
        assert_eq!((document, passages), ("en", vec!["en", "en"]));
    }

    #[test]
    fn no_word_is_in_two_lists() {
        let total: usize = FUNCTION_WORDS
            .iter()
            .map(|l| l.split_whitespace().count())
            .sum();
        assert_eq!(WORDS.len(), total);
    }
}
