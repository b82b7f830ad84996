//! `loupe stats`: figures about an index.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use loupe::stats;

use crate::cli::{StatsArgs, StatsFormat};

/// Runs `loupe stats`.
pub fn run(args: StatsArgs) -> Result<ExitCode> {
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
            for (i, l) in stats.languages.iter().enumerate() {
                let label = if i == 0 { "languages" } else { "" };
                writeln!(
                    out,
                    "{label:<12} {:<4} {} passages, {} documents",
                    l.lang, l.passages, l.documents
                )?;
            }
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
