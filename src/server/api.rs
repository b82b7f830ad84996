//! The JSON API: `/api/search`, `/api/doc`, `/api/stats`, `/healthz`. Bad input gets a 4xx
//! answer `{"error": "…"}`; field names and meanings are those of `loupe search --format json`.

use std::path::{Component, Path};

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use super::{State as Shared, SEARCH_TIMEOUT};
use crate::date::Date;
use crate::error::Error;
use crate::render::json;
use crate::search::view::ArticleLookup;
use crate::search::{Counting, SearchOptions, SortOrder};

/// Most hits one request may ask for.
pub const MAX_LIMIT: usize = 100;
/// Deepest page: `offset + limit` at most this.
pub const MAX_DEPTH: usize = 1000;

/// An error answer: `status` with `{"error": message}`.
pub fn error(status: StatusCode, message: String) -> Response {
    (status, Json(serde_json::json!({ "error": message }))).into_response()
}

/// A known path asked with another method than GET (or HEAD).
pub async fn method_not_allowed() -> Response {
    error(
        StatusCode::METHOD_NOT_ALLOWED,
        "only GET requests are answered here".to_string(),
    )
}

/// Any other path.
pub async fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "no such page".to_string())
}

/// `GET /healthz`.
pub async fn health() -> Response {
    Json(serde_json::json!({ "status": "ok" })).into_response()
}

/// Parameters of `/api/search`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    q: String,
    #[serde(default, deserialize_with = "number_or_empty")]
    limit: Option<usize>,
    #[serde(default, deserialize_with = "number_or_empty")]
    offset: Option<usize>,
    #[serde(default, deserialize_with = "number_or_empty")]
    per_doc: Option<usize>,
    since: Option<String>,
    until: Option<String>,
    sort: Option<String>,
}

/// A whole-number parameter; empty (`limit=`, as a form sends a blank field) means not given,
/// as for the dates.
fn number_or_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<usize>, D::Error> {
    let text: Option<String> = Option::deserialize(d)?;
    match text.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => text
            .parse()
            .map(Some)
            .map_err(|_| serde::de::Error::custom(format!("`{text}` is not a whole number"))),
    }
}

/// `GET /api/search?q=…&limit=&offset=&per_doc=&since=&until=&sort=`: the same JSON as
/// `loupe search --format json`, for hits `offset + 1` to `offset + limit`.
pub async fn search(
    State(shared): State<Shared>,
    params: Result<Query<SearchParams>, QueryRejection>,
) -> Response {
    let params = match params {
        Ok(Query(p)) => p,
        Err(rejection) => return error(StatusCode::BAD_REQUEST, rejection.body_text()),
    };
    let (options, offset) = match search_options(&params) {
        Ok(parsed) => parsed,
        Err(message) => return error(StatusCode::BAD_REQUEST, message),
    };
    let query = params.q;
    let answer = blocking(move || {
        let mut results = shared.searcher.search(&query, &options)?;
        shared
            .searcher
            .check_freshness(&mut results, &shared.options.corpus)?;
        results.hits.drain(..offset.min(results.hits.len()));
        Ok(json::results(&results))
    })
    .await;
    match answer {
        Ok(results) => Json(results).into_response(),
        Err(response) => response,
    }
}

/// The search options and offset asked for, or what is wrong with them.
fn search_options(params: &SearchParams) -> Result<(SearchOptions, usize), String> {
    let limit = params.limit.unwrap_or(10);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(format!("limit must be between 1 and {MAX_LIMIT}"));
    }
    let offset = params.offset.unwrap_or(0);
    if offset.saturating_add(limit) > MAX_DEPTH {
        return Err(format!(
            "offset + limit must be at most {MAX_DEPTH} (refine the query instead)"
        ));
    }
    let date = |name: &str, value: &Option<String>| -> Result<Option<Date>, String> {
        match value.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(text) => Date::parse(text)
                .map(Some)
                .ok_or_else(|| format!("{name} must be a date YYYY-MM-DD, not `{text}`")),
        }
    };
    let sort = match params.sort.as_deref() {
        None | Some("") | Some("relevance") => SortOrder::Relevance,
        Some("date") => SortOrder::Date,
        Some(other) => return Err(format!("sort must be relevance or date, not `{other}`")),
    };
    let options = SearchOptions {
        limit: offset + limit,
        per_document: params.per_doc.unwrap_or(2),
        since: date("since", &params.since)?,
        until: date("until", &params.until)?,
        sort,
        count: Counting::Exact,
        ..SearchOptions::default()
    };
    Ok((options, offset))
}

/// Parameters of `/api/doc`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentParams {
    path: String,
    q: Option<String>,
}

/// `GET /api/doc?path=…[&q=…]`: the whole article at `path` (relative to the corpus), with
/// its passages' byte ranges and, with `q`, the query's matches in its text.
pub async fn document(
    State(shared): State<Shared>,
    params: Result<Query<DocumentParams>, QueryRejection>,
) -> Response {
    let params = match params {
        Ok(Query(p)) => p,
        Err(rejection) => return error(StatusCode::BAD_REQUEST, rejection.body_text()),
    };
    if !is_plain_relative(&params.path) {
        return error(
            StatusCode::BAD_REQUEST,
            "path must be a document's path relative to the corpus".to_string(),
        );
    }
    let answer = blocking(move || {
        shared.searcher.article(
            &shared.options.corpus,
            &params.path,
            params.q.as_deref().filter(|q| !q.trim().is_empty()),
        )
    })
    .await;
    match answer {
        Ok(ArticleLookup::Found(article)) => Json(article).into_response(),
        Ok(ArticleLookup::NotIndexed) => error(
            StatusCode::NOT_FOUND,
            "no such document in the index".to_string(),
        ),
        Ok(ArticleLookup::Unavailable(why)) => error(StatusCode::NOT_FOUND, why),
        Err(response) => response,
    }
}

/// True for a path made only of normal components: nothing absolute, no `..`.
fn is_plain_relative(path: &str) -> bool {
    !path.is_empty()
        && !path.contains('\\')
        && Path::new(path)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

/// `GET /api/stats`: what `loupe stats --format json` prints.
pub async fn stats(State(shared): State<Shared>) -> Response {
    let dir = shared.options.index_dir.clone();
    match blocking(move || crate::stats::collect(&dir)).await {
        Ok(stats) => Json(stats).into_response(),
        Err(response) => response,
    }
}

/// Runs `work` on a blocking thread, cut off after [`SEARCH_TIMEOUT`]; loupe errors become
/// answers (a malformed query is the client's error, 400; the rest 500).
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> crate::error::Result<T> + Send + 'static,
) -> Result<T, Response> {
    let task = tokio::task::spawn_blocking(work);
    match tokio::time::timeout(SEARCH_TIMEOUT, task).await {
        Err(_) => Err(error(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "the request took longer than {} s and was stopped",
                SEARCH_TIMEOUT.as_secs()
            ),
        )),
        Ok(Err(_)) => Err(error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the request failed".to_string(),
        )),
        Ok(Ok(Err(Error::Query(message)))) => Err(error(StatusCode::BAD_REQUEST, message)),
        Ok(Ok(Err(other))) => Err(error(StatusCode::INTERNAL_SERVER_ERROR, other.to_string())),
        Ok(Ok(Ok(value))) => Ok(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_relative_paths_name_documents() {
        assert!(is_plain_relative("a.txt"));
        assert!(is_plain_relative("news/2026/a.txt"));
        for bad in [
            "",
            "../a.txt",
            "/etc/passwd",
            "a/../../b",
            "..\\x",
            "./a.txt",
        ] {
            assert!(!is_plain_relative(bad), "{bad}");
        }
    }
}
