//! Writing search results for people (coloured text) and programs (JSON, JSON Lines).
//! Renderers receive the colour decision; they never look at the terminal themselves.

pub mod json;
mod text;

pub use json::{write_json, write_jsonl, JsonHit, JsonResults, JsonSuggestion};
pub use text::{write_text, write_text_to_width};
