//! The binary's commands, one file each: each turns parsed arguments into library calls and
//! writes the outcome. What several share (building a missing index) lives here.

mod eval;
mod index;
mod push;
mod search;
mod serve;
mod stats;

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use loupe::index::indexer::{self, IndexOptions};
use loupe::index::store;
use loupe::progress::{self, ProgressReporter};

use crate::cli::{Cli, Command};

/// Runs the command and returns the exit code for a normal outcome.
pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Index(args) => index::run(args),
        Command::Search(args) => search::run(args),
        Command::Stats(args) => stats::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Push(args) => push::run(args),
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

pub(crate) fn build(options: &IndexOptions) -> Result<()> {
    let mut reporter = ProgressReporter::default();
    let report = indexer::run(options, &mut reporter)?;
    eprintln!("loupe: {}", progress::summary(&report));
    Ok(())
}

/// Builds the index when there is none, announcing it on stderr; true when it was there.
/// A damaged or foreign folder is an error, never silently rebuilt.
pub(crate) fn ensure_built(corpus: &Path, index_dir: &Path) -> Result<bool> {
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
        store::IndexState::Unreadable(detail) => Err(store::unreadable(index_dir, detail).into()),
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
