//! The binary's commands: each turns parsed arguments into library calls and writes the
//! outcome. Colour is decided here, once.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use termcolor::{BufferedStandardStream, ColorChoice};

use loupe::eval::{self, suite};
use loupe::index::indexer::{self, IndexOptions};
use loupe::index::{location, store};
use loupe::progress::{self, ProgressReporter};
use loupe::search::ranking::Ranking;
use loupe::search::{Counting, PassageSearcher, SearchOptions, SortOrder};
use loupe::{render, stats};

use crate::cli::{
    Cli, ColorWhen, Command, EvalArgs, Format, IndexArgs, RankingName, SearchArgs, Sort, StatsArgs,
    StatsFormat, Switch,
};

/// Runs the command and returns the exit code for a normal outcome.
pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Index(args) => index(args),
        Command::Search(args) => search(args),
        Command::Stats(args) => show_stats(args),
        Command::Eval(args) => evaluate(args),
        Command::Completions(args) => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(args.shell, &mut command, "loupe", &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
        Command::Man => {
            let command = <Cli as clap::CommandFactory>::command();
            clap_mangen::Man::new(command).render(&mut std::io::stdout())?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn index(args: IndexArgs) -> Result<ExitCode> {
    let corpus = location::corpus_for(
        &args.locations.index,
        args.locations.corpus.as_deref(),
        args.rebuild,
    )?;
    let mut options = IndexOptions::new(corpus, &args.locations.index);
    options.rebuild = args.rebuild;
    options.force = args.force;
    options.memory_budget = (args.memory_mb as usize) << 20;
    options.threads = args.threads.unwrap_or(0);
    options.wait = args.wait;
    options.commit_every = args.commit_every_mb << 20;
    build(&options)?;
    Ok(ExitCode::SUCCESS)
}

fn build(options: &IndexOptions) -> Result<()> {
    let mut reporter = ProgressReporter::default();
    let report = indexer::run(options, &mut reporter)?;
    eprintln!("loupe: {}", progress::summary(&report));
    Ok(())
}

fn search(args: SearchArgs) -> Result<ExitCode> {
    let index_dir = &args.locations.index;
    let corpus = location::corpus_for(index_dir, args.locations.corpus.as_deref(), false)?;
    let was_built = ensure_built(&corpus, index_dir)?;
    if was_built && args.refresh {
        build(&IndexOptions::new(&corpus, index_dir))?;
    }
    let searcher = PassageSearcher::open(index_dir)?;
    let options = SearchOptions {
        limit: args.limit as usize,
        per_document: args.per_doc,
        since: args.since,
        until: args.until,
        sort: match args.sort {
            Sort::Relevance => SortOrder::Relevance,
            Sort::Date => SortOrder::Date,
        },
        plain: args.plain,
        // JSON reports exact numbers of matches; the text header may estimate them (and says
        // so); JSON Lines has no header.
        count: match args.format {
            Format::Json => Counting::Exact,
            Format::Text => Counting::Estimate,
            Format::Jsonl => Counting::None,
        },
        explain: args.explain,
        ..SearchOptions::default()
    };
    let query = args.query.join(" ");
    let mut results = searcher.search(&query, &options)?;
    searcher.check_freshness(&mut results, &corpus)?;
    for warning in &results.warnings {
        eprintln!("loupe: warning: {warning}");
    }
    for s in &results.suggestions {
        eprintln!(
            "loupe: did you mean `{}`? (`{}` is rare here) try: loupe search {}",
            s.suggestion,
            s.word,
            shell_quote(&s.query)
        );
    }
    // One write at the end: results are small, and a write per coloured piece costs more.
    let mut out = BufferedStandardStream::stdout(color_choice(args.color));
    match args.format {
        Format::Text => render::write_text(&mut out, &results)?,
        Format::Json => render::write_json(&mut out, &results)?,
        Format::Jsonl => render::write_jsonl(&mut out, &results)?,
    }
    out.flush()?;
    if args.format == Format::Text && results.hits.is_empty() {
        eprintln!("loupe: no passage matches `{query}`");
    }
    Ok(if results.hits.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Builds the index when there is none, announcing it on stderr; true when it was there.
/// A damaged or foreign folder is an error, never silently rebuilt.
fn ensure_built(corpus: &Path, index_dir: &Path) -> Result<bool> {
    if index_dir.exists() && !index_dir.is_dir() {
        return Err(loupe::Error::IndexNotADirectory(index_dir.to_path_buf()).into());
    }
    match store::inspect(index_dir) {
        store::IndexState::Built => Ok(true),
        store::IndexState::Damaged(detail) => Err(loupe::Error::IndexDamaged {
            path: index_dir.to_path_buf(),
            detail,
        }
        .into()),
        store::IndexState::Foreign => Err(loupe::Error::NotAnIndex(index_dir.to_path_buf()).into()),
        store::IndexState::Missing => {
            eprintln!(
                "loupe: no index at {} yet; building it from {} first",
                index_dir.display(),
                corpus.display()
            );
            build(&IndexOptions::new(corpus, index_dir))?;
            Ok(false)
        }
    }
}

fn evaluate(args: EvalArgs) -> Result<ExitCode> {
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
    };
    if let Some(suite_dir) = &args.suite {
        return evaluate_suite(suite_dir, &ranking, &args);
    }
    let corpus = location::corpus_for(
        &args.locations.index,
        args.locations.corpus.as_deref(),
        false,
    )?;
    ensure_built(&corpus, &args.locations.index)?;
    let searcher = PassageSearcher::open(&args.locations.index)?;
    if args.known_item {
        return evaluate_known_item(&searcher, &ranking, &args);
    }
    let (Some(queries), Some(qrels)) = (&args.queries, &args.qrels) else {
        anyhow::bail!("give --queries FILE --qrels FILE, --suite DIR, or --known-item");
    };
    let collection = suite::Collection::read("queries", &corpus, queries, qrels)?;
    let results = suite::run(&searcher, &collection, &ranking, args.depth as usize)?;
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
    let chosen = suite::known_item(searcher, ranking, args.sample, depth)?;
    let baseline = suite::known_item(searcher, &Ranking::bm25(), args.sample, depth)?;
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

fn show_stats(args: StatsArgs) -> Result<ExitCode> {
    let stats = stats::collect(&args.index)?;
    let mut out = std::io::stdout().lock();
    match args.format {
        StatsFormat::Json => writeln!(out, "{}", serde_json::to_string(&stats)?)?,
        StatsFormat::Text => {
            writeln!(out, "index        {}", display(&args.index))?;
            writeln!(
                out,
                "corpus       {}",
                stats.corpus.as_deref().unwrap_or("-")
            )?;
            writeln!(out, "documents    {}", stats.documents)?;
            writeln!(out, "passages     {}", stats.passages)?;
            writeln!(
                out,
                "corpus size  {:.1} MB",
                stats.corpus_bytes as f64 / 1e6
            )?;
            writeln!(out, "index size   {:.1} MB", stats.index_bytes as f64 / 1e6)?;
            writeln!(out, "segments     {}", stats.segments)?;
            writeln!(
                out,
                "last indexed {}",
                stats.last_indexed.as_deref().unwrap_or("never")
            )?;
            writeln!(out, "schema       {}", stats.schema_version)?;
            if stats.partial {
                writeln!(
                    out,
                    "note         the last build did not finish; run `loupe index` to complete it"
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `text` quoted for a POSIX shell when it needs it.
fn shell_quote(text: &str) -> String {
    if text
        .chars()
        .all(|c| c.is_alphanumeric() || " -_.,/".contains(c))
    {
        if text.contains(' ') {
            format!("'{text}'")
        } else {
            text.to_string()
        }
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

fn display(path: &Path) -> String {
    path.display().to_string()
}

/// Colour only where a person reads it: `auto` means a terminal without `NO_COLOR`.
fn color_choice(when: ColorWhen) -> ColorChoice {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    match when {
        ColorWhen::Always => ColorChoice::Always,
        ColorWhen::Never => ColorChoice::Never,
        ColorWhen::Auto if no_color || !std::io::stdout().is_terminal() => ColorChoice::Never,
        ColorWhen::Auto => ColorChoice::Auto,
    }
}
