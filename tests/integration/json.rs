//! The JSON and JSON Lines contract of `loupe search`.

use loupe::render::{JsonHit, JsonResults};

use crate::util::TestEnv;

#[test]
fn json_object_has_the_documented_fields() {
    let env = TestEnv::new();
    env.write(
        "world/a.txt",
        "date 2026-02-26 Quake hits city\n\nThe earthquake shook Ankara’s old town at night.\n",
    );
    env.index();
    let out = env.run_ok(&["search", "earthquake ankara", "--format", "json"], 0);
    // deny_unknown_fields on the types: every field is known and present.
    let results: JsonResults = serde_json::from_str(&out.stdout).expect("contract");
    assert_eq!(results.query, "earthquake ankara");
    assert_eq!(results.total_hits, 1);
    assert!(results.took_ms >= 0.0);
    let hit = &results.hits[0];
    assert_eq!(
        (hit.rank, hit.path.as_str(), hit.passage, hit.line),
        (1, "world/a.txt", 0, 3)
    );
    assert_eq!(
        (hit.title.as_deref(), hit.date.as_deref()),
        (Some("Quake hits city"), Some("2026-02-26"))
    );
    assert!(hit.score > 0.0);
    assert_eq!(hit.text, "The earthquake shook Ankara’s old town at night.");
    assert_eq!(hit.snippet, hit.text);
    assert_eq!(hit.highlights, vec![[4, 14], [21, 31]]);
    let raw: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert!(raw["hits"][0]["title"].is_string() && raw["hits"][0]["date"].is_string());
}

#[test]
fn null_title_and_date_when_absent() {
    let env = TestEnv::new();
    env.write("n.txt", "A single paragraph about herons, with no title.\n");
    env.index();
    let out = env.run_ok(&["search", "herons", "--format", "json"], 0);
    let raw: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert!(
        raw["hits"][0]["title"].is_null() && raw["hits"][0]["date"].is_null(),
        "{raw}"
    );
}

#[test]
fn jsonl_prints_one_hit_per_line() {
    let env = TestEnv::new();
    env.write("a.txt", "Title\n\nHerons fish.\n");
    env.write("b.txt", "Title\n\nHerons fly.\n");
    env.index();
    let out = env.run_ok(&["search", "herons", "--format", "jsonl"], 0);
    let hits: Vec<JsonHit> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("hit"))
        .collect();
    assert_eq!(hits.len(), 2);
    assert_eq!(hits.iter().map(|h| h.rank).collect::<Vec<_>>(), [1, 2]);
}

#[test]
fn json_with_no_hits_is_still_valid() {
    let env = TestEnv::new();
    env.write("a.txt", "Title\n\nHerons fish.\n");
    env.index();
    let out = env.run_ok(&["search", "pelican", "--format", "json"], 1);
    let results: JsonResults = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!((results.total_hits, results.hits.len()), (0, 0));
}
