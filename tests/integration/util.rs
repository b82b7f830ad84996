//! A temporary corpus and index, and helpers that run `loupe` there and print everything
//! useful when a command does not do what a test expects.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use loupe::render::JsonResults;
use tempfile::TempDir;

/// A folder with `corpus/` and a place for `index/`.
pub struct TestEnv {
    dir: TempDir,
}

/// What a finished command gave.
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl TestEnv {
    pub fn new() -> TestEnv {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(dir.path().join("corpus")).expect("corpus dir");
        TestEnv { dir }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn corpus(&self) -> PathBuf {
        self.root().join("corpus")
    }

    pub fn index_dir(&self) -> PathBuf {
        self.root().join("index")
    }

    /// Writes a corpus file (text), creating folders.
    pub fn write(&self, rel: &str, content: &str) -> &TestEnv {
        self.write_bytes(rel, content.as_bytes())
    }

    /// Writes a corpus file (bytes), creating folders.
    pub fn write_bytes(&self, rel: &str, content: &[u8]) -> &TestEnv {
        let path = self.corpus().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
        self
    }

    pub fn remove(&self, rel: &str) {
        std::fs::remove_file(self.corpus().join(rel)).unwrap();
    }

    /// A `loupe` command run in the test folder with a clean environment.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("loupe").expect("loupe binary");
        // `eval --suite` keeps its indexes under the temporary folder: the test's own.
        cmd.current_dir(self.root())
            .env("TMPDIR", self.root())
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE")
            .env_remove("TERM")
            .args(args);
        cmd
    }

    /// Starts `loupe args…` without waiting for it (output discarded).
    pub fn spawn(&self, args: &[&str]) -> std::process::Child {
        std::process::Command::new(assert_cmd::cargo::cargo_bin("loupe"))
            .current_dir(self.root())
            .env_remove("NO_COLOR")
            .args(args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn loupe")
    }

    /// Runs `loupe args…` and returns its exit code and output.
    pub fn run(&self, args: &[&str]) -> Output {
        let out = self.command(args).output().expect("run loupe");
        Output {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Runs a command that must exit with `code`.
    pub fn run_ok(&self, args: &[&str], code: i32) -> Output {
        let out = self.run(args);
        assert_eq!(
            out.code,
            code,
            "loupe {args:?} in {}\nstdout:\n{}\nstderr:\n{}",
            self.root().display(),
            out.stdout,
            out.stderr
        );
        out
    }

    pub fn index(&self) -> Output {
        self.run_ok(&["index"], 0)
    }

    /// Searches with `--format json` and decodes the result (whatever the exit code, 0 or 1).
    pub fn search(&self, query: &str, extra: &[&str]) -> JsonResults {
        let mut args = vec!["search", query, "--format", "json"];
        args.extend_from_slice(extra);
        let out = self.run(&args);
        assert!(
            out.code == 0 || out.code == 1,
            "loupe {args:?}\nstdout:\n{}\nstderr:\n{}",
            out.stdout,
            out.stderr
        );
        serde_json::from_str(&out.stdout)
            .unwrap_or_else(|e| panic!("bad JSON ({e}):\n{}", out.stdout))
    }

    /// Paths of the hits for `query`, in rank order.
    pub fn paths(&self, query: &str) -> Vec<String> {
        self.search(query, &[])
            .hits
            .into_iter()
            .map(|h| h.path)
            .collect()
    }

    /// `loupe stats --format json` as (documents, passages).
    pub fn counts(&self) -> (u64, u64) {
        let out = self.run_ok(&["stats", "--format", "json"], 0);
        let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        (
            v["documents"].as_u64().unwrap(),
            v["passages"].as_u64().unwrap(),
        )
    }
}

/// The highlighted pieces of a hit's snippet.
pub fn highlighted(hit: &loupe::render::JsonHit) -> Vec<String> {
    hit.highlights
        .iter()
        .map(|[s, e]| hit.snippet[*s..*e].to_string())
        .collect()
}
