//! Ranking as a user sees it: words standing together, one honest score, a page of
//! different answers, exact forms, suggestions; and the evaluation commands.

use crate::util::{highlighted, TestEnv};

const FILLER: &str = "The delegation met officials in the capital and spoke with residents about the region's history, the roads and the schools, and the visit went on for most of the day.";

#[test]
fn a_passage_holding_the_words_together_beats_one_repeating_one_word() {
    let env = TestEnv::new();
    env.write(
        "a.txt",
        &format!("Remembrance\n\nKhojaly, Khojaly, Khojaly: the town was named again and again. {FILLER}\n"),
    );
    env.write(
        "b.txt",
        &format!("Anniversary\n\nThe Khojaly massacre is remembered every year. {FILLER}\n"),
    );
    env.index();
    let results = env.search("Khojaly massacre", &[]);
    assert_eq!(results.hits[0].path, "b.txt");
    assert!(highlighted(&results.hits[0]).contains(&"massacre".to_string()));
}

#[test]
fn a_passage_gains_from_the_other_query_words_of_its_article() {
    let env = TestEnv::new();
    // Alone, the longer heron passage of both.txt would score lower than one.txt's.
    env.write(
        "both.txt",
        &format!("Notes\n\nThe heron nested by the water. {FILLER} {FILLER} {FILLER}\n\nLater an egret came. {FILLER} {FILLER}\n"),
    );
    env.write(
        "one.txt",
        &format!("Notes\n\nThe heron nested by the water. {FILLER} {FILLER}\n\nThe weather stayed dry. {FILLER} {FILLER}\n"),
    );
    env.index();
    let heron_paths = |hits: &[loupe::render::JsonHit]| -> Vec<String> {
        hits.iter()
            .filter(|h| h.text.contains("heron"))
            .map(|h| h.path.clone())
            .collect()
    };
    let before = env.search("heron egret", &[]).hits;
    assert_eq!(heron_paths(&before), ["both.txt", "one.txt"], "{before:?}");
    // A touched file keeps its recorded length, so its scores do not move.
    let file = std::fs::File::options()
        .append(true)
        .open(env.corpus().join("both.txt"))
        .unwrap();
    file.set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(5))
        .unwrap();
    env.index();
    let after = env.search("heron egret", &[]).hits;
    let scores = |hits: &[loupe::render::JsonHit]| hits.iter().map(|h| h.score).collect::<Vec<_>>();
    assert_eq!(scores(&before), scores(&after));
}

#[test]
fn scores_decrease_down_the_page_and_explain_shows_their_parts() {
    let env = TestEnv::new();
    for i in 0..12 {
        let herons = "herons ".repeat(i % 4 + 1);
        env.write(
            &format!("d{i:02}.txt"),
            &format!("Report {i}\n\n{herons} were seen near the lake, with egrets. {FILLER}\n"),
        );
    }
    env.index();
    let hits = env.search("herons egrets", &["--limit", "12"]).hits;
    assert_eq!(hits.len(), 12);
    assert!(
        hits.windows(2).all(|w| w[0].score >= w[1].score),
        "{:?}",
        hits.iter().map(|h| h.score).collect::<Vec<_>>()
    );
    let out = env.run_ok(&["search", "herons", "--explain", "-n", "1"], 0);
    assert!(
        out.stdout.contains("= (passage") && out.stdout.contains("document"),
        "{}",
        out.stdout
    );
    let json = env.search("herons", &["--explain", "-n", "1"]);
    let explain = json.hits[0].explain.as_ref().expect("explain");
    let sum = explain["passage"].as_f64().unwrap()
        + explain["document"].as_f64().unwrap()
        + explain["feedback"].as_f64().unwrap();
    let factor = explain["exact_form_factor"].as_f64().unwrap();
    assert!(
        (sum * factor - f64::from(json.hits[0].score)).abs() < 1e-3,
        "{explain}"
    );
}

#[test]
fn feedback_from_the_best_match_of_a_description_lifts_passages_on_its_topic() {
    let env = TestEnv::new();
    // A description of seven words: `jaguar` and six words every passage holds. The clear
    // best match is about cars; of the two other passages, the shorter one is about the
    // animal and would come second on the query's words alone.
    env.write(
        "best.txt",
        &format!("Motoring\n\nThe jaguar saloon: jaguar engine, jaguar gearbox, a car with speed on the road. {FILLER}\n"),
    );
    env.write(
        "animal.txt",
        &format!("Wildlife\n\nA jaguar stalked prey in the jungle at night. {FILLER}\n"),
    );
    env.write(
        "car.txt",
        &format!("Motoring\n\nA jaguar car kept speed on the road at night. {FILLER}\n"),
    );
    // Other documents, so that the words are rare enough to tell the best match apart.
    for i in 0..40 {
        env.write(
            &format!("other-{i:02}.txt"),
            &format!("Note {i}\n\nThe weather in the valley was mild, and the river ran high after the rain of spring number {i}.\n"),
        );
    }
    env.index();
    let query = "jaguar delegation officials capital residents history schools";
    let hits = env.search(query, &["--explain"]).hits;
    let paths: Vec<&str> = hits.iter().map(|h| h.path.as_str()).collect();
    assert_eq!(paths, ["best.txt", "car.txt", "animal.txt"]);
    let part = |i: usize, name: &str| part_of(&hits[i], name);
    assert!(part(1, "feedback") > part(2, "feedback"), "{hits:?}");
    assert!(
        part(1, "passage") + part(1, "document") < part(2, "passage") + part(2, "document"),
        "on the query's own words the animal passage leads: {hits:?}"
    );
    let results = env.search(query, &[]);
    let added: Vec<&str> = results
        .feedback_terms
        .iter()
        .map(|t| t.term.as_str())
        .collect();
    assert!(
        added.contains(&"car") && added.contains(&"gearbox"),
        "{added:?}"
    );
    assert!(
        !added.contains(&"jaguar"),
        "the query's own words are not added again"
    );
    let out = env.run_ok(&["search", query, "--explain"], 0);
    assert!(out.stdout.contains("feedback added: "), "{}", out.stdout);
    // Feedback only reorders: every hit still holds the query's words.
    assert!(hits
        .iter()
        .all(|h| highlighted(h).contains(&"jaguar".to_string())));
    // A short query is left as typed.
    let short = env.search("jaguar night", &["--explain"]);
    assert!(short.feedback_terms.is_empty());
    assert!(
        short.hits.iter().all(|h| part_of(h, "feedback") == 0.0),
        "{short:?}"
    );
}

fn part_of(hit: &loupe::render::JsonHit, name: &str) -> f64 {
    hit.explain.as_ref().unwrap()[name].as_f64().unwrap()
}

#[test]
fn fuzzy_and_prefix_words_are_ranked_exact_form_first() {
    let env = TestEnv::new();
    env.write(
        "exact.txt",
        &format!("One\n\nThe oil was shipped. {FILLER}\n"),
    );
    env.write(
        "near.txt",
        &format!("Two\n\nThe soil was shipped. {FILLER}\n"),
    );
    env.index();
    let hits = env.search("oil~1", &[]).hits;
    assert_eq!(hits.len(), 2);
    assert_eq!(hits[0].path, "exact.txt");
    assert!(hits[0].score > hits[1].score, "not a constant score");
    let hits = env.search("shipp*", &[]).hits;
    assert_eq!(hits.len(), 2);
    assert!(hits.iter().all(|h| h.score > 0.0 && h.score != 1.0));
}

#[test]
fn an_exact_word_form_outranks_a_stemmed_one_other_things_equal() {
    let env = TestEnv::new();
    env.write(
        "a.txt",
        &format!("Harvest\n\nThe picking went well. {FILLER}\n"),
    );
    env.write(
        "b.txt",
        &format!("Harvest\n\nThe pickings went well. {FILLER}\n"),
    );
    env.index();
    assert_eq!(env.paths("pickings")[0], "b.txt");
    assert_eq!(env.paths("picking")[0], "a.txt");
}

#[test]
fn one_article_does_not_fill_the_page_and_copies_collapse() {
    let env = TestEnv::new();
    let paragraphs: Vec<String> = (0..6)
        .map(|i| format!("Paragraph {i} is about llamas. {FILLER} {FILLER}"))
        .collect();
    env.write(
        "long.txt",
        &format!("Llamas\n\n{}\n", paragraphs.join("\n\n")),
    );
    env.write("short.txt", "Other\n\nA single llama.\n");
    env.write(
        "copy1.txt",
        "Same story\n\nAlpacas and a llama went to town.\n",
    );
    env.write(
        "copy2.txt",
        "Same story\n\nAlpacas and a llama went to town.\n",
    );
    env.index();
    let results = env.search("llama", &[]);
    let from_long = results.hits.iter().filter(|h| h.path == "long.txt").count();
    assert_eq!(from_long, 2, "at most 2 passages per article by default");
    let copies: Vec<_> = results
        .hits
        .iter()
        .filter(|h| h.path.starts_with("copy"))
        .collect();
    assert_eq!(copies.len(), 1, "identical documents collapse");
    assert_eq!(copies[0].identical.len(), 1);
    let out = env.run_ok(&["search", "alpacas"], 0);
    assert!(out.stdout.contains("+1 identical"), "{}", out.stdout);
    let all = env.search("llama", &["--per-doc", "0", "-n", "50"]);
    assert_eq!(all.hits.iter().filter(|h| h.path == "long.txt").count(), 6);
}

#[test]
fn a_long_paragraph_split_in_two_prints_two_locations() {
    let env = TestEnv::new();
    let long = "Zebras graze on the plain and drink at the river. ".repeat(40);
    env.write("z.txt", &format!("Zebras\n\n{long}\n"));
    env.index();
    let hits = env.search("zebras river", &["--per-doc", "0"]).hits;
    assert!(hits.len() >= 2);
    let mut places: Vec<(u64, u64)> = hits.iter().map(|h| (h.line, h.column)).collect();
    places.sort();
    places.dedup();
    assert_eq!(
        places.len(),
        hits.len(),
        "every passage has its own line:column"
    );
    let out = env.run_ok(&["search", "zebras", "--per-doc", "0"], 0);
    assert!(out.stdout.contains("z.txt:3:"), "{}", out.stdout);
}

#[test]
fn a_misspelt_word_gets_a_suggestion_and_the_query_is_kept() {
    let env = TestEnv::new();
    for i in 0..40 {
        env.write(
            &format!("g{i}.txt"),
            &format!("News {i}\n\nThe government announced a plan for region {i}.\n"),
        );
    }
    env.write("typo.txt", "Odd\n\nThe goverment did nothing.\n");
    env.index();
    let results = env.search("goverment plan", &[]);
    assert_eq!(results.suggestions.len(), 1, "{:?}", results.suggestions);
    let s = &results.suggestions[0];
    assert_eq!(
        (s.word.as_str(), s.suggestion.as_str()),
        ("goverment", "government")
    );
    assert_eq!(s.query, "government plan");
    assert!(
        results.hits.iter().any(|h| h.path == "typo.txt"),
        "the query itself is unchanged"
    );
    let out = env.run_ok(&["search", "goverment"], 0);
    assert!(
        out.stderr.contains("did you mean `government`"),
        "{}",
        out.stderr
    );
    assert!(env.search("government", &[]).suggestions.is_empty());

    // A long query of misspellings gets a few suggestions, not one line per word.
    let many = [
        "goverment",
        "govrnment",
        "govermnent",
        "governmnt",
        "goverrment",
    ]
    .join(" ");
    let out = env.run_ok(&["search", &many], 0);
    assert_eq!(
        out.stderr.matches("did you mean").count(),
        3,
        "{}",
        out.stderr
    );
    // A pasted text of more than 1,024 different words is refused with the reason.
    let pasted: Vec<String> = (0..1025).map(|i| format!("plan{i}")).collect();
    let pasted = pasted.join(" ");
    for args in [&["search", &pasted][..], &["search", "--plain", &pasted]] {
        let out = env.run_ok(args, 2);
        assert!(
            out.stderr.contains("the query has 1025 different words")
                && out.stderr.contains("at most 1024"),
            "{}",
            out.stderr
        );
    }
}

#[test]
fn eval_suite_prints_every_collection_and_the_mean() {
    let env = TestEnv::new();
    for name in ["alpha", "beta"] {
        let dir = env.root().join("suite").join(name);
        std::fs::create_dir_all(dir.join("docs")).unwrap();
        std::fs::write(
            dir.join("docs/d1.txt"),
            "Wings\n\nFlutter of wings at speed.\n",
        )
        .unwrap();
        std::fs::write(dir.join("docs/d2.txt"), "Boats\n\nHulls and sails.\n").unwrap();
        std::fs::write(dir.join("queries.tsv"), "1\twing flutter\n2\tsails\n").unwrap();
        std::fs::write(dir.join("qrels.txt"), "1 0 d1 1\n2 0 d2 1\n").unwrap();
    }
    std::fs::create_dir_all(env.root().join("suite/not-a-collection")).unwrap();
    let out = env.run_ok(&["eval", "--suite", "suite"], 0);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{}", out.stdout);
    assert!(lines[1].starts_with("alpha") && lines[2].starts_with("beta"));
    assert!(lines[3].starts_with("mean"));
    // Both queries find their document first: nDCG@10 1 with either ranking.
    assert!(lines[1].contains("1.0000   1.0000"), "{}", lines[1]);
    let out = env.run_ok(&["eval", "--suite", "suite", "--format", "json"], 0);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["collections"].as_array().unwrap().len(), 2);
}

#[test]
fn known_item_evaluation_finds_documents_by_their_titles() {
    let env = TestEnv::new();
    let titles = [
        "Cocoa harvest delayed by rain in Bahia",
        "Central bank raises interest rates again",
        "Coffee exporters meet in London on quotas",
        "Copper miners strike over wages in Chile",
    ];
    for (i, title) in titles.iter().enumerate() {
        env.write(
            &format!("n{i}.txt"),
            &format!("{title}\n\n{FILLER} Story number {i}.\n"),
        );
    }
    env.index();
    let out = env.run_ok(&["eval", "--known-item", "--format", "json"], 0);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let forms = v["known_item"].as_array().unwrap();
    assert_eq!(forms.len(), 3);
    for form in forms {
        assert_eq!(form["queries"], 4, "{form}");
        assert_eq!(form["mrr"], 1.0, "{form}");
    }
}

#[test]
fn a_first_passage_is_shown_once_even_when_the_title_also_brings_it() {
    let env = TestEnv::new();
    let second = format!("Second part. {FILLER} {FILLER}");
    env.write(
        "a.txt",
        &format!("Oil news\n\nOil was traded. {FILLER} {FILLER}\n\n{second}\n\n{second}\n"),
    );
    env.index();
    let hits = env.search("oil", &["--per-doc", "0"]).hits;
    let mut passages: Vec<u64> = hits.iter().map(|h| h.passage).collect();
    let all = passages.len();
    passages.dedup();
    assert_eq!(passages.len(), all, "{passages:?}");
    assert_eq!(hits[0].passage, 0);
}

/// Equal scores are ordered by document, not by where the documents landed in the index:
/// which indexing thread took a file, or which run added it, does not change the page.
#[test]
fn equal_scores_come_in_the_same_order_however_the_index_was_built() {
    // 60 articles that score alike for `heron` (more than the 40 best passages re-scored),
    // each with words of its own so that none is a copy of another.
    let word = |i: usize| format!("w{}", (b'a' + (i % 26) as u8) as char).repeat(1 + i / 26);
    let article = |i: usize| {
        format!(
            "date 2020-05-01 Notes {}\n\nThe heron {} nested.\n",
            word(i),
            word(i)
        )
    };
    let name = |i: usize| format!("n{i:02}.txt");
    let at_once = TestEnv::new();
    for i in 0..60 {
        at_once.write(&name(i), &article(i));
    }
    at_once.index();
    // The odd-numbered files first, then the even ones: two segments, each in path order.
    let in_two_runs = TestEnv::new();
    for parity in [1, 0] {
        for i in (0..60).filter(|i| i % 2 == parity) {
            in_two_runs.write(&name(i), &article(i));
        }
        in_two_runs.index();
    }
    let page = |env: &TestEnv, sort: &str| -> Vec<(String, f32)> {
        let results = env.search("heron", &["--limit", "10", "--sort", sort]);
        results
            .hits
            .into_iter()
            .map(|h| (h.path, h.score))
            .collect()
    };
    for sort in ["relevance", "date"] {
        let expected = page(&at_once, sort);
        assert_eq!(expected.len(), 10);
        assert!(
            expected.iter().all(|(_, s)| *s == expected[0].1),
            "all tie: {expected:?}"
        );
        assert_eq!(page(&in_two_runs, sort), expected, "--sort {sort}");
    }
}

/// 50 articles that say "heron" once, 50 that do not, and a survey whose first passage says it
/// a hundred times and whose long second passage says it once: that passage comes last by its
/// words, past the best 40 that the bonuses re-rank, though its article's evidence is high.
fn herons_and_a_survey() -> TestEnv {
    let env = TestEnv::new();
    for i in 0..50 {
        env.write(
            &format!("bird{i:02}.txt"),
            &format!("Bird {i}\n\nA heron by the lake, seen on day {i}. {FILLER} {FILLER}\n"),
        );
        env.write(
            &format!("town{i:02}.txt"),
            &format!("Town {i}\n\nThe council met on day {i}.\n"),
        );
    }
    let long = [FILLER; 6].join(" ");
    env.write(
        "survey.txt",
        &format!(
            "Survey\n\n{}\n\nA heron was counted. {long}\n",
            "heron ".repeat(100)
        ),
    );
    env
}

#[test]
fn a_shorter_page_is_the_start_of_a_longer_one() {
    // Until the re-ranked depth was fixed, a longer page re-ranked more passages: the survey's
    // second passage came 2nd on a page of 100 and was missing from a page of 10.
    let env = herons_and_a_survey();
    env.index();
    let key = |h: &loupe::render::JsonHit| (h.path.clone(), h.passage, h.score);
    let longest: Vec<_> = env
        .search("heron", &["--limit", "100"])
        .hits
        .iter()
        .map(key)
        .collect();
    assert_eq!(longest.len(), 52, "50 birds and 2 survey passages");
    assert_eq!(longest[0].0, "survey.txt");
    for limit in [1, 2, 5, 10, 30, 40, 41, 45, 51] {
        let page: Vec<_> = env
            .search("heron", &["--limit", &limit.to_string()])
            .hits
            .iter()
            .map(key)
            .collect();
        assert_eq!(page, longest[..limit], "--limit {limit}");
    }
    assert!(longest.windows(2).all(|w| w[0].2 >= w[1].2), "{longest:?}");
}
