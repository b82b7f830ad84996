//! The search page: three files embedded in the binary (no CDN, no build step), so it works
//! offline. All text from the corpus and the query is put in the page as text, never as HTML.

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// `GET /`: the page (the query and the article shown live in the URL).
pub async fn index() -> Response {
    asset("text/html; charset=utf-8", include_str!("page/index.html"))
}

/// `GET /app.js`.
pub async fn script() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("page/app.js"),
    )
}

/// `GET /style.css`.
pub async fn style() -> Response {
    asset("text/css; charset=utf-8", include_str!("page/style.css"))
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'",
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        body,
    )
        .into_response()
}
