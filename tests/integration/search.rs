//! Ranking, phrases, highlighting, colour and exit codes of `loupe search`.

use crate::util::{highlighted, TestEnv};

fn news() -> TestEnv {
    let env = TestEnv::new();
    env.write("a.txt", "Markets\n\nOil prices rose as the oil cartel cut oil output; analysts expect prices to climb.\n");
    env.write(
        "b.txt",
        "Weather\n\nPrices of umbrellas rose in the rain.\n",
    );
    env.write(
        "c.txt",
        "Energy\n\nThe minister spoke about oil in general terms.\n",
    );
    env.write(
        "d.txt",
        "Defence\n\nThe armed forces paraded. Forces that were armed stood by.\n",
    );
    env.write(
        "e.txt",
        "Other\n\nThe forces of nature; an armed guard; no phrase here.\n",
    );
    env
}

#[test]
fn more_and_rarer_matches_rank_higher() {
    let env = news();
    let paths = env.paths("oil prices");
    assert_eq!(paths[0], "a.txt", "{paths:?}");
    assert!(paths.contains(&"b.txt".to_string()) && paths.contains(&"c.txt".to_string()));
}

#[test]
fn distinctive_sentence_finds_its_document_first() {
    let env = news();
    env.write(
        "f.txt",
        "Story\n\nThe quick auburn fox leapt over the sleepy hound near Tbilisi.\n",
    );
    assert_eq!(
        env.paths("auburn fox leapt over the sleepy hound")[0],
        "f.txt"
    );
}

#[test]
fn phrase_requires_the_word_sequence() {
    let env = news();
    assert_eq!(env.paths("\"armed forces\""), ["d.txt"]);
    let mut keywords = env.paths("armed forces");
    keywords.sort();
    assert_eq!(keywords, ["d.txt", "e.txt"]);
}

#[test]
fn phrase_highlights_the_phrase_not_stray_words() {
    let env = news();
    let hit = &env.search("\"armed forces\"", &[]).hits[0];
    assert_eq!(highlighted(hit), ["armed forces"]);
}

#[test]
fn highlights_cover_stemmed_and_accented_forms_exactly() {
    let env = TestEnv::new();
    env.write("t.txt", "Title\n\nIn Türkiye, the Mother’s Cry monument; 613 people were killed. Кофе — café crème.\n");
    env.index();
    let hit = &env.search("turkiye mother's killing cafe", &[]).hits[0];
    assert_eq!(highlighted(hit), ["Türkiye", "Mother’s", "killed", "café"]);
    let hit = &env.search("кофе", &[]).hits[0];
    assert_eq!(highlighted(hit), ["Кофе"]);
}

#[test]
fn title_matches_rank_a_passage_higher() {
    let env = TestEnv::new();
    env.write(
        "a.txt",
        "Volcano erupts\n\nLava reached the village of Sumbawa at dawn.\n",
    );
    env.write(
        "b.txt",
        "Local news\n\nLava reached the village of Sumbawa at noon.\n",
    );
    env.write("c.txt", "Other\n\nNothing to see here at all.\n");
    env.index();
    // Both passages mention the village; only a.txt's title mentions the volcano.
    assert_eq!(env.paths("volcano sumbawa")[0], "a.txt");
}

#[test]
fn titles_are_part_of_the_document() {
    let env = TestEnv::new();
    env.write("a.txt", "Stock market news\n\nShares rose in Tokyo, where traders bought exporters and banks all day long; this paragraph is padded with enough words to pass the three hundred bytes under which short paragraphs are merged with the next one, so that it stays a passage of its own in the index here, with yet another clause about the weather in Osaka and Kyoto.\n\nThe stock market closed higher, with more words here to keep this second paragraph long enough to be its own passage, since short paragraphs are merged with their neighbours until they reach three hundred bytes in all, and a final clause to be sure of it, which goes on about the close of trading for a while.\n");
    env.write(
        "b.txt",
        "Buffets and banquets\n\nA story whose text never names its headline's words again.\n",
    );
    env.index();
    // The passage holding the phrase in its text comes first; the title counts for both.
    let hits = env.search("\"stock market\"", &[]).hits;
    assert!(
        hits[0].text.contains("stock market closed"),
        "{:?}",
        hits[0].text
    );
    assert_eq!(hits[0].title_highlights, vec![[0, 12]]);
    // A word only in the title finds its document: one hit, the first passage, title marked.
    let hits = env.search("buffets", &[]).hits;
    assert_eq!(hits.len(), 1);
    assert_eq!((hits[0].path.as_str(), hits[0].passage), ("b.txt", 0));
    assert_eq!(hits[0].title_highlights, vec![[0, 7]]);
    // A quoted headline finds its article first.
    let hits = env.search("\"Buffets and banquets\"", &[]).hits;
    assert_eq!(hits[0].path, "b.txt");
    // The title field can still be searched on its own.
    assert_eq!(env.search("title:\"stock market\"", &[]).hits.len(), 2);
}

#[test]
fn no_hits_exit_one_and_say_so() {
    let env = news();
    let out = env.run_ok(&["search", "zyzzyva"], 1);
    assert!(out.stdout.is_empty());
    assert!(out.stderr.contains("no passage matches"), "{}", out.stderr);
}

#[test]
fn limit_and_per_document_cap() {
    let env = TestEnv::new();
    let many = (0..8).map(|i| format!("Paragraph {i} talks about llamas at length, and then some more words to make it long enough to stand alone as a passage in the index, which needs about three hundred bytes of text in total, so here is even more padding text about nothing. And a last sentence to pass the bound for sure, with a few more words added at the end.")).collect::<Vec<_>>().join("\n\n");
    env.write("long.txt", &format!("Llamas\n\n{many}\n"));
    env.write("short.txt", "Other\n\nA single llama.\n");
    env.index();
    assert_eq!(env.search("llama", &["--limit", "3"]).hits.len(), 3);
    let capped = env.search("llama", &["--per-doc", "2"]).hits;
    assert_eq!(capped.iter().filter(|h| h.path == "long.txt").count(), 2);
    assert!(capped.iter().any(|h| h.path == "short.txt"));
    assert_eq!(env.search("llama", &[]).total_hits, 9);
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let env = news();
    let plain = env.run_ok(&["search", "oil"], 0);
    assert!(
        !plain.stdout.contains('\u{1b}'),
        "piped output has no colour"
    );
    let coloured = env.run_ok(&["search", "oil", "--color", "always"], 0);
    assert!(
        coloured.stdout.contains("\u{1b}[1m\u{1b}[31mOil\u{1b}[0m"),
        "{:?}",
        coloured.stdout
    );
}

#[test]
fn text_output_shows_location_title_and_snippet() {
    let env = news();
    let out = env.run_ok(&["search", "umbrellas"], 0);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 5, "{}", out.stdout);
    assert_eq!(lines[..2], ["1 passage in 1 document", ""]);
    assert!(lines[2].starts_with("b.txt:3  score "), "{}", lines[2]);
    assert_eq!(
        lines[3..],
        ["  Weather", "  Prices of umbrellas rose in the rain."]
    );
}

#[test]
fn match_counts_are_exact_over_threads_segments_and_updates() {
    let env = TestEnv::new();
    let filler = "The committee heard from farmers and traders about the harvest, the prices at the market and the state of the roads in the valley, and it adjourned late.";
    let paragraph = |word: &str| format!("{word} {filler} {filler}");
    let write = |i: usize, extra_kestrel: bool| {
        let first = if i.is_multiple_of(2) || extra_kestrel {
            "kestrel"
        } else {
            "sparrow"
        };
        let second = if i.is_multiple_of(3) {
            "plover"
        } else {
            "sparrow"
        };
        let body = [
            paragraph(first),
            paragraph(second),
            paragraph(first),
            paragraph("sparrow"),
        ]
        .join("\n\n");
        env.write(&format!("f{i:02}.txt"), &format!("File {i}\n\n{body}\n"));
    };
    for i in 0..40 {
        write(i, false);
    }
    env.run_ok(&["index", "--threads", "2"], 0);
    let check = |kestrel: &[usize]| {
        let plover: Vec<usize> = (0..40).filter(|i: &usize| i.is_multiple_of(3)).collect();
        let plover_only = plover.iter().filter(|i| !kestrel.contains(i)).count();
        let both = env.search("kestrel plover", &[]);
        assert_eq!(both.total_documents, kestrel.len() + plover_only);
        assert_eq!(both.total_hits, 2 * kestrel.len() + plover.len());
        let phrase = env.search("\"kestrel the committee\"", &[]);
        assert_eq!(phrase.total_documents, kestrel.len());
        assert_eq!(phrase.total_hits, 2 * kestrel.len());
        assert_eq!(env.search("sparrow", &[]).total_documents, 40);
    };
    let mut kestrel: Vec<usize> = (0..40).step_by(2).collect();
    check(&kestrel);
    // Changed files are re-indexed into new segments; their old passages no longer count.
    for i in [1, 3, 5] {
        write(i, true);
    }
    env.run_ok(&["index", "--threads", "2"], 0);
    kestrel.extend([1, 3, 5]);
    check(&kestrel);
}
