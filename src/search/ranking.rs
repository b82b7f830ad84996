//! The ranking's few parameters. Every query is scored by one model: BM25F over each
//! passage's title and text, an ordered-window bonus for neighbouring query words, and its
//! document's BM25F added (passage and document evidence together). `loupe eval` measures the
//! parameters; [`Ranking::bm25`] is the plain baseline.

/// Tunable parts of the ranking.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ranking {
    /// Leave English stop words out of queries of plain words (unless only stop words remain).
    pub stop_words: bool,
    /// Weight of the bonus for two neighbouring query words found together in order (0: off).
    pub proximity: f32,
    /// How many extra positions may stand between two such words.
    pub proximity_window: u32,
    /// Weight of the document's BM25F in a passage's score (0: passages alone).
    pub document_weight: f32,
    /// A passage holding all the query's words in exactly the typed form scores this much more
    /// (a share of it for some of them): exact forms first, other things equal.
    pub exact_form: f32,
    /// Words that pseudo-relevance feedback adds to a plain-word query (0: none).
    pub feedback_terms: usize,
    /// How many query words the added words weigh together: their share of the expanded
    /// query is `w / (n + w)` for a query of `n` words, less for longer queries.
    pub feedback_weight: f32,
    /// Feedback expands queries of at least this many words (stop words left out):
    /// descriptions, not keywords or headlines.
    pub feedback_min_words: usize,
    /// The bonuses (nearness, document evidence, feedback, exact forms) re-rank this many of
    /// the best passages by their words; the passages past them follow, ranked by their words
    /// alone. A fixed depth, not one that grows with the page, so that every page of a query
    /// ranks the same way.
    pub rescored: usize,
}

impl Default for Ranking {
    fn default() -> Self {
        Ranking {
            stop_words: true,
            proximity: 0.1,
            proximity_window: 1,
            document_weight: 1.0,
            exact_form: 0.01,
            feedback_terms: 20,
            feedback_weight: 5.0,
            feedback_min_words: 7,
            rescored: 40,
        }
    }
}

impl Ranking {
    /// Plain BM25F over passages with the same analysis: no stop words dropped, no
    /// proximity, no document evidence, no preference for exact forms.
    pub fn bm25() -> Ranking {
        Ranking {
            stop_words: false,
            proximity: 0.0,
            proximity_window: 0,
            document_weight: 0.0,
            exact_form: 0.0,
            feedback_terms: 0,
            feedback_weight: 0.0,
            feedback_min_words: 0,
            rescored: 0,
        }
    }
}

/// English function words and question phrasing, dropped from queries of plain words; the
/// index keeps them, so phrases still match exactly. Content words never appear here.
pub const STOP_WORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "done",
    "down",
    "during",
    "each",
    "either",
    "else",
    "etc",
    "ever",
    "every",
    "few",
    "for",
    "from",
    "further",
    "get",
    "gets",
    "given",
    "gives",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "him",
    "his",
    "how",
    "however",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "may",
    "me",
    "might",
    "more",
    "most",
    "much",
    "must",
    "my",
    "neither",
    "no",
    "nor",
    "not",
    "of",
    "off",
    "often",
    "on",
    "once",
    "one",
    "only",
    "or",
    "other",
    "others",
    "otherwise",
    "our",
    "ours",
    "out",
    "over",
    "own",
    "per",
    "perhaps",
    "please",
    "same",
    "shall",
    "she",
    "should",
    "since",
    "so",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "then",
    "there",
    "therefore",
    "these",
    "they",
    "this",
    "those",
    "though",
    "through",
    "thus",
    "to",
    "too",
    "under",
    "until",
    "up",
    "upon",
    "us",
    "very",
    "via",
    "was",
    "we",
    "were",
    "what",
    "whatever",
    "when",
    "where",
    "whether",
    "which",
    "while",
    "who",
    "whom",
    "whose",
    "why",
    "will",
    "with",
    "within",
    "without",
    "would",
    "yet",
    "you",
    "your",
    "yours",
];

/// True when `word` (as the user typed it) is a stop word.
pub fn is_stop_word(word: &str) -> bool {
    let lower = word
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    STOP_WORDS.contains(&lower.as_str())
}
