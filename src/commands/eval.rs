//! `loupe eval`: ranking quality on one judged collection, a suite of them, or known-item
//! searches.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};

use loupe::eval::suite::DocumentRanker;
use loupe::eval::{self, suite};
use loupe::index::indexer::{self, IndexOptions};
use loupe::index::location;
use loupe::progress;
use loupe::remote::{Client, RemoteSearcher};
use loupe::search::ranking::Ranking;
use loupe::search::PassageSearcher;

use crate::cli::{EvalArgs, RankingName, StatsFormat, Switch};

/// Runs `loupe eval`.
pub fn run(args: EvalArgs) -> Result<ExitCode> {
    let base = match args.ranking {
        RankingName::Default => Ranking::default(),
        RankingName::Bm25 => Ranking::bm25(),
    };
    let ranking = Ranking {
        stop_words: args.stop_words.map_or(base.stop_words, |s| s == Switch::On),
        proximity: args.proximity.unwrap_or(base.proximity),
        proximity_window: args.proximity_window.unwrap_or(base.proximity_window),
        document_weight: args.document_weight.unwrap_or(base.document_weight),
        exact_form: args.exact_form.unwrap_or(base.exact_form),
        feedback_terms: args.feedback_terms.unwrap_or(base.feedback_terms),
        feedback_weight: args.feedback_weight.unwrap_or(base.feedback_weight),
        feedback_min_words: args.feedback_min_words.unwrap_or(base.feedback_min_words),
        rescored: args.rescored.unwrap_or(base.rescored),
    };
    if let Some(suite_dir) = &args.suite {
        return evaluate_suite(suite_dir, &ranking, &args);
    }
    let corpus = location::corpus_for(
        &args.locations.index,
        args.locations.corpus.as_deref(),
        false,
    )?;
    // The remote index is ranked; the local one tells the known items' titles.
    let remote = match &args.remote.url {
        Some(url) => Some(RemoteSearcher::new(
            Client::new(url)?,
            &args.remote.index_name,
        )),
        None => None,
    };
    let local = if remote.is_none() || args.known_item {
        super::ensure_built(&corpus, &args.locations.index)?;
        Some(PassageSearcher::open(&args.locations.index)?)
    } else {
        None
    };
    let ranker: &dyn DocumentRanker = match (&remote, &local) {
        (Some(remote), _) => remote,
        (None, Some(local)) => local,
        (None, None) => unreachable!("a local index is opened when there is no remote one"),
    };
    if args.known_item {
        let titles = local.as_ref().expect("opened for known items");
        return evaluate_known_item(titles, ranker, &ranking, &args);
    }
    let (Some(queries), Some(qrels)) = (&args.queries, &args.qrels) else {
        anyhow::bail!("give --queries FILE --qrels FILE, --suite DIR, or --known-item");
    };
    let collection = suite::Collection::read("queries", &corpus, queries, qrels)?;
    let results = suite::run(ranker, &collection, &ranking, args.depth as usize)?;
    if results.is_empty() {
        anyhow::bail!(
            "no query in {} has judgments in {}",
            queries.display(),
            qrels.display()
        );
    }
    if let Some(path) = &args.run {
        let mut out = std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot write {}", path.display()))?,
        );
        for r in &results {
            eval::write_run(&mut out, &r.qid, &r.ranking, "loupe")?;
        }
        out.flush()?;
    }
    let overall = eval::mean(&results.iter().map(|r| r.metrics).collect::<Vec<_>>());
    let mut out = std::io::stdout().lock();
    match args.format {
        StatsFormat::Json => {
            let mut json =
                serde_json::json!({"queries": results.len(), "overall": metrics_json(&overall)});
            if args.per_query {
                json["per_query"] = results
                    .iter()
                    .map(|r| {
                        let mut v = metrics_json(&r.metrics);
                        v["qid"] = serde_json::json!(r.qid);
                        v
                    })
                    .collect();
            }
            writeln!(out, "{json}")?;
        }
        StatsFormat::Text => {
            writeln!(
                out,
                "{:<10} {:>8} {:>8} {:>8} {:>10} {:>8}",
                "query", "nDCG@10", "MAP", "P@10", "Recall@100", "MRR"
            )?;
            let line = |label: &str, m: &eval::Metrics| {
                format!(
                    "{label:<10} {:>8.4} {:>8.4} {:>8.4} {:>10.4} {:>8.4}",
                    m.ndcg_10, m.map, m.p_10, m.recall_100, m.mrr
                )
            };
            if args.per_query {
                for r in &results {
                    writeln!(out, "{}", line(&r.qid, &r.metrics))?;
                }
            }
            writeln!(
                out,
                "{}",
                line(&format!("all ({})", results.len()), &overall)
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn metrics_json(m: &eval::Metrics) -> serde_json::Value {
    serde_json::json!({"ndcg@10": m.ndcg_10, "map": m.map, "p@10": m.p_10, "recall@100": m.recall_100, "mrr": m.mrr})
}

/// Every collection of the suite, with `ranking` and with plain BM25: one row each, and the
/// mean. Each collection's index is kept in the temporary folder between runs.
fn evaluate_suite(suite_dir: &Path, ranking: &Ranking, args: &EvalArgs) -> Result<ExitCode> {
    let collections = suite::discover(suite_dir)?;
    let mut rows = Vec::new();
    for collection in &collections {
        let canonical = std::fs::canonicalize(&collection.corpus)?;
        let key = xxhash_rust::xxh3::xxh3_64(canonical.as_os_str().as_encoded_bytes());
        let index_dir = std::env::temp_dir()
            .join("loupe-eval")
            .join(format!("{}-{key:016x}", collection.name));
        let report = indexer::run(
            &IndexOptions::new(&canonical, &index_dir),
            &mut indexer::Quiet,
        )?;
        if report.added + report.changed + report.removed > 0 {
            eprintln!("loupe: {}: {}", collection.name, progress::summary(&report));
        }
        let searcher = PassageSearcher::open(&index_dir)?;
        let depth = args.depth as usize;
        let mean_of = |results: Vec<suite::QueryResult>| {
            eval::mean(&results.iter().map(|r| r.metrics).collect::<Vec<_>>())
        };
        let chosen = suite::run(&searcher, collection, ranking, depth)?;
        let queries = chosen.len();
        let chosen = mean_of(chosen);
        let baseline = mean_of(suite::run(&searcher, collection, &Ranking::bm25(), depth)?);
        rows.push((collection.name.clone(), queries, chosen, baseline));
    }
    let n = rows.len() as f64;
    let mean = |pick: fn(&(String, usize, eval::Metrics, eval::Metrics)) -> f64| {
        rows.iter().map(pick).sum::<f64>() / n
    };
    let mut out = std::io::stdout().lock();
    match args.format {
        StatsFormat::Json => {
            let json: Vec<serde_json::Value> = rows
                .iter()
                .map(|(name, queries, chosen, baseline)| {
                    serde_json::json!({"collection": name, "queries": queries,
                        "ranking": metrics_json(chosen), "bm25": metrics_json(baseline)})
                })
                .collect();
            writeln!(
                out,
                "{}",
                serde_json::json!({"collections": json,
                "mean": {"ranking_ndcg@10": mean(|r| r.2.ndcg_10), "bm25_ndcg@10": mean(|r| r.3.ndcg_10)}})
            )?;
        }
        StatsFormat::Text => {
            writeln!(
                out,
                "{:<12} {:>7}  {:>8} {:>8}  {:>7} {:>7}  {:>7} {:>7}",
                "collection", "queries", "nDCG@10", "bm25", "MAP", "bm25", "R@100", "bm25"
            )?;
            for (name, queries, c, b) in &rows {
                writeln!(
                    out,
                    "{name:<12} {queries:>7}  {:>8.4} {:>8.4}  {:>7.4} {:>7.4}  {:>7.4} {:>7.4}",
                    c.ndcg_10, b.ndcg_10, c.map, b.map, c.recall_100, b.recall_100
                )?;
            }
            writeln!(
                out,
                "{:<12} {:>7}  {:>8.4} {:>8.4}  {:>7.4} {:>7.4}  {:>7.4} {:>7.4}",
                "mean",
                "",
                mean(|r| r.2.ndcg_10),
                mean(|r| r.3.ndcg_10),
                mean(|r| r.2.map),
                mean(|r| r.3.map),
                mean(|r| r.2.recall_100),
                mean(|r| r.3.recall_100)
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Known-item search on the index's corpus, with `ranking` and with plain BM25.
fn evaluate_known_item(
    searcher: &PassageSearcher,
    ranker: &dyn DocumentRanker,
    ranking: &Ranking,
    args: &EvalArgs,
) -> Result<ExitCode> {
    let depth = args.depth as usize;
    if let Some(path) = &args.run {
        // The queries themselves, to run with other engines: `form<TAB>docid<TAB>query`.
        let mut out = String::new();
        for q in suite::known_item_queries(searcher, args.sample)? {
            out.push_str(&format!("{}\t{}\t{}\n", q.form.name(), q.docid, q.text));
        }
        std::fs::write(path, out).with_context(|| format!("cannot write {}", path.display()))?;
    }
    let chosen = suite::known_item(searcher, ranker, ranking, args.sample, depth)?;
    let baseline = suite::known_item(searcher, ranker, &Ranking::bm25(), args.sample, depth)?;
    let mut out = std::io::stdout().lock();
    match args.format {
        StatsFormat::Json => {
            let json: Vec<serde_json::Value> = chosen
                .iter()
                .zip(&baseline)
                .map(|(c, b)| {
                    serde_json::json!({"form": c.form.name(), "queries": c.queries,
                        "mrr": c.mrr, "top1": c.top1, "bm25_mrr": b.mrr, "bm25_top1": b.top1})
                })
                .collect();
            writeln!(out, "{}", serde_json::json!({"known_item": json}))?;
        }
        StatsFormat::Text => {
            writeln!(
                out,
                "{:<16} {:>7}  {:>7} {:>7}  {:>8} {:>8}",
                "query form", "queries", "MRR", "top-1", "bm25 MRR", "top-1"
            )?;
            for (c, b) in chosen.iter().zip(&baseline) {
                writeln!(
                    out,
                    "{:<16} {:>7}  {:>7.4} {:>6.1}%  {:>8.4} {:>7.1}%",
                    c.form.name(),
                    c.queries,
                    c.mrr,
                    c.top1 * 100.0,
                    b.mrr,
                    b.top1 * 100.0
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
