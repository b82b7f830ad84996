//! In-process query latency: opens an index once and times `PassageSearcher::search` (10 hits
//! with highlighted snippets) over the query set, after one warm-up round; then, apart, the
//! staleness check every `loupe search` runs after it (`check_freshness`: folder times and the
//! hits' files against the index's corpus).
//!
//! `cargo bench --bench query_latency -- INDEX_DIR [QUERIES_FILE] [ROUNDS] [--count=exact|estimate|none] [--no-feedback]`
//!
//! Matches are counted exactly by default, as JSON output does; `--count=estimate` counts as the
//! text output does. `--no-feedback` turns pseudo-relevance feedback off (it expands queries of
//! seven words or more: `benches/queries-long.txt`). The slowest queries are listed with their median times.

use std::time::Instant;

use loupe::search::{Counting, PassageSearcher, SearchOptions};

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let index = args.first().map_or("index", String::as_str);
    let queries_file = args.get(1).map_or("benches/queries.txt", String::as_str);
    let rounds: usize = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(20);
    let queries: Vec<String> = std::fs::read_to_string(queries_file)
        .unwrap_or_else(|e| panic!("{queries_file}: {e}"))
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(String::from)
        .collect();
    let searcher = PassageSearcher::open(index.as_ref()).unwrap_or_else(|e| panic!("{e}"));
    let count = match std::env::args().find_map(|a| a.strip_prefix("--count=").map(String::from)) {
        None => Counting::Exact,
        Some(mode) => match mode.as_str() {
            "exact" => Counting::Exact,
            "estimate" => Counting::Estimate,
            "none" => Counting::None,
            other => panic!("--count={other}: exact, estimate or none"),
        },
    };
    let mut options = SearchOptions {
        count,
        ..SearchOptions::default()
    };
    if std::env::args().any(|a| a == "--no-feedback") {
        options.ranking.feedback_terms = 0;
    }
    let mut per_query: Vec<Vec<f64>> = vec![Vec::new(); queries.len()];
    let corpus = loupe::index::location::corpus_for(index.as_ref(), None, false).expect("corpus");
    let (mut times, mut checks) = (Vec::new(), Vec::new());
    for round in 0..=rounds {
        for (i, query) in queries.iter().enumerate() {
            let started = Instant::now();
            let mut results = searcher.search(query, &options).expect("search");
            let ms = started.elapsed().as_secs_f64() * 1e3;
            assert!(results.hits.len() <= 10);
            let started = Instant::now();
            searcher
                .check_freshness(&mut results, &corpus)
                .expect("freshness");
            let check_ms = started.elapsed().as_secs_f64() * 1e3;
            if round > 0 {
                times.push(ms);
                per_query[i].push(ms);
                checks.push(check_ms);
            }
        }
    }
    let report = |label: &str, times: &mut Vec<f64>| {
        times.sort_by(f64::total_cmp);
        let pct = |p: f64| times[((times.len() as f64 - 1.0) * p).round() as usize];
        println!(
            "{label} ({} queries x {rounds} rounds): p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms",
            queries.len(),
            pct(0.5),
            pct(0.95),
            times[times.len() - 1]
        );
    };
    report(&format!("in-process search, {count:?} counts"), &mut times);
    report("staleness check", &mut checks);
    let mut medians: Vec<(f64, &str)> = per_query
        .iter_mut()
        .zip(&queries)
        .map(|(times, query)| {
            times.sort_by(f64::total_cmp);
            (times[times.len() / 2], query.as_str())
        })
        .collect();
    medians.sort_by(|a, b| b.0.total_cmp(&a.0));
    println!("slowest queries (median ms):");
    for (ms, query) in medians.iter().take(5) {
        println!("  {ms:7.2}  {query}");
    }
}
