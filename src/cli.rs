//! Command-line arguments (clap derive). Only parsing and validation live here; the commands
//! themselves are in `commands.rs`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Full-text search over a folder of text documents: ranked, highlighted passages.
#[derive(Debug, Parser)]
#[command(name = "loupe", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// loupe's subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the index, or bring it up to date with the corpus (only new, changed and removed files are processed).
    Index(IndexArgs),
    /// Search the index; builds it first when it does not exist yet.
    Search(SearchArgs),
    /// Show figures about the index.
    Stats(StatsArgs),
    /// Measure ranking quality against relevance judgments (nDCG@10, MAP, P@10, Recall@100, MRR).
    Eval(EvalArgs),
    /// Serve a search page and a JSON API on this machine (builds the index first when missing).
    Serve(ServeArgs),
    /// Bring the index up to date, then carry it to an OpenSearch cluster (only new, changed and removed files are sent).
    Push(PushArgs),
    /// Print a shell completion script (e.g. `loupe completions bash > ~/.local/share/bash-completion/completions/loupe`).
    Completions(CompletionsArgs),
    /// Print the manual page in roff (e.g. `loupe man > ~/.local/share/man/man1/loupe.1`).
    Man,
}

/// `loupe completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Where the corpus and the index are.
#[derive(Debug, Args)]
pub struct Locations {
    /// Folder of documents (.txt, .md), read recursively [default: the corpus the index was built from, else ./corpus]
    #[arg(long, value_name = "DIR")]
    pub corpus: Option<PathBuf>,
    /// Folder of the index.
    #[arg(long, value_name = "DIR", default_value = "index")]
    pub index: PathBuf,
}

/// `loupe serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub locations: Locations,
    /// Address to listen on; port 0 picks a free port. Only the loopback address is the default:
    /// another one opens the index to the network.
    #[arg(long, value_name = "IP:PORT", default_value = "127.0.0.1:7700")]
    pub addr: std::net::SocketAddr,
    /// Follow the corpus folder: index added, changed, renamed and removed files a moment after they change.
    #[arg(long)]
    pub watch: bool,
}

/// A remote index on an OpenSearch cluster.
#[derive(Debug, Args)]
pub struct Remote {
    /// Use the index on the OpenSearch cluster at URL instead of the local one (http://HOST:PORT; several nodes' URLs separated by commas are tried in turn).
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Name of the remote index.
    #[arg(long, value_name = "NAME", default_value = loupe::remote::DEFAULT_INDEX_NAME, requires = "url")]
    pub index_name: String,
}

/// `loupe push`.
#[derive(Debug, Args)]
pub struct PushArgs {
    #[command(flatten)]
    pub locations: Locations,
    /// The OpenSearch cluster (http://HOST:PORT; several nodes' URLs separated by commas are tried in turn).
    #[arg(long, value_name = "URL")]
    pub url: String,
    /// Name of the remote index.
    #[arg(long, value_name = "NAME", default_value = loupe::remote::DEFAULT_INDEX_NAME)]
    pub index_name: String,
    /// Primary shards, when the remote index is created.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub shards: u32,
    /// Replicas of each shard, when the remote index is created.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub replicas: u32,
    /// Delete the remote index and push everything again (also to change --shards, or an index another loupe made).
    #[arg(long)]
    pub rebuild: bool,
}

/// `loupe index`.
#[derive(Debug, Args)]
pub struct IndexArgs {
    #[command(flatten)]
    pub locations: Locations,
    /// Re-index every file from scratch (also from another --corpus, or to mend a damaged index); the old index stays in place until the new one is committed.
    #[arg(long)]
    pub rebuild: bool,
    /// Go ahead even when the update would remove more than half of the indexed documents.
    #[arg(long)]
    pub force: bool,
    /// Memory budget of indexing, in MB (peak memory stays within about this plus 150 MB).
    #[arg(long, value_name = "MB", default_value_t = 256, value_parser = clap::value_parser!(u64).range(32..=65536))]
    pub memory_mb: u64,
    /// Indexing threads [default: one per core, at most 4].
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Commit progress after about this many MB of new text, so an interrupted build keeps it.
    #[arg(long, value_name = "MB", default_value_t = 512, value_parser = clap::value_parser!(u64).range(1..))]
    pub commit_every_mb: u64,
    /// If another loupe is updating the index, wait for it instead of failing.
    #[arg(long)]
    pub wait: bool,
}

/// Output formats of `search`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people: path, line, title and a highlighted snippet.
    Text,
    /// One JSON object with all hits.
    Json,
    /// One JSON object per hit, one per line.
    Jsonl,
}

/// Output formats of `stats`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatsFormat {
    /// For people.
    Text,
    /// One JSON object.
    Json,
}

/// When to use colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    /// When stdout is a terminal and NO_COLOR is not set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// Result order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Sort {
    /// Best match first.
    Relevance,
    /// Newest first.
    Date,
}

/// `loupe search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The query: words, "exact phrases", +required, -excluded, AND/OR/NOT, prefix*, fuzzy~1, title:, path:, date:. Put `--` before a query that starts with `-`: everything after `--` is query text, options included.
    #[arg(required = true, value_name = "QUERY")]
    pub query: Vec<String>,
    #[command(flatten)]
    pub locations: Locations,
    #[command(flatten)]
    pub remote: Remote,
    /// Number of passages to show (at most 10000).
    #[arg(short = 'n', long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=10000))]
    pub limit: u64,
    /// At most N passages from one document (0: no cap).
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub per_doc: usize,
    /// Show how each score is made up.
    #[arg(long)]
    pub explain: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// When to colour the matches.
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
    /// Only documents dated on or after this day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub since: Option<loupe::date::Date>,
    /// Only documents dated on or before this day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub until: Option<loupe::date::Date>,
    /// Result order.
    #[arg(long, value_enum, default_value_t = Sort::Relevance)]
    pub sort: Sort,
    /// Bring the index up to date with the corpus before searching.
    #[arg(long, conflicts_with = "url")]
    pub refresh: bool,
    /// Read the query as plain words (no operators, quotes or fields).
    #[arg(long)]
    pub plain: bool,
}

/// `loupe eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Queries, one per line: `qid<TAB>text` (the text is read as plain words, no query syntax).
    #[arg(long, value_name = "FILE", requires = "qrels", conflicts_with_all = ["suite", "known_item"])]
    pub queries: Option<PathBuf>,
    /// Relevance judgments in TREC format: `qid 0 docid gain` (gain 0: judged not relevant).
    #[arg(long, value_name = "FILE", requires = "queries")]
    pub qrels: Option<PathBuf>,
    /// Evaluate every collection in DIR (each sub-folder with queries.tsv, qrels.txt and docs/), with this ranking and with plain BM25, in one table.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["known_item", "url"])]
    pub suite: Option<PathBuf>,
    /// Known-item search on the corpus: each document with a unique title is looked for by its title, its quoted title and three of its words.
    #[arg(long)]
    pub known_item: bool,
    /// With --known-item: at most this many documents, spread evenly over the corpus.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub sample: usize,
    #[command(flatten)]
    pub locations: Locations,
    #[command(flatten)]
    pub remote: Remote,
    /// Documents ranked per query (at most 10000).
    #[arg(long, value_name = "N", default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..=10000))]
    pub depth: u64,
    /// Also write the rankings as a TREC run file (for trec_eval); with --known-item, the queries (`form<TAB>docid<TAB>query`).
    #[arg(long, value_name = "FILE")]
    pub run: Option<PathBuf>,
    /// Show the metrics of every query too.
    #[arg(long)]
    pub per_query: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = StatsFormat::Text)]
    pub format: StatsFormat,
    /// The ranking: loupe's default, or plain BM25 with the same analysis.
    #[arg(long, value_enum, default_value_t = RankingName::Default)]
    pub ranking: RankingName,
    /// Ranking variant: leave stop words out of plain-word queries (default on).
    #[arg(long, value_enum, value_name = "on|off")]
    pub stop_words: Option<Switch>,
    /// Ranking variant: weight of neighbouring query words found together (default 0.1).
    #[arg(long, value_name = "WEIGHT")]
    pub proximity: Option<f32>,
    /// Ranking variant: extra positions allowed between neighbouring query words (default 1).
    #[arg(long, value_name = "N")]
    pub proximity_window: Option<u32>,
    /// Ranking variant: weight of the document's score in a passage's (default 1).
    #[arg(long, value_name = "WEIGHT")]
    pub document_weight: Option<f32>,
    /// Ranking variant: extra score for passages with the words exactly as typed (default 0.01).
    #[arg(long, value_name = "WEIGHT")]
    pub exact_form: Option<f32>,
    /// Ranking variant: words pseudo-relevance feedback adds to plain-word queries (default 20; 0: off).
    #[arg(long, value_name = "N")]
    pub feedback_terms: Option<usize>,
    /// Ranking variant: how many query words the added words weigh together (default 5).
    #[arg(long, value_name = "WORDS")]
    pub feedback_weight: Option<f32>,
    /// Ranking variant: the fewest query words (stop words left out) that feedback expands (default 7).
    #[arg(long, value_name = "N")]
    pub feedback_min_words: Option<usize>,
    /// Ranking variant: how many of the best passages by their words the bonuses re-rank (default 400).
    #[arg(long, value_name = "N")]
    pub rescored: Option<usize>,
}

/// Named rankings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RankingName {
    /// loupe's ranking.
    Default,
    /// Plain BM25 (BM25F over title and passage), nothing else.
    Bm25,
}

/// On or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Switch {
    /// Enabled.
    On,
    /// Disabled.
    Off,
}

/// `loupe stats`.
#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Folder of the index.
    #[arg(long, value_name = "DIR", default_value = "index")]
    pub index: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = StatsFormat::Text)]
    pub format: StatsFormat,
}

fn parse_date(s: &str) -> Result<loupe::date::Date, String> {
    loupe::date::Date::parse(s)
        .ok_or_else(|| format!("'{s}' is not a date; write YYYY-MM-DD, e.g. 2026-01-31"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_words_and_defaults() {
        let cli = Cli::try_parse_from(["loupe", "search", "oil", "prices"]).unwrap();
        let Command::Search(args) = cli.command else {
            panic!("not search")
        };
        assert_eq!(args.query, ["oil", "prices"]);
        assert_eq!(
            (args.limit, args.format, args.color),
            (10, Format::Text, ColorWhen::Auto)
        );
        assert_eq!(args.locations.corpus, None);
    }

    #[test]
    fn bad_values_are_rejected() {
        assert!(Cli::try_parse_from(["loupe", "search", "x", "--since", "2026-13-01"]).is_err());
        assert!(Cli::try_parse_from(["loupe", "search", "x", "--limit", "0"]).is_err());
        assert!(Cli::try_parse_from(["loupe", "search"]).is_err());
        assert!(Cli::try_parse_from(["loupe", "index", "--memory-mb", "1"]).is_err());
    }
}
