//! `loupe serve`: a search page and a JSON API over one open index, on the local machine.
//! The index is opened once and follows the commits of `loupe index` runs beside it (or of
//! the watch, with `--watch`); searches run on blocking threads, each cut off after
//! [`SEARCH_TIMEOUT`].

mod api;
mod page;
mod watch;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::error::{Error, Result};
use crate::search::PassageSearcher;

/// A search that takes longer is answered with an error (and its result dropped).
pub const SEARCH_TIMEOUT: Duration = Duration::from_secs(10);

/// Longest request target (path and query) accepted, in bytes.
const MAX_URI_BYTES: usize = 8 * 1024;

/// What `loupe serve` serves.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The index folder.
    pub index_dir: PathBuf,
    /// The corpus the index was built from (articles are read from it).
    pub corpus: PathBuf,
    /// Where to listen.
    pub addr: SocketAddr,
    /// Follow the corpus folder and update the index as files change.
    pub watch: bool,
}

/// What every request handler shares.
struct Shared {
    searcher: PassageSearcher,
    options: ServeOptions,
}

type State = Arc<Shared>;

/// Serves until Ctrl-C or SIGTERM; `ready` is told the address actually bound (port 0 picks
/// a free one) once connections are accepted.
pub fn serve(options: ServeOptions, ready: impl FnOnce(SocketAddr)) -> Result<()> {
    let searcher =
        PassageSearcher::open_following_commits(&options.index_dir)?.with_corpus(&options.corpus);
    let state = Arc::new(Shared {
        searcher,
        options: options.clone(),
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Io {
            path: options.index_dir.clone(),
            error: e,
        })?;
    let watch = if options.watch {
        Some(watch::Watch::start(&options.corpus, &options.index_dir)?)
    } else {
        None
    };
    let served = runtime.block_on(async move {
        let io_error = |e| Error::Io {
            path: PathBuf::from(options.addr.to_string()),
            error: e,
        };
        let listener = tokio::net::TcpListener::bind(options.addr)
            .await
            .map_err(io_error)?;
        ready(listener.local_addr().map_err(io_error)?);
        axum::serve(listener, router(state))
            .with_graceful_shutdown(shutdown_signal())
            .await
            .map_err(io_error)
    });
    if let Some(watch) = watch {
        watch.stop();
    }
    served
}

/// The routes.
fn router(state: State) -> Router {
    Router::new()
        .route("/", get(page::index))
        .route("/app.js", get(page::script))
        .route("/style.css", get(page::style))
        .route("/api/search", get(api::search))
        .route("/api/doc", get(api::document))
        .route("/api/stats", get(api::stats))
        .route("/healthz", get(api::health))
        .method_not_allowed_fallback(api::method_not_allowed)
        .fallback(api::not_found)
        .layer(middleware::from_fn(refuse_oversized))
        .with_state(state)
}

/// Requests with a very long target, or any body (nothing here takes one), are refused.
async fn refuse_oversized(request: Request, next: Next) -> Response {
    let target = request
        .uri()
        .path_and_query()
        .map_or(0, |p| p.as_str().len());
    if target > MAX_URI_BYTES {
        return api::error(
            StatusCode::URI_TOO_LONG,
            format!("the request is longer than {MAX_URI_BYTES} bytes"),
        );
    }
    let has_body = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim() != "0")
        || request.headers().contains_key(header::TRANSFER_ENCODING);
    if has_body {
        return api::error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "requests here take no body".to_string(),
        );
    }
    next.run(request).await.into_response()
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
