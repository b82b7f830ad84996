//! `loupe eval`: metrics checked against values computed by hand, the run file, plain-text
//! query handling.

use crate::util::TestEnv;

fn setup() -> TestEnv {
    let env = TestEnv::new();
    env.write("d1.txt", "One\n\nalpha alpha alpha beta\n");
    env.write("d2.txt", "Two\n\nalpha gamma gamma gamma gamma gamma\n");
    env.write("d3.txt", "Three\n\ndelta\n");
    std::fs::write(
        env.root().join("queries.tsv"),
        "q1\talpha\nq2\tdelta\nq3\t\"unclosed (alpha: AND\n",
    )
    .unwrap();
    // q3 has no judgments and is not averaged.
    std::fs::write(
        env.root().join("qrels.txt"),
        "q1 0 d1 0\nq1 0 d2 2\nq1 0 d3 1\nq2 0 d3 1\n",
    )
    .unwrap();
    env
}

#[test]
fn metrics_match_a_hand_computed_example() {
    let env = setup();
    let out = env.run_ok(
        &[
            "eval",
            "--queries",
            "queries.tsv",
            "--qrels",
            "qrels.txt",
            "--format",
            "json",
            "--per-query",
            "--run",
            "run.txt",
        ],
        0,
    );
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["queries"], 2);
    // q1 ranks d1 (gain 0) then d2 (gain 2); d3 (gain 1) is not retrieved.
    //   nDCG@10 = (2/log2 3) / (2/log2 2 + 1/log2 3) = 1.26186 / 2.63093 = 0.479622
    //   AP = (1/2) / 2 = 0.25, P@10 = 0.1, R@100 = 0.5, RR = 0.5
    // q2 ranks d3 first: every metric is 1 except P@10 = 0.1.
    let overall = &v["overall"];
    let close = |key: &str, expected: f64| {
        let got = overall[key].as_f64().unwrap();
        assert!((got - expected).abs() < 1e-5, "{key}: {got} vs {expected}");
    };
    close("ndcg@10", (0.479_622 + 1.0) / 2.0);
    close("map", (0.25 + 1.0) / 2.0);
    close("p@10", 0.1);
    close("recall@100", 0.75);
    close("mrr", 0.75);
    assert_eq!(v["per_query"].as_array().unwrap().len(), 2);

    let run = std::fs::read_to_string(env.root().join("run.txt")).unwrap();
    let lines: Vec<Vec<&str>> = run
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(lines.len(), 3, "{run}");
    assert_eq!(
        (
            lines[0][0],
            lines[0][1],
            lines[0][2],
            lines[0][3],
            lines[0][5]
        ),
        ("q1", "Q0", "d1", "1", "loupe")
    );
    assert_eq!((lines[1][2], lines[1][3]), ("d2", "2"));
    assert_eq!((lines[2][0], lines[2][2]), ("q2", "d3"));
    let score = |l: &Vec<&str>| l[4].parse::<f64>().unwrap();
    assert!(score(&lines[0]) > score(&lines[1]));
}

#[test]
fn text_output_and_bad_files() {
    let env = setup();
    let out = env.run_ok(
        &["eval", "--queries", "queries.tsv", "--qrels", "qrels.txt"],
        0,
    );
    assert!(
        out.stdout.contains("nDCG@10") && out.stdout.contains("all (2)"),
        "{}",
        out.stdout
    );
    std::fs::write(env.root().join("bad.txt"), "q1 0 d1\n").unwrap();
    let out = env.run_ok(
        &["eval", "--queries", "queries.tsv", "--qrels", "bad.txt"],
        2,
    );
    assert!(
        out.stderr.contains("bad.txt") && out.stderr.contains("line 1"),
        "{}",
        out.stderr
    );
    let out = env.run_ok(
        &["eval", "--queries", "missing.tsv", "--qrels", "qrels.txt"],
        2,
    );
    assert!(out.stderr.contains("missing.tsv"), "{}", out.stderr);
}
