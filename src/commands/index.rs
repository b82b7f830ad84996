//! `loupe index`: build the index, or bring it up to date.

use std::process::ExitCode;

use anyhow::Result;

use loupe::index::indexer::IndexOptions;
use loupe::index::location;

use crate::cli::IndexArgs;

/// Runs `loupe index`.
pub fn run(args: IndexArgs) -> Result<ExitCode> {
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
    super::build(&options)?;
    Ok(ExitCode::SUCCESS)
}
