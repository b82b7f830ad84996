//! `loupe search`: answer a query, with warnings and suggestions on stderr. Colour is
//! decided here, once.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use anyhow::Result;
use termcolor::{BufferedStandardStream, ColorChoice};

use loupe::index::indexer::IndexOptions;
use loupe::index::location;
use loupe::remote::{Client, RemoteSearcher};
use loupe::render;
use loupe::search::{Counting, PassageSearcher, SearchOptions, SortOrder};

use crate::cli::{ColorWhen, Format, SearchArgs, Sort};

/// Runs `loupe search`.
pub fn run(args: SearchArgs) -> Result<ExitCode> {
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
    let results = match &args.remote.url {
        Some(url) => {
            let searcher = RemoteSearcher::new(Client::new(url)?, &args.remote.index_name);
            searcher.search(&query, &options)?
        }
        None => {
            let index_dir = &args.locations.index;
            let corpus = location::corpus_for(index_dir, args.locations.corpus.as_deref(), false)?;
            let was_built = super::ensure_built(&corpus, index_dir)?;
            let mut busy = None;
            if was_built && args.refresh {
                // Another run bringing the index up to date does what was asked: its last
                // commit is searched, and the staleness check says what it does not hold yet.
                if let Err(e) = super::build(&IndexOptions::new(&corpus, index_dir)) {
                    match e.downcast_ref::<loupe::Error>() {
                        Some(loupe::Error::IndexLocked { holder, .. }) => busy = Some(*holder),
                        _ => return Err(e),
                    }
                }
            }
            let searcher = PassageSearcher::open(index_dir)?.with_corpus(&corpus);
            let mut results = searcher.search(&query, &options)?;
            if let Some(holder) = busy {
                let pid = holder
                    .map(|pid| format!(" (pid {pid})"))
                    .unwrap_or_default();
                results.warnings.push(format!(
                    "--refresh: another loupe process{pid} is updating the index; these results are from its last commit"
                ));
            }
            searcher.check_freshness(&mut results, &corpus)?;
            // The process ends once the results are printed, and its exit unmaps the index's
            // files at once; dropping the searcher would unmap them one call at a time.
            std::mem::forget(searcher);
            results
        }
    };
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
