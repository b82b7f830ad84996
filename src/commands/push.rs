//! `loupe push`: bring the local index up to date, then carry it to an OpenSearch cluster.

use std::process::ExitCode;

use anyhow::Result;

use loupe::index::indexer::IndexOptions;
use loupe::index::location;
use loupe::progress::PushProgress;
use loupe::remote::{self, Client, PushOptions};

use crate::cli::PushArgs;

/// Runs `loupe push`.
pub fn run(args: PushArgs) -> Result<ExitCode> {
    // The URL is checked before any indexing work.
    let client = Client::new(&args.url)?;
    let index_dir = &args.locations.index;
    let corpus = location::corpus_for(index_dir, args.locations.corpus.as_deref(), false)?;
    super::build(&IndexOptions::new(&corpus, index_dir))?;
    let options = PushOptions {
        shards: args.shards,
        replicas: args.replicas,
        rebuild: args.rebuild,
        ..PushOptions::new(&args.index_name)
    };
    let report = remote::push(&client, index_dir, &options, &mut PushProgress::default())?;
    eprintln!(
        "loupe: pushed to '{}' at {}: {}{} sent ({}), {} already there, {} removed; the remote index holds {}",
        args.index_name,
        client.url(),
        if report.created { "index created, " } else { "" },
        loupe::plural(report.files_sent as u64, "file"),
        loupe::plural(report.passages_sent, "passage"),
        report.files_unchanged,
        report.files_deleted,
        loupe::plural(report.remote_passages, "passage"),
    );
    Ok(ExitCode::SUCCESS)
}
