//! The index knows its corpus, refuses updates that would empty it by accident, says when it
//! is stale, and writes only into folders that are its own.

use crate::util::TestEnv;

fn four_documents() -> TestEnv {
    let env = TestEnv::new();
    for i in 1..=4 {
        env.write(
            &format!("n{i}.txt"),
            &format!("Heron report {i}\n\nHerons number {i} were counted.\n"),
        );
    }
    env.index();
    env
}

#[test]
fn the_index_remembers_its_corpus_and_stats_shows_it() {
    let env = four_documents();
    std::fs::create_dir(env.root().join("elsewhere")).unwrap();
    // From another folder, only --index given: the recorded corpus is used.
    let index = env.index_dir();
    let index = index.to_str().unwrap();
    let mut cmd = env.command(&["search", "herons", "--index", index, "--format", "json"]);
    let out = cmd
        .current_dir(env.root().join("elsewhere"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let out = env.run_ok(&["stats"], 0);
    let corpus = std::fs::canonicalize(env.corpus()).unwrap();
    assert!(
        out.stdout.contains(corpus.to_str().unwrap()),
        "{}",
        out.stdout
    );
}

#[test]
fn refresh_against_a_wrong_empty_or_missing_corpus_keeps_every_document() {
    let env = four_documents();
    std::fs::create_dir(env.root().join("empty")).unwrap();
    env.write("../other/x.txt", "Other\n\nSomething else.\n");
    for corpus in ["empty", "other"] {
        let out = env.run_ok(&["search", "herons", "--corpus", corpus, "--refresh"], 2);
        assert!(
            out.stderr.contains("was built from") && out.stderr.contains("--rebuild"),
            "{}",
            out.stderr
        );
        let out = env.run_ok(&["index", "--corpus", corpus], 2);
        assert!(out.stderr.contains("was built from"), "{}", out.stderr);
    }
    let out = env.run_ok(&["index", "--corpus", "missing"], 2);
    assert!(out.stderr.contains("missing"), "{}", out.stderr);
    assert_eq!(env.counts(), (4, 4));
    assert_eq!(env.paths("herons").len(), 4);
}

#[test]
fn an_update_that_would_remove_most_documents_stops_unless_forced() {
    let env = four_documents();
    for i in 1..=3 {
        env.remove(&format!("n{i}.txt"));
    }
    let out = env.run_ok(&["index"], 2);
    assert!(
        out.stderr.contains("3 of the 4") && out.stderr.contains("unmounted"),
        "{}",
        out.stderr
    );
    assert_eq!(env.counts(), (4, 4), "a refused run changes nothing");
    let out = env.run_ok(&["search", "herons", "--refresh"], 2);
    assert!(out.stderr.contains("--force"), "{}", out.stderr);
    env.run_ok(&["index", "--force"], 0);
    assert_eq!(env.counts(), (1, 1));
}

#[test]
fn an_empty_corpus_folder_is_refused_even_when_rebuilding() {
    let env = four_documents();
    for i in 1..=4 {
        env.remove(&format!("n{i}.txt"));
    }
    env.run_ok(&["index", "--rebuild"], 2);
    assert_eq!(env.counts(), (4, 4));
}

#[test]
fn rebuild_switches_to_another_corpus() {
    let env = four_documents();
    env.write("../other/x.txt", "Other\n\nEgrets only.\n");
    env.run_ok(&["index", "--corpus", "other", "--rebuild"], 0);
    assert_eq!(env.paths("egrets"), ["x.txt"]);
    // From now on the index's corpus is `other`.
    env.write("../other/y.txt", "More\n\nEgrets again.\n");
    env.run_ok(&["index"], 0);
    assert_eq!(env.paths("egrets").len(), 2);
}

#[test]
fn a_moved_tree_keeps_working() {
    let env = four_documents();
    let moved = tempfile::tempdir().unwrap();
    let new_root = moved.path().join("moved");
    std::fs::rename(env.root(), &new_root).unwrap();
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("loupe"))
        .current_dir(&new_root)
        .args(["search", "herons", "--refresh", "--format", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let results: loupe::render::JsonResults = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(results.hits.len(), 4, "{stderr}");
    std::fs::rename(&new_root, env.root()).unwrap();
}

/// A tree copied with its corpus could mean either corpus: the copy's index asks which, takes
/// `--corpus` naming either, and follows the copy once `loupe index` recorded it; the original
/// is untouched.
#[test]
fn a_copied_tree_asks_which_corpus_then_follows_the_one_given() {
    let env = four_documents();
    let copies = tempfile::tempdir().unwrap();
    let copy = copies.path().join("copy");
    let status = std::process::Command::new("cp")
        .arg("-a")
        .arg(env.root())
        .arg(&copy)
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::write(
        copy.join("corpus/n5.txt"),
        "Heron report 5\n\nHerons in the copy only.\n",
    )
    .unwrap();
    let loupe = |args: &[&str]| {
        let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("loupe"))
            .current_dir(&copy)
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr,
        )
    };
    let (code, _, stderr) = loupe(&["search", "herons", "--index", "index"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("Pass --corpus to say which"), "{stderr}");
    let (code, _, stderr) = loupe(&["index", "--index", "index", "--corpus", "corpus"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("1 added"), "{stderr}");
    let (code, out, stderr) = loupe(&["search", "herons", "--index", "index", "--format", "json"]);
    assert_eq!(code, Some(0), "{stderr}");
    let results: loupe::render::JsonResults = serde_json::from_str(&out).unwrap();
    assert_eq!(results.hits.len(), 5);
    assert!(results.warnings.is_empty(), "{:?}", results.warnings);
    assert_eq!(env.paths("herons").len(), 4, "the original is as it was");
}

#[test]
fn a_new_file_triggers_the_stale_warning() {
    let env = four_documents();
    assert!(env.search("herons", &[]).warnings.is_empty());
    env.write(
        "n5.txt",
        "Heron report 5\n\nHerons number 5 were counted.\n",
    );
    let out = env.run_ok(&["search", "herons"], 0);
    assert!(
        out.stderr.contains("1 file added") && out.stderr.contains("loupe index"),
        "{}",
        out.stderr
    );
    let results = env.search("herons", &[]);
    assert_eq!(results.warnings.len(), 1, "{:?}", results.warnings);
    env.index();
    assert!(env.search("herons", &[]).warnings.is_empty());
    assert_eq!(env.paths("herons").len(), 5);
}

#[test]
fn a_deleted_file_is_marked() {
    let env = four_documents();
    env.remove("n2.txt");
    let results = env.search("herons", &[]);
    let hit = results.hits.iter().find(|h| h.path == "n2.txt").unwrap();
    assert_eq!(hit.stale.as_deref(), Some("deleted"));
    assert!(results.warnings[0].contains("1 file removed"));
    let out = env.run_ok(&["search", "herons"], 0);
    assert!(
        out.stdout.contains("n2.txt  score") && out.stdout.contains("deleted since indexed"),
        "{}",
        out.stdout
    );

    // A folder where the file was: deleted too, not a file that cannot be read.
    std::fs::create_dir(env.corpus().join("n2.txt")).unwrap();
    let results = env.search("herons", &[]);
    let hit = results.hits.iter().find(|h| h.path == "n2.txt").unwrap();
    assert_eq!(hit.stale.as_deref(), Some("deleted"));
    assert!(
        results
            .warnings
            .iter()
            .all(|w| !w.contains("cannot be read")),
        "{:?}",
        results.warnings
    );
}

#[cfg(unix)]
#[test]
fn a_file_that_cannot_be_read_is_marked_and_warned_about() {
    let env = four_documents();
    env.remove("n2.txt");
    // A link to itself is there but cannot be opened, by root too (unlike permissions).
    std::os::unix::fs::symlink("n2.txt", env.corpus().join("n2.txt")).unwrap();
    let results = env.search("herons", &[]);
    let hit = results.hits.iter().find(|h| h.path == "n2.txt").unwrap();
    assert_eq!(hit.stale.as_deref(), Some("unreadable"));
    assert_eq!(hit.text, "");
    assert_eq!(
        results.warnings,
        ["1 file of the hits shown cannot be read (permissions?); they are shown without text"]
    );
    let out = env.run_ok(&["search", "herons"], 0);
    assert!(
        out.stdout.contains("n2.txt  score") && out.stdout.contains("[file cannot be read]"),
        "{}",
        out.stdout
    );
    assert!(out.stderr.contains("cannot be read"), "{}", out.stderr);
}

#[test]
fn an_edited_file_is_counted_once_however_many_of_its_passages_are_shown() {
    let env = TestEnv::new();
    // Paragraphs long enough to be passages of their own.
    let text = ["nest", "fish", "sleep"]
        .iter()
        .fold("Heron report\n".to_string(), |text, verb| {
            text + "\n" + &format!("Herons {verb} in the reeds. ").repeat(40) + "\n"
        });
    env.write("herons.txt", &text);
    env.index();
    std::thread::sleep(std::time::Duration::from_millis(20));
    env.write("herons.txt", &text.replace("Heron report", "Heron reports"));
    let results = env.search("herons", &["--per-doc", "0"]);
    assert!(results.hits.len() >= 3, "{:?}", results.hits);
    assert!(
        results.warnings[0].contains("(1 file changed)"),
        "{:?}",
        results.warnings
    );
}

#[test]
fn an_edited_file_points_at_the_passage_where_it_is_now() {
    let env = four_documents();
    // Sleep past the file system's time resolution so the edit shows.
    std::thread::sleep(std::time::Duration::from_millis(20));
    let text = "Heron report 3\n\nA new first paragraph.\n\nHerons number 3 were counted.\n";
    env.write("n3.txt", text);
    let results = env.search("herons", &[]);
    let hit = results.hits.iter().find(|h| h.path == "n3.txt").unwrap();
    assert_eq!(hit.stale.as_deref(), Some("changed"));
    assert_eq!(hit.line, 5);
    let (start, end) = (hit.byte_start as usize, hit.byte_end as usize);
    assert_eq!(&text[start..end], hit.text);
    // Rewritten so the passage is gone: marked, without the old text, and the text output
    // shows no line number.
    env.write("n3.txt", "Heron report 3\n\nNothing about birds.\n");
    let results = env.search("herons", &[]);
    let hit = results.hits.iter().find(|h| h.path == "n3.txt").unwrap();
    assert_eq!(hit.stale.as_deref(), Some("changed"));
    assert_eq!((hit.text.as_str(), hit.snippet.as_str()), ("", ""));
    let out = env.run_ok(&["search", "herons"], 0);
    assert!(
        out.stdout.contains("n3.txt  score") && out.stdout.contains("no longer in it"),
        "{}",
        out.stdout
    );
}

/// An edit that keeps the file's size and time is invisible to `loupe index`: the warning says
/// so and names a fix that works, which is then seen to work.
#[test]
fn an_edit_keeping_size_and_time_names_a_fix_that_works() {
    let env = four_documents();
    let path = env.corpus().join("n3.txt");
    let time = std::fs::metadata(&path).unwrap().modified().unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    env.write(
        "n3.txt",
        &text.replace("Herons number 3", "Egrets number 3"),
    );
    let file = std::fs::File::options().write(true).open(&path).unwrap();
    file.set_modified(time).unwrap();
    drop(file);
    let results = env.search("herons", &[]);
    let hit = results.hits.iter().find(|h| h.path == "n3.txt").unwrap();
    assert_eq!(hit.stale.as_deref(), Some("changed"));
    assert!(
        results
            .warnings
            .iter()
            .any(|w| w.contains("size and time kept") && w.contains("--rebuild")),
        "{:?}",
        results.warnings
    );
    env.index();
    assert!(env.paths("egrets").is_empty(), "loupe index cannot see it");
    env.run_ok(&["index", "--rebuild"], 0);
    assert_eq!(env.paths("egrets"), ["n3.txt"]);
}

#[test]
fn a_foreign_folder_is_refused() {
    let env = TestEnv::new();
    env.write("a.txt", "Title\n\nPelicans nest here.\n");
    let foreign = env.root().join("photos");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("holiday.jpg"), b"\xff\xd8").unwrap();
    for args in [
        &["index", "--index", "photos"][..],
        &["search", "pelicans", "--index", "photos"],
    ] {
        let out = env.run_ok(args, 2);
        assert!(
            out.stderr.contains("not a loupe index"),
            "{args:?}: {}",
            out.stderr
        );
    }
    let names: Vec<_> = std::fs::read_dir(&foreign).unwrap().collect();
    assert_eq!(names.len(), 1, "nothing was written into the folder");
}

#[test]
fn garbage_metadata_is_reported_as_damage_and_rebuild_mends_it() {
    let env = four_documents();
    std::fs::write(env.index_dir().join("meta.json"), "{ not json").unwrap();
    let out = env.run_ok(&["search", "herons"], 2);
    assert!(
        out.stderr.contains("is damaged") && out.stderr.contains("loupe index --rebuild"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("building it"), "{}", out.stderr);
    env.run_ok(&["index"], 2);
    env.run_ok(&["index", "--rebuild"], 0);
    assert_eq!(env.paths("herons").len(), 4);

    // A schema mangled in an index of this loupe's own version is damage too: a plain
    // `loupe index` does not replace it unasked.
    let meta = env.index_dir().join("meta.json");
    let text = std::fs::read_to_string(&meta).unwrap();
    assert!(text.contains("\"name\": \"path\""), "{text}");
    std::fs::write(
        &meta,
        text.replace("\"name\": \"path\"", "\"name\": \"mangled\""),
    )
    .unwrap();
    for args in [&["index"][..], &["search", "herons"]] {
        let out = env.run_ok(args, 2);
        assert!(
            out.stderr.contains("is damaged"),
            "{args:?}: {}",
            out.stderr
        );
        assert!(
            !out.stderr.contains("rebuilding"),
            "{args:?}: {}",
            out.stderr
        );
    }
    assert!(std::fs::read_to_string(&meta).unwrap().contains("mangled"));
    env.run_ok(&["index", "--rebuild"], 0);
    assert_eq!(env.paths("herons").len(), 4);
}

#[test]
fn date_filters_and_date_sort_warn_on_an_undated_index() {
    let env = four_documents();
    let out = env.run_ok(&["search", "herons", "--since", "2020-01-01"], 1);
    assert!(
        out.stderr.contains("no indexed document has a date"),
        "{}",
        out.stderr
    );
    let results = env.search("herons date:2020", &[]);
    assert_eq!(results.warnings.len(), 1, "{:?}", results.warnings);
    let results = env.search("herons", &["--sort", "date"]);
    assert!(
        results.warnings[0].contains("--sort date"),
        "{:?}",
        results.warnings
    );
}

#[test]
fn completions_and_man_page_are_generated() {
    let env = TestEnv::new();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = env.run_ok(&["completions", shell], 0);
        assert!(out.stdout.contains("search"), "{shell}: {}", out.stdout);
    }
    let out = env.run_ok(&["man"], 0);
    assert!(
        out.stdout.starts_with(".ie") || out.stdout.contains(".TH"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("loupe"));
}

#[test]
fn a_query_starting_with_a_dash_gets_a_hint() {
    let env = four_documents();
    let out = env.run_ok(&["search", "-foo"], 2);
    assert!(
        out.stderr.contains("loupe search -- -foo"),
        "{}",
        out.stderr
    );
    // After `--`, everything is query text.
    let out = env.run(&["search", "--", "-n", "herons"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
}

#[test]
fn text_output_counts_and_pluralises() {
    let env = four_documents();
    let out = env.run_ok(&["search", "herons", "-n", "2"], 0);
    assert!(
        out.stdout
            .starts_with("4 passages in 4 documents, showing 2"),
        "{}",
        out.stdout
    );
    let out = env.run_ok(&["search", "herons", "number", "1"], 0);
    // Several words: the header estimates, and says so.
    assert!(
        out.stdout
            .starts_with("about 4 passages in about 4 documents"),
        "{}",
        out.stdout
    );
    let out = env.run_ok(&["index", "--rebuild"], 0);
    assert!(out.stderr.contains("4 passages"), "{}", out.stderr);
    let results = env.search("herons", &[]);
    let rounded = (results.took_ms * 100.0).round() / 100.0;
    assert_eq!(results.took_ms, rounded);
}

#[test]
fn hits_show_what_the_files_hold_now_and_no_text_without_them() {
    let env = four_documents();
    let results = env.search("herons", &[]);
    let hit = results.hits.iter().find(|h| h.path == "n2.txt").unwrap();
    assert_eq!(hit.text, "Herons number 2 were counted.");
    assert_eq!(hit.stale, None);
    // The corpus moved away: the index still answers, without any text, and says why.
    let away = env.root().join("away");
    std::fs::rename(env.corpus(), &away).unwrap();
    let results = env.search("herons", &[]);
    assert_eq!(results.hits.len(), 4);
    for hit in &results.hits {
        assert_eq!(
            (hit.text.as_str(), hit.stale.as_deref()),
            ("", Some("deleted"))
        );
        assert!(hit.title.as_deref().unwrap().starts_with("Heron report"));
    }
    assert!(
        results.warnings.iter().any(|w| w.contains("corpus")),
        "{:?}",
        results.warnings
    );
    std::fs::rename(&away, env.corpus()).unwrap();
    assert_eq!(env.search("herons", &[]).hits[0].stale, None);
}

/// Runs `loupe args…` as a user whom permissions apply to: the test's own, or `nobody`
/// when the tests run as root (whom no permission stops).
#[cfg(target_os = "linux")]
fn run_unprivileged(env: &TestEnv, args: &[&str]) -> crate::util::Output {
    use std::os::unix::process::CommandExt;
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("loupe"));
    cmd.current_dir(env.root())
        .env("TMPDIR", env.root())
        .env_remove("NO_COLOR")
        .args(args);
    // SAFETY: `geteuid` only reads the process's credentials.
    if unsafe { libc::geteuid() } == 0 {
        cmd.uid(65534).gid(65534);
    }
    let out = cmd.output().expect("run loupe");
    crate::util::Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A folder that cannot be listed for a while loses nothing: its documents stay found (with a
/// warning while it cannot be read), an update keeps them, and once it can be read again
/// nothing is reported changed.
#[cfg(target_os = "linux")]
#[test]
fn a_folder_that_cannot_be_read_keeps_its_documents_and_is_warned_about() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::new();
    env.write("top.txt", "Heron survey\n\nHerons at the lake.\n");
    env.write("sec/a.txt", "Egret count\n\nEgrets and herons nest.\n");
    env.write("sec/deep/b.txt", "Egret news\n\nMore egrets seen.\n");
    // Two subfolders: the warning names the one folder that cannot be read, not each below it.
    env.write("sec/other/c.txt", "Kingfisher news\n\nKingfishers dive.\n");
    let mode = |path: &std::path::Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap()
    };
    mode(env.root(), 0o777);
    let ok = |args: &[&str], code: i32| {
        let out = run_unprivileged(&env, args);
        assert_eq!(out.code, code, "{args:?}\n{}\n{}", out.stdout, out.stderr);
        out
    };
    let json = |out: &crate::util::Output| -> serde_json::Value {
        serde_json::from_str(&out.stdout).unwrap()
    };
    ok(&["index"], 0);
    let sec = env.corpus().join("sec");
    mode(&sec, 0o000);

    let found = json(&ok(&["search", "egrets", "--format", "json"], 0));
    assert_eq!(found["hits"].as_array().unwrap().len(), 2, "{found}");
    assert_eq!(
        found["warnings"],
        serde_json::json!([
            "1 folder of the corpus cannot be read (permissions?); what was indexed from it is shown as it was, and what is new in it is missing",
            "2 files of the hits shown cannot be read (permissions?); they are shown without text"
        ])
    );
    let update = ok(&["index"], 0);
    let said = format!("{}{}", update.stdout, update.stderr);
    assert!(
        said.contains("cannot list this folder")
            && said.contains("kept as it was")
            && said.contains("0 removed"),
        "{said}"
    );
    let found = json(&ok(&["search", "egrets", "--format", "json"], 0));
    assert_eq!(found["hits"].as_array().unwrap().len(), 2, "{found}");

    mode(&sec, 0o755);
    let found = json(&ok(&["search", "egrets", "--format", "json"], 0));
    assert_eq!(found["hits"].as_array().unwrap().len(), 2, "{found}");
    assert_eq!(found["warnings"], serde_json::json!([]), "{found}");
    let update = ok(&["index"], 0);
    let said = format!("{}{}", update.stdout, update.stderr);
    assert!(
        said.contains("0 added, 0 changed, 0 removed, 4 unchanged"),
        "{said}"
    );
}

/// An index that cannot be written (a read-only disk, or another user's folder) is searched
/// as any other, without the lock file tantivy would create.
#[cfg(target_os = "linux")]
#[test]
fn an_index_that_cannot_be_written_is_searched() {
    use std::os::unix::fs::PermissionsExt;
    let env = four_documents();
    let mode = |path: &std::path::Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap()
    };
    mode(env.root(), 0o777);
    let files: Vec<_> = std::fs::read_dir(env.index_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    for file in &files {
        mode(file, 0o444);
    }
    mode(&env.index_dir(), 0o555);
    let out = run_unprivileged(&env, &["search", "herons", "--format", "json"]);
    mode(&env.index_dir(), 0o755);
    for file in &files {
        mode(file, 0o644);
    }
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let found: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(found["hits"].as_array().unwrap().len(), 4, "{found}");
    assert_eq!(found["warnings"], serde_json::json!([]), "{found}");

    // An index file it may not read is a matter of permissions, not damage to rebuild.
    let meta = env.index_dir().join("meta.json");
    mode(&meta, 0o000);
    let out = run_unprivileged(&env, &["search", "herons"]);
    mode(&meta, 0o644);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("cannot read the index folder") && !out.stderr.contains("damaged"),
        "{}",
        out.stderr
    );
}

/// The files of a run that failed before its commit (a full disk, say) are removed by the next
/// run, even one with nothing to commit, so that they do not keep the disk full.
#[test]
fn files_an_unfinished_run_left_are_removed_by_the_next_one() {
    let env = four_documents();
    let managed = env.index_dir().join(".managed.json");
    let mut files: Vec<String> =
        serde_json::from_str(&std::fs::read_to_string(&managed).unwrap()).unwrap();
    let orphan = "0123456789abcdef0123456789abcdef.store";
    std::fs::write(env.index_dir().join(orphan), vec![7u8; 4096]).unwrap();
    files.push(orphan.to_string());
    std::fs::write(&managed, serde_json::to_string(&files).unwrap()).unwrap();
    let out = env.index();
    assert!(
        out.stderr.contains("0 added, 0 changed, 0 removed"),
        "{}",
        out.stderr
    );
    assert!(!env.index_dir().join(orphan).exists());
    assert_eq!(env.paths("herons").len(), 4);
}

/// What cannot be examined keeps only its own documents: a link into a folder that cannot be
/// read does not stop files deleted elsewhere from being removed, and a folder that could not
/// be listed when indexed is warned about until it can be.
#[cfg(target_os = "linux")]
#[test]
fn only_what_cannot_be_read_is_kept_and_a_new_unreadable_folder_is_warned_about() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::new();
    let mode = |path: &std::path::Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap()
    };
    mode(env.root(), 0o777);
    for f in ["a.txt", "z/1.txt", "z/2.txt", "sec/x.txt"] {
        env.write(f, &format!("Title\n\nHerons in {f}.\n"));
    }
    let secret = env.root().join("secret");
    std::fs::create_dir(&secret).unwrap();
    std::fs::write(secret.join("s.txt"), "Title\n\nHerons in secret.\n").unwrap();
    std::os::unix::fs::symlink(&secret, env.corpus().join("link")).unwrap();
    let ok = |args: &[&str]| {
        let out = run_unprivileged(&env, args);
        assert_eq!(out.code, 0, "{args:?}\n{}\n{}", out.stdout, out.stderr);
        format!("{}{}", out.stdout, out.stderr)
    };
    let documents = |env: &TestEnv| {
        let out = run_unprivileged(env, &["search", "herons", "--format", "json"]);
        let found: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        (
            found["total_documents"].as_u64().unwrap(),
            found["warnings"].clone(),
        )
    };
    ok(&["index"]);
    assert_eq!(documents(&env).0, 5);

    mode(&secret, 0o000);
    env.remove("z/1.txt");
    let said = ok(&["index"]);
    assert!(!said.contains(" 0 removed"), "{said}");
    mode(&secret, 0o755);
    let paths: Vec<String> = env.paths("herons");
    assert!(!paths.contains(&"z/1.txt".to_string()), "{paths:?}");

    // Renamed while it cannot be read: its documents are gone from where they were, and the
    // new folder, not listed, is warned about until it can be read.
    mode(&env.corpus().join("sec"), 0o000);
    std::fs::rename(env.corpus().join("sec"), env.corpus().join("moved")).unwrap();
    ok(&["index"]);
    let (_, warnings) = documents(&env);
    assert!(
        warnings
            .to_string()
            .contains("1 folder of the corpus cannot be read"),
        "{warnings}"
    );
    mode(&env.corpus().join("moved"), 0o755);
    ok(&["index"]);
    let (count, warnings) = documents(&env);
    assert_eq!((count, warnings), (4, serde_json::json!([])));
}

/// A document whose file is there but may not be read keeps what was indexed of it, as a
/// folder that cannot be listed does, even when its time changed; it is read again once it can.
#[cfg(target_os = "linux")]
#[test]
fn an_indexed_file_that_cannot_be_read_keeps_its_record() {
    use std::os::unix::fs::PermissionsExt;
    let env = four_documents();
    let mode = |path: &std::path::Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap()
    };
    mode(env.root(), 0o777);
    mode(&env.index_dir(), 0o777);
    for entry in std::fs::read_dir(env.index_dir()).unwrap() {
        mode(&entry.unwrap().path(), 0o666);
    }
    let n2 = env.corpus().join("n2.txt");
    std::thread::sleep(std::time::Duration::from_millis(20));
    env.write(
        "n2.txt",
        "Heron report 2\n\nHerons number 2 were counted again.\n",
    );
    mode(&n2, 0o000);
    let out = run_unprivileged(&env, &["index"]);
    let said = format!("{}{}", out.stdout, out.stderr);
    assert_eq!(out.code, 0, "{said}");
    assert!(
        said.contains("kept as it was") && said.contains("0 removed"),
        "{said}"
    );
    let out = run_unprivileged(&env, &["search", "herons", "--format", "json"]);
    let found: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(found["total_documents"], 4, "{found}");
    mode(&n2, 0o644);
    let out = run_unprivileged(&env, &["index"]);
    let said = format!("{}{}", out.stdout, out.stderr);
    assert!(said.contains("0 added, 1 changed, 0 removed"), "{said}");
}

/// An index another user built is searched by anyone the folders let in: the files of each
/// commit are as readable as the index folder (tantivy writes them for its owner only), and an
/// index written so before is mended by the next run.
#[cfg(target_os = "linux")]
#[test]
fn another_user_can_search_an_index_as_its_folder_allows() {
    use std::os::unix::fs::PermissionsExt;
    let env = four_documents();
    let set_mode = |path: &std::path::Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap()
    };
    let mode_of = |name: &str| {
        let meta = std::fs::metadata(env.index_dir().join(name)).unwrap();
        meta.permissions().mode() & 0o777
    };
    let commit_files = ["meta.json", ".managed.json"];
    let folder = std::fs::metadata(env.index_dir())
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    for name in commit_files {
        assert_eq!(mode_of(name), folder & 0o444 | 0o600, "{name}");
    }
    // Readable as the folder is, but written by the owner alone, even in a folder anyone may
    // write.
    set_mode(&env.index_dir(), 0o1777);
    env.write(
        "n0.txt",
        "Heron report 0\n\nHerons number 0 were counted.\n",
    );
    assert!(env.index().stderr.contains("1 added"));
    for name in commit_files {
        assert_eq!(mode_of(name), 0o644, "{name}");
    }
    env.remove("n0.txt");
    env.index();

    // As an older loupe left them: the next run, even one with nothing to do, mends them.
    set_mode(env.root(), 0o755);
    set_mode(&env.index_dir(), 0o755);
    for name in commit_files {
        set_mode(&env.index_dir().join(name), 0o600);
    }
    assert!(env.index().stderr.contains("0 added, 0 changed, 0 removed"));
    for name in commit_files {
        assert_eq!(mode_of(name), 0o644, "{name}");
    }
    // And a commit keeps them so.
    env.write(
        "n5.txt",
        "Heron report 5\n\nHerons number 5 were counted.\n",
    );
    assert!(env.index().stderr.contains("1 added"));
    for name in commit_files {
        assert_eq!(mode_of(name), 0o644, "{name}");
    }
    let out = run_unprivileged(&env, &["search", "herons", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let found: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(found["hits"].as_array().unwrap().len(), 5, "{found}");
}

/// A file saved by rename (as editors, `sed -i` and rsync save) keeps its name but is another
/// file: a search for its new words warns that it changed, though it is not among the hits; so
/// does a skipped binary file replaced by text. A pipe or a dangling link named `.txt` is no
/// document, and never reported as one to add.
#[cfg(unix)]
#[test]
fn files_replaced_under_their_names_are_reported() {
    let env = four_documents();
    std::fs::write(env.corpus().join("blob.txt"), [0u8, 1, 2, 3, 0, 0, 0, 7]).unwrap();
    std::os::unix::fs::symlink("nowhere.txt", env.corpus().join("dangling.txt")).unwrap();
    env.index();
    let clean = env.search("kingfisher", &[]);
    assert!(clean.warnings.is_empty(), "{:?}", clean.warnings);

    let replace = |name: &str, text: &str| {
        let tmp = env.corpus().join(format!("{name}.tmp"));
        std::fs::write(&tmp, text).unwrap();
        std::fs::rename(&tmp, env.corpus().join(name)).unwrap();
    };
    // Links the walk skips (to themselves, back to a folder above) are no documents either.
    std::os::unix::fs::symlink("loop.txt", env.corpus().join("loop.txt")).unwrap();
    std::fs::create_dir(env.corpus().join("sub")).unwrap();
    std::os::unix::fs::symlink("..", env.corpus().join("sub/up")).unwrap();
    env.index();
    std::fs::write(env.corpus().join("sub/t.tmp"), "").unwrap();
    std::fs::remove_file(env.corpus().join("sub/t.tmp")).unwrap();
    let clean = env.search("kingfisher", &[]);
    assert!(clean.warnings.is_empty(), "{:?}", clean.warnings);

    replace(
        "n2.txt",
        "Heron report 2\n\nA kingfisher was seen instead.\n",
    );
    let found = env.search("kingfisher", &[]);
    assert!(found.hits.is_empty());
    assert_eq!(
        found.warnings,
        ["the corpus changed since the last index (1 file changed); run `loupe index` or search with --refresh to update"],
    );
    env.index();
    assert_eq!(env.search("kingfisher", &[]).hits.len(), 1);

    replace("blob.txt", "Kingfisher notes\n\nTwo kingfishers.\n");
    let found = env.search("kingfisher", &[]);
    assert_eq!(found.hits.len(), 1);
    assert!(
        found.warnings[0].contains("1 file added"),
        "{:?}",
        found.warnings
    );
    env.index();
    assert_eq!(env.search("kingfisher", &[]).hits.len(), 2);
    assert!(env.search("kingfisher", &[]).warnings.is_empty());
}

/// `search --refresh` while another run updates the index searches the last commit and says
/// so, rather than failing with advice (`--wait`) that `search` does not take.
#[test]
fn refresh_during_another_update_searches_the_last_commit_and_says_so() {
    let env = four_documents();
    env.write(
        "n5.txt",
        "Heron report 5\n\nHerons number 5 were counted.\n",
    );
    let lock = loupe::index::lock::acquire(&env.index_dir(), false).unwrap();
    let out = env.run(&["search", "--refresh", "herons", "--format", "json"]);
    drop(lock);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let found: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(found["hits"].as_array().unwrap().len(), 4, "{found}");
    let warnings = found["warnings"].to_string();
    assert!(
        warnings.contains("another loupe process")
            && warnings.contains(&format!("(pid {})", std::process::id()))
            && warnings.contains("1 file added"),
        "{warnings}"
    );
}

/// A file that could not be read when indexed and may be read now (a `chmod` moves no folder's
/// time) is reported as one to add, and the next update adds it.
#[cfg(target_os = "linux")]
#[test]
fn a_file_made_readable_after_it_was_skipped_is_reported() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::new();
    env.write("a.txt", "Heron survey\n\nHerons at the lake.\n");
    env.write("b.txt", "Heron news\n\nHerons again.\n");
    let set_mode = |path: &std::path::Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap()
    };
    set_mode(env.root(), 0o777);
    let b = env.corpus().join("b.txt");
    set_mode(&b, 0o000);
    // One the indexing user may not read (when the suite runs as root, the indexing runs as
    // `nobody`), but the searching user may: the search cannot tell it from the first.
    env.write("c.txt", "Heron notes\n\nHerons once more.\n");
    let c = env.corpus().join("c.txt");
    set_mode(&c, 0o600);
    let indexed = run_unprivileged(&env, &["index"]);
    assert_eq!(indexed.code, 0, "{}", indexed.stderr);
    assert!(
        indexed.stderr.contains("cannot read, skipped"),
        "{}",
        indexed.stderr
    );
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let clean = run_unprivileged(&env, &["search", "herons", "--format", "json"]);
    let clean: serde_json::Value = serde_json::from_str(&clean.stdout).unwrap();
    assert_eq!(clean["hits"].as_array().unwrap().len(), 1, "{clean}");
    assert_eq!(clean["warnings"], serde_json::json!([]), "{clean}");
    assert!(env.search("herons", &[]).warnings.is_empty());

    set_mode(&b, 0o644);
    let found = run_unprivileged(&env, &["search", "herons", "--format", "json"]);
    let found: serde_json::Value = serde_json::from_str(&found.stdout).unwrap();
    assert!(
        found["warnings"].to_string().contains("1 file added"),
        "{found}"
    );
    let update = run_unprivileged(&env, &["index"]);
    assert!(update.stderr.contains("1 added"), "{}", update.stderr);

    // A pipe put where the unreadable file was is no file to add, and does not stop a search.
    std::fs::remove_file(&c).unwrap();
    let fifo = std::ffi::CString::new(c.clone().into_os_string().into_encoded_bytes()).unwrap();
    // SAFETY: `fifo` is a valid C string for the length of the call.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
    let mut search = std::process::Command::new(assert_cmd::cargo::cargo_bin("loupe"))
        .current_dir(env.root())
        .args(["search", "herons", "--format", "json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while search.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            search.kill().unwrap();
            panic!("the search blocked on the pipe");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let out = search.wait_with_output().unwrap();
    let found: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(found["warnings"], serde_json::json!([]), "{found}");
}

/// A search whose index gets a new commit while it runs says that its results are from the
/// commit before, instead of judging them against the new commit's snapshot (which would miss
/// what the new commit added).
#[test]
fn a_commit_landing_during_a_search_is_said() {
    let env = four_documents();
    let searcher = loupe::search::PassageSearcher::open(&env.index_dir())
        .unwrap()
        .with_corpus(&env.corpus());
    env.write(
        "n5.txt",
        "Heron report 5\n\nHerons number 5 were counted.\n",
    );
    assert!(env.index().stderr.contains("1 added"));
    let options = loupe::search::SearchOptions::default();
    let mut results = searcher.search("herons", &options).unwrap();
    searcher
        .check_freshness(&mut results, &env.corpus())
        .unwrap();
    assert_eq!(results.hits.len(), 4);
    assert_eq!(
        results.warnings,
        ["the index has a newer commit than these results (it was updated a moment ago); search again for the latest"]
    );
    // A searcher opened now reads the new commit, and nothing is amiss.
    let fresh = loupe::search::PassageSearcher::open(&env.index_dir())
        .unwrap()
        .with_corpus(&env.corpus());
    let mut results = fresh.search("herons", &options).unwrap();
    fresh.check_freshness(&mut results, &env.corpus()).unwrap();
    assert_eq!(results.hits.len(), 5);
    assert!(results.warnings.is_empty(), "{:?}", results.warnings);
}
