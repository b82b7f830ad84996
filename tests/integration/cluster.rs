//! `loupe push` and `loupe search --url` against a real three-node OpenSearch cluster, started
//! from Maven artifacts by `cluster/run.sh` (Java 17 and Maven). Without them the test says
//! plainly that it did not run; under `CI=true` that is a failure.

use std::path::{Path, PathBuf};
use std::process::Command;

use loupe::analysis::{Analysis, Western};
use loupe::remote::{Client, RemoteSearcher};
use loupe::search::ranking::Ranking;
use loupe::search::PassageSearcher;
use serde_json::json;

use crate::util::{highlighted, TestEnv};

/// A cluster started for one test, stopped when dropped.
struct Cluster {
    work: tempfile::TempDir,
    urls: Vec<String>,
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("cluster/run.sh")
}

impl Cluster {
    fn start(nodes: usize) -> Result<Cluster, String> {
        for tool in ["java", "mvn", "curl"] {
            let found = Command::new("sh")
                .args(["-c", &format!("command -v {tool}")])
                .output()
                .is_ok_and(|o| o.status.success());
            if !found {
                return Err(format!("{tool} is not installed"));
            }
        }
        let work = tempfile::tempdir().map_err(|e| e.to_string())?;
        let out = Command::new(script())
            .args(["start", &nodes.to_string()])
            .env("LOUPE_CLUSTER_DIR", work.path())
            .output()
            .map_err(|e| e.to_string())?;
        let cluster = Cluster {
            urls: String::from_utf8_lossy(&out.stdout)
                .lines()
                .map(str::to_string)
                .collect(),
            work,
        };
        // A start that failed is a failure of the test, not a reason to skip it.
        assert!(
            out.status.success() && cluster.urls.len() == nodes,
            "cluster/run.sh start {nodes} failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        Ok(cluster)
    }

    fn run(&self, args: &[&str]) {
        let out = Command::new(script())
            .args(args)
            .env("LOUPE_CLUSTER_DIR", self.work.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "cluster/run.sh {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Every node's URL, comma-separated, as `--url` takes them.
    fn url(&self) -> String {
        self.urls.join(",")
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = Command::new(script())
            .arg("stop")
            .env("LOUPE_CLUSTER_DIR", self.work.path())
            .output();
    }
}

/// A deterministic news-like corpus: `n` articles with headlines, paragraphs of words drawn
/// from a small vocabulary (so that queries match many documents), and some dates.
fn write_corpus(env: &TestEnv, n: usize, seed: u64) {
    for i in 0..n {
        env.write(&article_path(i), &article(i, seed));
    }
}

fn article_path(i: usize) -> String {
    format!(
        "{}/{i:03}.txt",
        ["business", "politics", "sport", "tech"][i % 4]
    )
}

const WORDS: &[&str] = &[
    "market",
    "shares",
    "bank",
    "profit",
    "minister",
    "election",
    "vote",
    "party",
    "match",
    "goal",
    "season",
    "player",
    "phone",
    "software",
    "network",
    "digital",
    "oil",
    "price",
    "growth",
    "economy",
    "court",
    "police",
    "report",
    "company",
    "deal",
    "film",
    "music",
    "award",
    "government",
    "tax",
    "budget",
    "record",
    "team",
    "coach",
    "league",
    "internet",
    "mobile",
    "energy",
    "gas",
    "trade",
    "china",
    "europe",
    "union",
    "strike",
    "workers",
    "security",
    "armed",
    "forces",
    "airline",
    "rates",
];

/// A small random-number generator, so the corpus is the same on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % below as u64) as usize
    }

    fn word(&mut self) -> &'static str {
        // Skewed towards the first words, as word frequencies are.
        let a = self.next(WORDS.len());
        let b = self.next(WORDS.len());
        WORDS[a.min(b)]
    }
}

fn article(i: usize, seed: u64) -> String {
    let mut rng = Lcg(seed ^ (i as u64 + 1).wrapping_mul(0x9E3779B97F4A7C15));
    let mut text = String::new();
    if i.is_multiple_of(3) {
        text.push_str(&format!("date 2026-0{}-1{}\n\n", 1 + i % 9, i % 10));
    }
    let title: Vec<&str> = (0..4 + rng.next(3)).map(|_| rng.word()).collect();
    text.push_str(&format!("Story {i}: {}\n\n", title.join(" ")));
    for _ in 0..2 + rng.next(4) {
        // English function words among them, so passages are told English, as news is.
        let words: Vec<&str> = (0..25 + rng.next(40))
            .map(|k| match k % 4 {
                1 => ["the", "of", "and", "to", "with", "from"][rng.next(6)],
                _ => rng.word(),
            })
            .collect();
        text.push_str(&words.join(" "));
        text.push_str(".\n\n");
    }
    // A phrase for the tests, beside a word to exclude in some of the articles.
    if i.is_multiple_of(5) {
        text.push_str("The armed forces said the forces were armed.\n\n");
    }
    if i.is_multiple_of(10) {
        text.push_str("An airline and its armed forces.\n\n");
    }
    text
}

/// The top-10 documents of `query` locally and remotely, with plain BM25.
fn top10(
    local: &PassageSearcher,
    remote: &RemoteSearcher,
    query: &str,
) -> (Vec<String>, Vec<String>) {
    let ids = |ranked: Vec<(String, f32)>| ranked.into_iter().map(|(d, _)| d).collect();
    let bm25 = Ranking::bm25();
    (
        ids(local.rank_documents(query, 10, &bm25, true).unwrap()),
        ids(remote.rank_documents(query, 10, &bm25, true).unwrap()),
    )
}

/// The test's queries: one, two and three words, drawn like the corpus's.
fn queries() -> Vec<String> {
    let mut rng = Lcg(7);
    (0..50)
        .map(|i| {
            (0..1 + i % 3)
                .map(|_| WORDS[rng.next(WORDS.len())])
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// Remote documents and passages, counted by the cluster.
fn remote_counts(client: &Client, index: &str) -> (u64, u64) {
    let body = json!({"size": 0, "track_total_hits": true,
        "aggs": {"paths": {"cardinality": {"field": "path", "precision_threshold": 40000}}}});
    let answer = client
        .post_json(&format!("/{index}/_search"), &body)
        .unwrap();
    assert!(answer.ok(), "{}", answer.body);
    let json = answer.json();
    (
        json["aggregations"]["paths"]["value"].as_u64().unwrap(),
        json["hits"]["total"]["value"].as_u64().unwrap(),
    )
}

#[test]
fn push_search_update_and_lose_a_node_on_a_three_node_cluster() {
    let cluster = match Cluster::start(3) {
        Ok(cluster) => cluster,
        Err(why) => {
            let ci = std::env::var("CI").is_ok_and(|v| v == "true");
            assert!(!ci, "the cluster test must run under CI=true: {why}");
            eprintln!("cluster test did NOT run: {why} (install Java 17 and Maven)");
            return;
        }
    };
    let env = TestEnv::new();
    write_corpus(&env, 160, 1);
    let url = cluster.url();
    let push = [
        "push",
        "--url",
        &url,
        "--index-name",
        "news",
        "--shards",
        "3",
        "--replicas",
        "1",
    ];

    // Push: the cluster holds every document and passage of the local index.
    let out = env.run_ok(&push, 0);
    assert!(out.stderr.contains("index created"), "{}", out.stderr);
    let client = Client::new(&url).unwrap();
    assert_eq!(remote_counts(&client, "news"), env.counts());
    let health = client
        .get("/_cluster/health/news?wait_for_status=green&timeout=60s")
        .unwrap()
        .json();
    assert_eq!(health["active_primary_shards"], 3);
    assert_eq!(
        health["active_shards"], 6,
        "one replica of each of 3 shards"
    );

    // The remote analyzers make the terms loupe's analyses make.
    for (analysis, key, text) in [
        (
            Analysis::English,
            "en",
            "Mother’s day: the ministers’ talks, 3.5 km, U.S. café CAFÉ naïve running İstanbul",
        ),
        (
            Analysis::Russian,
            "ru",
            "Министр заявил, что переговоры в Москве будут продолжены",
        ),
        (
            Analysis::Turkish,
            "tr",
            "İSTANBUL'da ISTANBUL ıstanbul görüşmelerin Ankara'da devam edeceğini",
        ),
        (
            Analysis::Azerbaijani,
            "az",
            "Qarabağ XOCALI Xocalı Bakı'da danışıqlar Gəncədə davam edəcək",
        ),
        (
            Analysis::Snowball(Western::French),
            "fr",
            "l'élection des députés et d'un président, les chevaux",
        ),
        (
            Analysis::Snowball(Western::German),
            "de",
            "Die Häuser der Städte wurden gebaut",
        ),
        (
            Analysis::Plain,
            "plain",
            "Ünïcode text, not stemmed: running walked",
        ),
    ] {
        let answer = client
            .post_json(
                "/news/_analyze",
                &json!({"analyzer": format!("loupe_{key}"), "text": text}),
            )
            .unwrap();
        assert!(answer.ok(), "{}", answer.body);
        let remote: Vec<String> = answer.json()["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["token"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            remote,
            loupe::analysis::query_terms(analysis, text),
            "{key}: {text}"
        );
    }

    // The same top 10 documents as a local plain BM25 search.
    let local = PassageSearcher::open(&env.index_dir()).unwrap();
    let remote = RemoteSearcher::new(Client::new(&url).unwrap(), "news");
    let (mut overlap, mut identical) = (0.0, 0);
    for query in queries() {
        let (l, r) = top10(&local, &remote, &query);
        assert!(!l.is_empty(), "{query} matches locally");
        let common = r.iter().filter(|d| l.contains(d)).count();
        overlap += common as f64 / l.len() as f64;
        identical += usize::from(l == r);
    }
    let overlap = overlap / 50.0;
    assert!(overlap >= 0.9, "mean top-10 overlap {overlap}");
    assert!(
        identical > 25,
        "identical top 10 for {identical} of 50 queries"
    );

    // Through the command: the same JSON shape, phrases marked exactly, exclusions never.
    let remote_search = |query: &str| env.search(query, &["--url", &url, "--index-name", "news"]);
    let results = remote_search("\"armed forces\" -airline");
    assert!(!results.hits.is_empty());
    for hit in &results.hits {
        let marked = highlighted(hit);
        assert!(!marked.is_empty(), "{hit:?}");
        // The phrase, and never its words alone ("the forces were armed").
        assert!(
            marked
                .iter()
                .all(|m| m.eq_ignore_ascii_case("armed forces")),
            "{marked:?}"
        );
        assert!(!hit.text.contains("airline"), "{}", hit.path);
    }
    let local_results = env.search("\"armed forces\" -airline", &[]);
    assert_eq!(results.total_hits, local_results.total_hits);
    assert_eq!(results.total_documents, local_results.total_documents);
    let prefix = remote_search("secur* title:story");
    assert!(
        prefix
            .hits
            .iter()
            .all(|h| h.text.contains("security")
                || h.title.as_deref().unwrap_or("").contains("Story"))
    );
    assert!(highlighted(&prefix.hits[0]).iter().any(|m| m == "security"));
    let dated = remote_search("oil date:2026-01");
    assert!(dated
        .hits
        .iter()
        .all(|h| h.date.as_deref().unwrap_or("").starts_with("2026-01")));
    let in_folder = remote_search("market path:sport/*");
    assert!(!in_folder.hits.is_empty());
    assert!(in_folder.hits.iter().all(|h| h.path.starts_with("sport/")));

    // A malformed query gets the local error, and no request is made (this URL has no cluster).
    let bad = env.run(&["search", "--url", "http://127.0.0.1:9", "date:[1987 TO"]);
    let local_bad = env.run(&["search", "date:[1987 TO"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert_eq!(bad.stderr, local_bad.stderr);

    // Add, change and remove files, then push again: only they are sent, and the cluster
    // holds exactly the corpus.
    for i in 160..163 {
        env.write(&article_path(i), &article(i, 1));
    }
    env.write(
        &article_path(5),
        "Story five rewritten\n\nzebracorn crossing the market.\n",
    );
    env.write(&article_path(6), &article(6, 99));
    env.remove(&article_path(7));
    env.remove(&article_path(8));
    let out = env.run_ok(&push, 0);
    assert!(
        out.stderr.contains("5 files sent") && out.stderr.contains("2 removed"),
        "{}",
        out.stderr
    );
    assert_eq!(remote_counts(&client, "news"), env.counts());
    let found = remote_search("zebracorn");
    assert_eq!(found.hits.len(), 1);
    assert_eq!(found.hits[0].path, article_path(5));
    assert!(remote_search("\"Story 7\"")
        .hits
        .iter()
        .all(|h| h.path != article_path(7)));
    let out = env.run_ok(&push, 0);
    assert!(out.stderr.contains("0 files sent"), "{}", out.stderr);

    // A push interrupted after some files were sent resumes with the rest: here, two files'
    // passages are missing from the cluster.
    for path in [article_path(10), article_path(11)] {
        let answer = client
            .delete(&format!(
                "/news/_doc/{}?refresh=true",
                path.replace('/', "%2F") + "%230"
            ))
            .unwrap();
        assert!(answer.ok(), "{}", answer.body);
    }
    let out = env.run_ok(&push, 0);
    assert!(out.stderr.contains("2 files sent"), "{}", out.stderr);
    assert_eq!(remote_counts(&client, "news"), env.counts());

    // Known-item evaluation through the cluster measures what the local one does.
    let eval = |extra: &[&str]| {
        let mut args = vec![
            "eval",
            "--known-item",
            "--ranking",
            "bm25",
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        let out = env.run_ok(&args, 0);
        let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        v["known_item"][0]["mrr"].as_f64().unwrap()
    };
    let (local_mrr, remote_mrr) = (eval(&[]), eval(&["--url", &url, "--index-name", "news"]));
    assert!(
        (local_mrr - remote_mrr).abs() < 0.02,
        "{local_mrr} vs {remote_mrr}"
    );

    // One node stops: every search still answers from the replicas, with the same results.
    // (Deleted passages are expunged first: until a copy merges them away they count in its
    // term statistics, and a primary and its replica merge on their own schedules.)
    let answer = client
        .post_json("/news/_forcemerge?only_expunge_deletes=true", &json!({}))
        .unwrap();
    assert!(answer.ok(), "{}", answer.body);
    let local = PassageSearcher::open(&env.index_dir()).unwrap();
    let mut expected = Vec::new();
    for query in queries() {
        expected.push(top10(&local, &remote, &query).1);
    }
    cluster.run(&["stop-node", "3"]);
    let survivors = format!("{},{}", cluster.urls[0], cluster.urls[1]);
    let remote = RemoteSearcher::new(Client::new(&survivors).unwrap(), "news");
    for (query, expected) in queries().iter().zip(&expected) {
        let (_, r) = top10(&local, &remote, query);
        assert_eq!(&r, expected, "{query} after node 3 stopped");
    }

    // Errors a user can act on, and nothing lost locally: a cluster that rejects the bulk
    // requests (here its index is read-only), one that refuses to create the index (here it
    // allows too few shards), an unreachable cluster, an index another tool made.
    let block = |on: bool| {
        let settings = json!({"index": {"blocks": {"write": on}}});
        let answer = client.put_json("/news/_settings", &settings).unwrap();
        assert!(answer.ok(), "{}", answer.body);
    };
    block(true);
    env.write(
        "tech/late.txt",
        "Late story\n\nThe quokkatron network of the company.\n",
    );
    let out = env.run(&["push", "--url", &survivors, "--index-name", "news"]);
    assert_ne!(out.code, 0);
    assert!(
        out.stderr.contains("refused") && out.stderr.contains("tech/late.txt"),
        "{}",
        out.stderr
    );
    assert_eq!(
        env.paths("quokkatron"),
        ["tech/late.txt"],
        "the local index has it"
    );
    block(false);
    let out = env.run_ok(&["push", "--url", &survivors, "--index-name", "news"], 0);
    assert!(out.stderr.contains("1 file sent"), "{}", out.stderr);
    let limit = |n: Option<u32>| {
        let settings = json!({"persistent": {"cluster.max_shards_per_node": n}});
        let answer = client.put_json("/_cluster/settings", &settings).unwrap();
        assert!(answer.ok(), "{}", answer.body);
    };
    limit(Some(1));
    let out = env.run(&[
        "push",
        "--url",
        &survivors,
        "--index-name",
        "other",
        "--shards",
        "8",
    ]);
    limit(None);
    assert_ne!(out.code, 0);
    assert!(
        out.stderr.contains("refused to create the index 'other'"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("shards"), "{}", out.stderr);

    let out = env.run(&["push", "--url", "http://127.0.0.1:9"]);
    assert_ne!(out.code, 0);
    assert!(
        out.stderr.contains("cannot reach the cluster"),
        "{}",
        out.stderr
    );
    let answer = client.put_json("/foreign", &json!({})).unwrap();
    assert!(answer.ok(), "{}", answer.body);
    let out = env.run(&["push", "--url", &survivors, "--index-name", "foreign"]);
    assert_ne!(out.code, 0);
    assert!(out.stderr.contains("--rebuild"), "{}", out.stderr);
}
