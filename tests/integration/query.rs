//! The query language: each construct, what it highlights, and its errors.

use crate::util::{highlighted, TestEnv};

fn corpus() -> TestEnv {
    let env = TestEnv::new();
    env.write(
        "business/oil1.txt",
        "date 2026-01-10 Oil prices climb\n\nOil prices rose while gas output fell.\n",
    );
    env.write(
        "business/oil2.txt",
        "date 2026-02-10 Output report\n\nOil output rose; prices held. OPEC met.\n",
    );
    env.write(
        "business/gas.txt",
        "date 2026-03-10 Gas report\n\nGas prices fell sharply.\n",
    );
    env.write("politics/dem.txt", "date 2025-12-01 Democracy day\n\nDemocrats and democracy advocates marched with the armed forces band.\n");
    env.write(
        "politics/army.txt",
        "date 2026-02-20 Army news\n\nThe armed and well trained forces paraded.\n",
    );
    env.write(
        "world/coffee.txt",
        "Coffee harvest\n\nBrazil expects a record crop this year.\n",
    );
    env.index();
    env
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v.dedup();
    v
}

#[test]
fn short_keyword_queries_rank_passages_with_all_words_first() {
    let env = TestEnv::new();
    // "prices" is repeated in one passage, but only the other holds both words.
    env.write(
        "many.txt",
        "T\n\nPrices prices prices prices prices, everywhere prices.\n",
    );
    env.write("both.txt", "T\n\nThe oil market was calm and so were prices in a long day of quiet trading that nobody will remember.\n");
    env.write("filler1.txt", "T\n\nNothing relevant.\n");
    env.index();
    assert_eq!(env.paths("oil prices"), ["both.txt", "many.txt"]);
}

#[test]
fn required_excluded_and_boolean_operators() {
    let env = corpus();
    assert_eq!(sorted(env.paths("+oil -gas")), ["business/oil2.txt"]);
    assert_eq!(
        sorted(env.paths("oil AND (prices OR output) NOT opec")),
        ["business/oil1.txt"]
    );
    assert_eq!(
        sorted(env.paths("gas OR brazil")),
        ["business/gas.txt", "business/oil1.txt", "world/coffee.txt"]
    );
    // Excluded words are never highlighted.
    let hit = &env.search("oil -gas", &[]).hits[0];
    assert!(!highlighted(hit)
        .iter()
        .any(|w| w.eq_ignore_ascii_case("gas")));
}

#[test]
fn prefix_and_fuzzy_highlight_what_they_matched() {
    let env = corpus();
    let hit = &env.search("democra*", &[]).hits[0];
    assert_eq!(highlighted(hit), ["Democrats", "democracy"]);
    let hit = &env.search("democrcy~1", &[]).hits[0];
    assert_eq!(hit.path, "politics/dem.txt");
    assert_eq!(highlighted(hit), ["democracy"]);
}

#[test]
fn proximity_phrase() {
    let env = corpus();
    assert_eq!(env.paths("\"armed forces\""), ["politics/dem.txt"]);
    assert_eq!(
        sorted(env.paths("\"armed forces\"~3")),
        ["politics/army.txt", "politics/dem.txt"]
    );
    let hit = env
        .search("\"armed forces\"~3", &[])
        .hits
        .into_iter()
        .find(|h| h.path == "politics/army.txt")
        .unwrap();
    assert_eq!(highlighted(&hit), ["armed", "forces"]);
}

#[test]
fn fields_title_and_path() {
    let env = corpus();
    assert_eq!(env.paths("title:coffee"), ["world/coffee.txt"]);
    assert!(
        env.paths("title:brazil").is_empty(),
        "brazil is only in the text"
    );
    assert_eq!(env.paths("text:brazil"), ["world/coffee.txt"]);
    assert_eq!(
        sorted(env.paths("path:business/* prices")),
        ["business/gas.txt", "business/oil1.txt", "business/oil2.txt"]
    );
    assert_eq!(
        sorted(env.paths("path:politics")),
        ["politics/army.txt", "politics/dem.txt"]
    );
}

#[test]
fn date_ranges_in_query_and_flags() {
    let env = corpus();
    let feb = vec![
        "business/oil2.txt".to_string(),
        "politics/army.txt".to_string(),
    ];
    assert_eq!(sorted(env.paths("date:[2026-02-01 TO 2026-02-28]")), feb);
    assert_eq!(sorted(env.paths("date:2026-02")), feb);
    assert_eq!(
        sorted(env.paths("prices date:[2026-02-01 TO *]")),
        ["business/gas.txt", "business/oil2.txt"]
    );
    let flagged = env.search(
        "prices",
        &["--since", "2026-02-01", "--until", "2026-02-28"],
    );
    assert_eq!(
        flagged
            .hits
            .iter()
            .map(|h| h.path.as_str())
            .collect::<Vec<_>>(),
        ["business/oil2.txt"]
    );
}

#[test]
fn open_date_ranges_and_dates_beyond_the_index_range_answer_exactly() {
    let env = corpus();
    // A date the index cannot hold leaves its article undated, not dated wrongly.
    env.write(
        "world/future.txt",
        "date 2500-06-01 Future harvest\n\nA coffee crop from the future.\n",
    );
    env.index();
    let dated = [
        "business/gas.txt",
        "business/oil1.txt",
        "business/oil2.txt",
        "politics/army.txt",
        "politics/dem.txt",
    ];
    for every_date in ["date:*", "date:[* TO *]", "date:{* TO *}"] {
        assert_eq!(sorted(env.paths(every_date)), dated, "{every_date}");
    }
    let future = env.search("crop future", &[]);
    assert_eq!(future.hits[0].path, "world/future.txt");
    assert_eq!(future.hits[0].date, None);
    assert_eq!(future.hits[0].title.as_deref(), Some("Future harvest"));
    for (flag, date) in [
        ("--since", "2400-01-01"),
        ("--since", "9999-12-31"),
        ("--until", "1600-01-01"),
    ] {
        let found = env.search("prices OR crop", &[flag, date]);
        assert!(found.hits.is_empty(), "{flag} {date}: {:?}", found.hits);
    }
    assert_eq!(
        sorted(env.paths("prices date:>1600-01-01")),
        ["business/gas.txt", "business/oil1.txt", "business/oil2.txt"]
    );
    assert!(env.paths("prices date:<1600-01-01").is_empty());
}

#[test]
fn sort_by_date_puts_newest_first() {
    let env = corpus();
    let dates: Vec<String> = env
        .search("prices OR oil OR democracy", &["--sort", "date"])
        .hits
        .into_iter()
        .filter_map(|h| h.date)
        .collect();
    let mut expected = dates.clone();
    expected.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, expected);
    assert_eq!(dates[0], "2026-03-10");
}

#[test]
fn folding_in_queries() {
    let env = TestEnv::new();
    env.write(
        "tr.txt",
        "T\n\nİstanbul ve Türkiye; Mother’s day; ΟΔΟΣ; Москва.\n",
    );
    env.index();
    for q in [
        "istanbul",
        "ISTANBUL",
        "turkiye",
        "Mother's",
        "mother’s",
        "οδος",
        "москва",
    ] {
        assert_eq!(env.paths(q), ["tr.txt"], "{q}");
    }
}

#[test]
fn malformed_queries_are_lenient_or_point_at_the_problem() {
    let env = corpus();
    // Lenient: the intent is clear.
    assert_eq!(env.run_ok(&["search", "\"armed forces"], 0).code, 0);
    assert_eq!(env.run_ok(&["search", "oil AND"], 0).code, 0);
    assert_eq!(env.run_ok(&["search", "(oil OR"], 0).code, 0);
    // Refused with a position and a hint.
    let out = env.run_ok(&["search", "title:"], 2);
    assert!(
        out.stderr.contains("title") && out.stderr.contains("column"),
        "{}",
        out.stderr
    );
    let out = env.run_ok(&["search", "date:[1987 TO"], 2);
    assert!(
        out.stderr.contains("column") && out.stderr.contains(']'),
        "{}",
        out.stderr
    );
    let out = env.run_ok(&["search", "oil date:[2026-13-01 TO *]"], 2);
    assert!(out.stderr.contains("YYYY-MM-DD"), "{}", out.stderr);
    let out = env.run_ok(&["search", "--", "-oil"], 2);
    assert!(out.stderr.contains("only excludes"), "{}", out.stderr);
}

#[test]
fn very_long_queries_are_answered() {
    let env = corpus();
    let long = "oil ".repeat(20_000);
    let out = env.run(&["search", &long, "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
}
