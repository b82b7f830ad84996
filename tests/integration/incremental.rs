//! Re-indexing after the corpus changes: only what changed is processed, and the index ends
//! up holding exactly the corpus.

use crate::util::TestEnv;

fn summary(out: &crate::util::Output) -> String {
    out.stderr.lines().last().unwrap_or("").to_string()
}

#[test]
fn add_change_remove_and_no_op() {
    let env = TestEnv::new();
    env.write("a.txt", "Alpha\n\nAardvarks are here.\n");
    env.write("b.txt", "Beta\n\nBadgers are here.\n");
    env.index();
    assert_eq!(env.counts(), (2, 2));

    let out = env.index();
    assert!(
        summary(&out).contains("0 added, 0 changed, 0 removed, 2 unchanged"),
        "{}",
        out.stderr
    );

    env.write("c.txt", "Gamma\n\nCapybaras are here.\n");
    let pad = "Words to make this paragraph longer than the three hundred bytes under which passages merge. ".repeat(4);
    env.write("b.txt", &format!("Beta\n\nBison replaced the badgers. {pad}\n\nAnd a second paragraph long enough to be a passage of its own, since passages shorter than three hundred bytes merge with their neighbours; so here are more words to pass that bound comfortably. {pad}\n"));
    env.remove("a.txt");
    let out = env.index();
    assert!(
        summary(&out).contains("1 added, 1 changed, 1 removed, 0 unchanged"),
        "{}",
        out.stderr
    );
    assert_eq!(env.counts(), (2, 3));
    assert!(env.paths("aardvarks").is_empty());
    assert_eq!(env.paths("capybaras"), ["c.txt"]);
    assert_eq!(env.paths("bison"), ["b.txt"]);
}

#[test]
fn touched_but_identical_file_is_not_reindexed() {
    let env = TestEnv::new();
    env.write("a.txt", "Alpha\n\nAardvarks are here.\n");
    env.index();
    let file = std::fs::File::options()
        .write(true)
        .open(env.corpus().join("a.txt"))
        .unwrap();
    file.set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(5))
        .unwrap();
    let out = env.index();
    assert!(
        summary(&out).contains("0 added, 0 changed, 0 removed, 1 unchanged"),
        "{}",
        out.stderr
    );
    assert_eq!(env.counts(), (1, 1));
}

#[test]
fn rename_moves_the_document() {
    let env = TestEnv::new();
    env.write("old.txt", "Alpha\n\nAardvarks are here.\n");
    env.index();
    std::fs::rename(env.corpus().join("old.txt"), env.corpus().join("new.txt")).unwrap();
    env.index();
    assert_eq!(env.paths("aardvarks"), ["new.txt"]);
    assert_eq!(env.counts(), (1, 1));
}

#[test]
fn rebuild_replaces_everything() {
    let env = TestEnv::new();
    env.write("a.txt", "Alpha\n\nAardvarks are here.\n");
    env.index();
    let out = env.run_ok(&["index", "--rebuild"], 0);
    assert!(summary(&out).contains("1 added"), "{}", out.stderr);
    assert_eq!(env.counts(), (1, 1));
    assert_eq!(env.paths("aardvarks"), ["a.txt"]);
}

#[test]
fn search_refresh_updates_before_answering() {
    let env = TestEnv::new();
    env.write("a.txt", "Alpha\n\nAardvarks are here.\n");
    env.index();
    env.write("b.txt", "Beta\n\nAardvarks came too.\n");
    let results = env.search("aardvarks", &["--refresh"]);
    assert_eq!(results.total_hits, 2);
}
