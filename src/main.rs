//! The `loupe` binary: parse arguments, run the command, print errors, exit with the
//! documented code (0 found, 1 nothing found, 2 error; a closed pipe is not an error).

mod cli;
mod commands;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return argument_error(err),
    };
    match commands::run(cli) {
        Ok(code) => code,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("loupe: {err:#}");
            ExitCode::from(2)
        }
    }
}

/// Prints clap's message (and exits as clap would); a search for a word that starts with `-`
/// gets a hint, since clap reads `-foo` as the flags `-f -o -o`.
fn argument_error(err: clap::Error) -> ExitCode {
    let _ = err.print();
    if err.kind() == clap::error::ErrorKind::UnknownArgument {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let is_search = args.first().is_some_and(|a| a == "search");
        let dashed = args
            .iter()
            .take_while(|a| *a != "--")
            .find(|a| a.starts_with('-') && !a.starts_with("--") && a.len() > 2);
        if let (true, Some(word)) = (is_search, dashed) {
            eprintln!(
                "\nhint: to search for `{word}`, put `--` before the query: loupe search -- {word}"
            );
        }
    }
    ExitCode::from(err.exit_code().clamp(0, 255) as u8)
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
