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
    env.write("other.txt", "Beta\n\nBadgers are there.\n");
    env.index();
    std::fs::rename(env.corpus().join("old.txt"), env.corpus().join("new.txt")).unwrap();
    env.index();
    assert_eq!(env.paths("aardvarks"), ["new.txt"]);
    assert_eq!(env.counts(), (2, 2));
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

/// The index's `meta.json` as a loupe of schema version `v` would have written it.
fn meta_with_schema_version(env: &TestEnv, v: u32) -> String {
    let meta = std::fs::read_to_string(env.index_dir().join("meta.json")).unwrap();
    let current = format!(
        "\\\"schema_version\\\":{}",
        loupe::index::schema::SCHEMA_VERSION
    );
    let other = meta.replace(&current, &format!("\\\"schema_version\\\":{v}"));
    assert_ne!(meta, other, "payload holds the schema version: {meta}");
    other
}

#[test]
fn incompatible_index_is_detected_and_rebuilt() {
    let env = TestEnv::new();
    env.write("a.txt", "Alpha\n\nAardvarks are here.\n");
    env.index();
    // Pretend an older loupe wrote it.
    let old = meta_with_schema_version(&env, 0);
    std::fs::write(env.index_dir().join("meta.json"), old).unwrap();
    let out = env.run_ok(&["search", "aardvarks"], 2);
    assert!(
        out.stderr.contains("incompatible") && out.stderr.contains("loupe index --rebuild"),
        "{}",
        out.stderr
    );
    let out = env.index();
    assert!(
        out.stderr.contains("incompatible") && out.stderr.contains("rebuilding"),
        "{}",
        out.stderr
    );
    assert_eq!(env.paths("aardvarks"), ["a.txt"]);
}

/// An index a newer loupe wrote is left alone unless a rebuild is asked for, and an older
/// one is not replaced by the index of an empty corpus folder.
#[test]
fn another_loupes_index_is_replaced_only_when_something_replaces_it() {
    let env = TestEnv::new();
    env.write("a.txt", "Alpha\n\nAardvarks are here.\n");
    env.index();
    let meta_path = env.index_dir().join("meta.json");
    let older = meta_with_schema_version(&env, 0);
    let newer = meta_with_schema_version(&env, loupe::index::schema::SCHEMA_VERSION + 1);
    std::fs::write(&meta_path, &newer).unwrap();
    let out = env.run_ok(&["index"], 2);
    assert!(
        out.stderr.contains("incompatible") && out.stderr.contains("--rebuild"),
        "{}",
        out.stderr
    );
    assert_eq!(std::fs::read_to_string(&meta_path).unwrap(), newer);

    // An older loupe's index, and the corpus folder empty (unmounted?): kept.
    std::fs::write(&meta_path, &older).unwrap();
    env.remove("a.txt");
    let out = env.run_ok(&["index"], 2);
    assert!(
        out.stderr.contains("holds no documents") && out.stderr.contains("--force"),
        "{}",
        out.stderr
    );
    assert_eq!(std::fs::read_to_string(&meta_path).unwrap(), older);

    env.write("a.txt", "Alpha\n\nAardvarks are here.\n");
    std::fs::write(&meta_path, &newer).unwrap();
    env.run_ok(&["index", "--rebuild"], 0);
    assert_eq!(env.paths("aardvarks"), ["a.txt"]);
}

#[test]
fn second_indexer_is_refused_or_waits() {
    let env = TestEnv::new();
    env.write("a.txt", "Alpha\n\nAardvarks are here.\n");
    env.index();
    let held = loupe::index::lock::acquire(&env.index_dir(), false).unwrap();
    let out = env.run_ok(&["index"], 2);
    let pid = std::process::id().to_string();
    assert!(
        out.stderr.contains("another loupe process") && out.stderr.contains(&pid),
        "{}",
        out.stderr
    );
    // Searching still works while the lock is held.
    assert_eq!(env.paths("aardvarks"), ["a.txt"]);
    // With --wait, the second indexer runs once the first is done.
    let mut waiting = env.spawn(&["index", "--wait"]);
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert!(
        waiting.try_wait().unwrap().is_none(),
        "still waiting for the lock"
    );
    drop(held);
    assert!(waiting.wait().unwrap().success());
}

#[test]
fn killed_indexer_leaves_a_usable_index_and_the_next_run_converges() {
    let env = TestEnv::new();
    let files = 6000;
    for i in 0..files {
        let body = format!(
            "Story {i}\n\nUnique marker word{i}x appears once. {}\n",
            "Filler text about markets and weather. ".repeat(25)
        );
        env.write(&format!("d{}/f{i:05}.txt", i % 10), &body);
    }
    let mut child = env.spawn(&["index", "--commit-every-mb", "1", "--threads", "1"]);
    // Wait for the first intermediate commit, then kill the indexer mid-run.
    let meta = env.index_dir().join("meta.json");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !std::fs::read_to_string(&meta).is_ok_and(|m| m.contains("partial\\\":true")) {
        assert!(
            std::time::Instant::now() < deadline,
            "no intermediate commit"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "indexer finished before it could be killed"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();

    let (documents, _) = env.counts();
    assert!(
        documents > 0 && documents < files,
        "partial index: {documents}"
    );
    assert!(
        env.search("markets", &[]).total_hits > 0,
        "last commit is searchable"
    );

    let out = env.index();
    assert!(
        summary(&out).contains(&format!("{} unchanged", documents)),
        "{}",
        out.stderr
    );
    // Same counts as a fresh build of the same corpus, and no duplicates.
    env.run_ok(&["index", "--index", "fresh"], 0);
    let fresh = env.run_ok(&["stats", "--index", "fresh", "--format", "json"], 0);
    let fresh: serde_json::Value = serde_json::from_str(&fresh.stdout).unwrap();
    let (documents, passages) = env.counts();
    assert_eq!(
        (documents, passages),
        (
            fresh["documents"].as_u64().unwrap(),
            fresh["passages"].as_u64().unwrap()
        )
    );
    assert_eq!(documents, files);
    for i in [0, 1234, files - 1] {
        assert_eq!(
            env.search(&format!("word{i}x"), &[]).total_hits,
            1,
            "word{i}x"
        );
    }
}

/// A file whose name is not UTF-8 (Latin-1 `café.txt`, as old archives hold) is indexed, found
/// with its text, left alone by a no-op update, and removed when it goes, like any other.
#[cfg(unix)]
#[test]
fn a_file_name_that_is_not_utf8_is_indexed_updated_and_removed() {
    use std::os::unix::ffi::OsStrExt;
    let env = TestEnv::new();
    let latin1 = env
        .corpus()
        .join(std::ffi::OsStr::from_bytes(b"archive-caf\xe9/caf\xe9.txt"));
    std::fs::create_dir_all(latin1.parent().unwrap()).unwrap();
    std::fs::write(&latin1, "Old archive\n\nWombats were seen near the cafe.\n").unwrap();
    // Beside it, names whose bytes and texts sort differently (a lone 0x80 before `é`'s C3 A9).
    let folder = latin1.parent().unwrap();
    std::fs::write(
        folder.join(std::ffi::OsStr::from_bytes(b"\x80.txt")),
        "Eighty\n\nOtters.\n",
    )
    .unwrap();
    std::fs::write(folder.join("é.txt"), "Acute\n\nEagles.\n").unwrap();
    env.write("b.txt", "Beta\n\nBadgers are here.\n");
    let out = env.index();
    assert!(!out.stderr.contains("skipped"), "{}", out.stderr);
    assert_eq!(env.counts(), (4, 4));
    assert_eq!(env.paths("otters").len(), 1);
    assert_eq!(env.paths("eagles"), ["archive-caf\u{10FFE9}/é.txt"]);

    let results = env.search("wombats", &[]);
    assert_eq!(results.hits.len(), 1);
    assert!(
        results.hits[0].path.ends_with(".txt"),
        "{}",
        results.hits[0].path
    );
    assert!(results.hits[0].text.contains("Wombats were seen"));
    assert!(
        results.hits[0].stale.is_none(),
        "{:?}",
        results.hits[0].stale
    );
    assert!(results.warnings.is_empty(), "{:?}", results.warnings);

    let out = env.index();
    assert!(
        summary(&out).contains("0 added, 0 changed, 0 removed, 4 unchanged"),
        "{}",
        out.stderr
    );

    std::fs::remove_file(&latin1).unwrap();
    let out = env.index();
    assert!(
        summary(&out).contains("0 added, 0 changed, 1 removed, 3 unchanged"),
        "{}",
        out.stderr
    );
    assert!(env.paths("wombats").is_empty());
}
