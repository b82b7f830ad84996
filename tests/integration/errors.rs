//! Messy input: binary and undecodable files, odd encodings, malformed queries.

use crate::util::TestEnv;

#[test]
fn binary_file_is_reported_and_the_rest_indexed() {
    let env = TestEnv::new();
    env.write("good.txt", "Title\n\nPelicans nest here.\n");
    env.write_bytes("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00");
    let out = env.index();
    assert!(
        out.stderr.contains("image.txt") && out.stderr.contains("binary"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("1 skipped"), "{}", out.stderr);
    assert_eq!(env.paths("pelicans"), ["good.txt"]);
}

#[test]
fn legacy_and_utf16_encodings_are_decoded() {
    let env = TestEnv::new();
    env.write_bytes("latin1.txt", b"Caf\xe9s\n\nLe caf\xe9 de la gare est tr\xe8s fr\xe9quent\xe9 le matin, et la cr\xe8me est bonne.\n");
    let (cp1251, _, _) = encoding_rs::WINDOWS_1251.encode(
        "Новости\n\nВ Москве сегодня прошёл большой снегопад, и дороги были закрыты весь день.\n",
    );
    env.write_bytes("ru.txt", &cp1251);
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(
        "date 2026-03-01 Title\r\n\r\nPelicans in UTF-16.\r\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes),
    );
    env.write_bytes("wide.txt", &utf16);
    env.write_bytes(
        "bom.txt",
        b"\xEF\xBB\xBFdate 2026-04-01 Heading\n\nFlamingos with a BOM.\n",
    );
    env.index();
    assert_eq!(env.paths("cafe"), ["latin1.txt"]);
    assert_eq!(env.paths("москве"), ["ru.txt"]);
    let wide = &env.search("pelicans", &[]).hits[0];
    assert_eq!(
        (wide.path.as_str(), wide.date.as_deref()),
        ("wide.txt", Some("2026-03-01"))
    );
    let bom = &env.search("flamingos", &[]).hits[0];
    assert_eq!(
        (bom.date.as_deref(), bom.title.as_deref()),
        (Some("2026-04-01"), Some("Heading"))
    );

    // UTF-16 without its byte-order mark, and UTF-32 with one: text, not binary.
    let text = "Cormorants\n\nCormorants dive for fish.\n";
    let bare: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    env.write_bytes("bare16.txt", &bare);
    let mut utf32 = vec![0, 0, 0xFE, 0xFF];
    utf32.extend(text.chars().flat_map(|c| (c as u32).to_be_bytes()));
    env.write_bytes("wide32.txt", &utf32);
    let out = env.index();
    assert!(!out.stderr.contains("skipped"), "{}", out.stderr);
    // The same text: one hit, the other file named as identical.
    let hits = env.search("cormorants", &[]).hits;
    assert_eq!(hits.len(), 1, "{hits:?}");
    let mut paths = vec![hits[0].path.clone()];
    paths.extend(hits[0].identical.iter().cloned());
    paths.sort();
    assert_eq!(paths, ["bare16.txt", "wide32.txt"]);
    assert_eq!(
        (hits[0].title.as_deref(), hits[0].text.as_str()),
        (Some("Cormorants"), "Cormorants dive for fish.")
    );
}

#[test]
fn malformed_queries_never_panic() {
    let env = TestEnv::new();
    env.write("a.txt", "Title\n\nOil and gas prices.\n");
    env.index();
    for q in [
        "\"unclosed",
        "oil AND",
        "(oil OR",
        "AND",
        "\"\"",
        "***",
        "~~",
        "((((",
        ")))",
        "🙂",
        "\u{7}\u{1b}x",
        "-oil",
        "date:*",
        "oil date:[* TO *]",
        "date:{* TO *}",
        "date:>9999-12-31",
    ] {
        let out = env.run(&["search", q]);
        assert!([0, 1, 2].contains(&out.code), "{q:?}: code {}", out.code);
        assert!(!out.stderr.contains("panicked"), "{q:?}: {}", out.stderr);
    }
}

#[test]
fn unknown_field_is_named_with_exit_two() {
    let env = TestEnv::new();
    env.write("a.txt", "Title\n\nOil.\n");
    env.index();
    let out = env.run_ok(&["search", "foo:bar"], 2);
    assert!(out.stderr.contains("foo"), "{}", out.stderr);
}

#[test]
fn bad_since_date_is_refused() {
    let env = TestEnv::new();
    env.write("a.txt", "Title\n\nOil.\n");
    let out = env.run_ok(&["search", "oil", "--since", "2026-02-30"], 2);
    assert!(out.stderr.contains("YYYY-MM-DD"), "{}", out.stderr);
}

#[test]
fn damaged_index_gives_a_clear_error_and_rebuild_repairs_it() {
    let env = TestEnv::new();
    env.write("a.txt", "Title\n\nPelicans nest here.\n");
    env.index();
    let segment_file = std::fs::read_dir(env.index_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "idx"))
        .expect("a segment file");
    std::fs::remove_file(&segment_file).unwrap();
    let out = env.run_ok(&["search", "pelicans"], 2);
    assert!(
        out.stderr.contains("loupe index --rebuild"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("panicked"));
    env.run_ok(&["index", "--rebuild"], 0);
    assert_eq!(env.paths("pelicans"), ["a.txt"]);
}

#[test]
fn index_path_that_is_a_file_is_named() {
    let env = TestEnv::new();
    env.write("a.txt", "Title\n\nPelicans nest here.\n");
    std::fs::write(env.root().join("afile"), "x").unwrap();
    for args in [
        &["index", "--index", "afile"][..],
        &["search", "x", "--index", "afile"],
        &["stats", "--index", "afile"],
    ] {
        let out = env.run_ok(args, 2);
        assert!(
            out.stderr.contains("afile") && out.stderr.contains("not a folder"),
            "{args:?}: {}",
            out.stderr
        );
    }
}

#[test]
fn corpus_path_that_is_a_file_is_named() {
    let env = TestEnv::new();
    env.write("a.txt", "Title\n\nPelicans nest here.\n");
    std::fs::write(env.root().join("notes.txt"), "x").unwrap();
    let out = env.run_ok(&["index", "--corpus", "notes.txt"], 2);
    assert!(
        out.stderr.contains("notes.txt is a file, not a folder"),
        "{}",
        out.stderr
    );
    let out = env.run_ok(&["index", "--corpus", "missing"], 2);
    assert!(out.stderr.contains("missing not found"), "{}", out.stderr);
}

#[test]
fn unreadable_and_vanishing_entries_are_skipped() {
    let env = TestEnv::new();
    env.write("good.txt", "Title\n\nPelicans nest here.\n");
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        env.corpus().join("missing.txt"),
        env.corpus().join("dangling.txt"),
    )
    .unwrap();
    let out = env.index();
    #[cfg(unix)]
    assert!(
        out.stderr.contains("dangling.txt") && out.stderr.contains("dangling link"),
        "{}",
        out.stderr
    );
    assert_eq!(env.paths("pelicans"), ["good.txt"]);
}

#[test]
fn huge_single_line_file_gives_bounded_passages_and_short_snippets() {
    let env = TestEnv::new();
    let mut text = String::from("Title\n\n");
    for i in 0..60_000 {
        text.push_str(&format!("sentence {i} about gulls and terns "));
        if i % 7 == 0 {
            text.push_str("ends here. ");
        }
    }
    env.write("huge.txt", &text);
    env.index();
    let results = env.search("gulls", &["--limit", "5"]);
    assert!(results.total_hits > 1000, "{}", results.total_hits);
    for hit in &results.hits {
        assert!(
            hit.text.len() <= 1200 && hit.snippet.len() <= 400,
            "{} / {}",
            hit.text.len(),
            hit.snippet.len()
        );
        assert_eq!(
            &text[hit.byte_start as usize..hit.byte_end as usize],
            hit.text
        );
    }
}
