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
