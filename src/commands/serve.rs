//! `loupe serve`: the search page and JSON API, until Ctrl-C or SIGTERM.

use std::process::ExitCode;

use anyhow::Result;

use loupe::index::location;
use loupe::server::{self, ServeOptions};

use crate::cli::ServeArgs;

/// Runs `loupe serve`.
pub fn run(args: ServeArgs) -> Result<ExitCode> {
    let index_dir = &args.locations.index;
    let corpus = location::corpus_for(index_dir, args.locations.corpus.as_deref(), false)?;
    super::ensure_built(&corpus, index_dir)?;
    let options = ServeOptions {
        index_dir: index_dir.clone(),
        corpus,
        addr: args.addr,
        watch: args.watch,
    };
    server::serve(options, |addr| {
        eprintln!("loupe: serving http://{addr}/ (Ctrl-C stops)");
    })?;
    eprintln!("loupe: stopped");
    Ok(ExitCode::SUCCESS)
}
