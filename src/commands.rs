//! The binary's commands: each turns parsed arguments into library calls and writes the
//! outcome. Colour is decided here, once.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use termcolor::{BufferedStandardStream, ColorChoice};

use loupe::indexer::{self, IndexOptions};
use loupe::progress::{self, ProgressReporter};
use loupe::ranking::Ranking;
use loupe::search::{PassageSearcher, SearchOptions, SortOrder};
use loupe::{eval, location, render, stats, store};

use crate::cli::{
    Cli, ColorWhen, Command, EvalArgs, Format, IndexArgs, SearchArgs, Sort, StatsArgs, StatsFormat,
    Switch,
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
        // The text header and JSON show the number of all matches; JSON Lines does not.
        count_total: args.format != Format::Jsonl,
        ..SearchOptions::default()
    };
    let query = args.query.join(" ");
    let mut results = searcher.search(&query, &options)?;
    searcher.check_freshness(&mut results, &corpus)?;
    for warning in &results.warnings {
        eprintln!("loupe: warning: {warning}");
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
    let read = |path: &Path| {
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
    };
    let queries = eval::parse_queries(&read(&args.queries)?)
        .map_err(|e| anyhow::anyhow!("{}: {e}", args.queries.display()))?;
    let qrels = eval::parse_qrels(&read(&args.qrels)?)
        .map_err(|e| anyhow::anyhow!("{}: {e}", args.qrels.display()))?;
    let corpus = location::corpus_for(
        &args.locations.index,
        args.locations.corpus.as_deref(),
        false,
    )?;
    ensure_built(&corpus, &args.locations.index)?;
    let searcher = PassageSearcher::open(&args.locations.index)?;
    let mut run_file = match &args.run {
        Some(path) => Some(std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot write {}", path.display()))?,
        )),
        None => None,
    };
    let defaults = Ranking::default();
    let ranking_settings = Ranking {
        title_boost: args.title_boost.unwrap_or(defaults.title_boost),
        stop_words: args
            .stop_words
            .map_or(defaults.stop_words, |s| s == Switch::On),
        proximity: args.proximity.unwrap_or(defaults.proximity),
        feedback_terms: args.feedback_terms.unwrap_or(defaults.feedback_terms),
        feedback_passages: args.feedback_passages.unwrap_or(defaults.feedback_passages),
        original_weight: args.original_weight.unwrap_or(defaults.original_weight),
        other_passages: args.other_passages.unwrap_or(defaults.other_passages),
        proximity_window: args.proximity_window.unwrap_or(defaults.proximity_window),
        ..defaults
    };
    let mut per_query = Vec::new();
    for (qid, text) in &queries {
        let Some(judgments) = qrels.get(qid) else {
            continue;
        };
        let ranking = searcher.rank_documents(text, args.depth as usize, &ranking_settings)?;
        if let Some(out) = run_file.as_mut() {
            eval::write_run(out, qid, &ranking, "loupe")?;
        }
        let docids: Vec<String> = ranking.into_iter().map(|(d, _)| d).collect();
        per_query.push((qid.clone(), eval::evaluate(&docids, judgments)));
    }
    if let Some(mut out) = run_file {
        out.flush()?;
    }
    if per_query.is_empty() {
        anyhow::bail!(
            "no query in {} has judgments in {}",
            args.queries.display(),
            args.qrels.display()
        );
    }
    let overall = eval::mean(&per_query.iter().map(|(_, m)| *m).collect::<Vec<_>>());
    let mut out = std::io::stdout().lock();
    match args.format {
        StatsFormat::Json => {
            let metrics = |m: &eval::Metrics| serde_json::json!({"ndcg@10": m.ndcg_10, "map": m.map, "p@10": m.p_10, "recall@100": m.recall_100, "mrr": m.mrr});
            let mut json =
                serde_json::json!({"queries": per_query.len(), "overall": metrics(&overall)});
            if args.per_query {
                json["per_query"] = per_query
                    .iter()
                    .map(|(q, m)| {
                        let mut v = metrics(m);
                        v["qid"] = serde_json::json!(q);
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
                for (qid, m) in &per_query {
                    writeln!(out, "{}", line(qid, m))?;
                }
            }
            writeln!(
                out,
                "{}",
                line(&format!("all ({})", per_query.len()), &overall)
            )?;
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
