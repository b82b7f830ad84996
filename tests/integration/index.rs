//! Building the index: documents, titles, dates, passages and their line numbers.

use crate::util::TestEnv;

#[test]
fn search_builds_a_missing_index_first() {
    let env = TestEnv::new();
    env.write(
        "a.txt",
        "Headline\n\nThe Khojaly massacre was remembered.\n",
    );
    // An index folder holding only a note is not an index.
    std::fs::create_dir(env.index_dir()).unwrap();
    std::fs::write(env.index_dir().join("README.md"), "note").unwrap();
    let out = env.run_ok(&["search", "Khojaly"], 0);
    assert!(out.stderr.contains("building it"), "{}", out.stderr);
    assert!(out.stdout.contains("a.txt:3"), "{}", out.stdout);
    assert!(env.index_dir().join("README.md").exists());
    // Second search uses the index as it is.
    let out = env.run_ok(&["search", "Khojaly"], 0);
    assert!(!out.stderr.contains("building"), "{}", out.stderr);
}

#[test]
fn missing_corpus_is_a_clear_error() {
    let env = TestEnv::new();
    let out = env.run_ok(&["index", "--corpus", "nowhere"], 2);
    assert!(
        out.stderr.contains("nowhere") && out.stderr.contains("not found"),
        "{}",
        out.stderr
    );
    let out = env.run_ok(&["search", "x", "--corpus", "nowhere"], 2);
    assert!(out.stderr.contains("not found"), "{}", out.stderr);
    assert!(!out.stderr.contains("panicked"));
}

#[test]
fn date_header_and_title_are_parsed() {
    let env = TestEnv::new();
    env.write(
        "wire/r1.txt",
        "date 1987-02-26 BAHIA COCOA REVIEW\n\nSALVADOR, Feb 26 - Showers continued over cocoa.\n",
    );
    env.write(
        "seed.txt",
        &format!(
            " date 2026-02-26 BAKU. {}\n\nSecond paragraph about cocoa.\n",
            "Long lede sentence. ".repeat(15)
        ),
    );
    env.write(
        "plain.txt",
        "Cocoa prices\n\nNo header here, cocoa all the same.\n",
    );
    env.index();
    let hits = env.search("cocoa", &["--limit", "10"]).hits;
    let get = |p: &str| {
        hits.iter()
            .find(|h| h.path == p)
            .unwrap_or_else(|| panic!("{p} not found"))
    };
    let r1 = get("wire/r1.txt");
    assert_eq!(
        (r1.title.as_deref(), r1.date.as_deref()),
        (Some("BAHIA COCOA REVIEW"), Some("1987-02-26"))
    );
    assert!(
        r1.text.starts_with("SALVADOR"),
        "title is not part of the text: {}",
        r1.text
    );
    let seed = hits
        .iter()
        .filter(|h| h.path == "seed.txt")
        .collect::<Vec<_>>();
    assert!(seed
        .iter()
        .all(|h| h.title.is_none() && h.date.as_deref() == Some("2026-02-26")));
    assert!(
        seed.iter().all(|h| !h.text.contains("date 2026")),
        "header token is not text"
    );
    let plain = get("plain.txt");
    assert_eq!(
        (plain.title.as_deref(), plain.date.as_deref()),
        (Some("Cocoa prices"), None)
    );
}

#[test]
fn passages_have_exact_byte_ranges_and_lines() {
    let env = TestEnv::new();
    let long_para = "Zebras graze quietly on the plain. ".repeat(60); // ~2 KB: split at sentences
    let text = format!("Title line\n\nFirst paragraph mentions aardvarks and much else besides, enough to stand alone as a passage of its own in the index.\nIt continues on a second line with more words about nothing in particular.\n\n{long_para}\n\nLast one with okapis, also long enough to stand on its own as a passage here, with words to spare and more. It needs three hundred bytes or it joins the passage before it, so it goes on a while longer about okapis and their habits in the forest.\n");
    env.write("doc.txt", &text);
    env.index();
    let hits = env
        .search(
            "aardvarks OR zebras OR okapis",
            &["--limit", "50", "--per-doc", "0"],
        )
        .hits;
    let mut passages: Vec<_> = hits.iter().collect();
    passages.sort_by_key(|h| h.passage);
    assert_eq!(passages.len(), 4, "the long paragraph is split in two");
    for h in &passages {
        assert_eq!(
            &text[h.byte_start as usize..h.byte_end as usize],
            h.text,
            "byte range of passage {}",
            h.passage
        );
        let line = text[..h.byte_start as usize].matches('\n').count() as u64 + 1;
        assert_eq!(h.line, line, "line of passage {}", h.passage);
        assert!(h.text.len() <= 1200, "passage {} is bounded", h.passage);
    }
    assert_eq!(passages[0].line, 3);
    assert!(
        passages[0].text.starts_with("First paragraph")
            && passages[0].text.ends_with("particular.")
    );
    assert!(passages.last().unwrap().text.starts_with("Last one"));
}

#[test]
fn stats_count_documents_and_passages() {
    let env = TestEnv::new();
    env.write("a.txt", "One paragraph only.\n");
    env.write("b.md", "Title\n\nFirst.\n");
    env.write("ignored.csv", "not, a, document\n");
    env.index();
    assert_eq!(env.counts(), (2, 2));
    let out = env.run_ok(&["stats"], 0);
    assert!(out.stdout.contains("documents    2"), "{}", out.stdout);
}

#[test]
fn stats_without_index_is_an_error() {
    let env = TestEnv::new();
    let out = env.run_ok(&["stats"], 2);
    assert!(out.stderr.contains("no index"), "{}", out.stderr);
}
