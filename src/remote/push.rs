//! `loupe push`: bringing a remote index up to date with the local one. Every passage of the
//! local index becomes one remote document, with an id made of its path and passage number
//! (so a second push overwrites, never duplicates) and its file's content hash and passage
//! count. The cluster itself is the push state: a file whose passages are all there with the
//! current hash is up to date, so an interrupted push resumes where it stopped, and nothing
//! on this machine can disagree with what the cluster holds.

use std::collections::HashMap;
use std::path::Path;

use serde_json::{json, Value};
use tantivy::schema::Value as _;
use tantivy::{DocAddress, TantivyDocument};

use crate::analysis::{self, Analysis};
use crate::error::{Error, IndexContext, IoContext, Result};
use crate::index::location;
use crate::index::manifest;
use crate::index::schema::Fields;
use crate::index::store::Store;
use crate::remote::client::Client;
use crate::remote::mapping::{self, FieldSet};
use crate::search::count;
use crate::search::passage_text::PassageTexts;

/// What to push where.
#[derive(Debug, Clone)]
pub struct PushOptions {
    /// The remote index's name.
    pub index_name: String,
    /// Primary shards of a newly created remote index.
    pub shards: u32,
    /// Replicas of each shard of a newly created remote index.
    pub replicas: u32,
    /// Delete the remote index and push everything again.
    pub rebuild: bool,
    /// A bulk request carries about this many bytes.
    pub batch_bytes: usize,
}

impl PushOptions {
    /// Defaults for `index_name`: one shard, one replica, 5 MB bulk requests.
    pub fn new(index_name: impl Into<String>) -> PushOptions {
        PushOptions {
            index_name: index_name.into(),
            shards: 1,
            replicas: 1,
            rebuild: false,
            batch_bytes: 5 << 20,
        }
    }
}

/// Follows a push (the command shows a progress bar).
pub trait PushObserver {
    /// `passages` of `files` files are about to be sent.
    fn started(&mut self, _files: usize, _passages: u64) {}
    /// `passages` more were accepted by the cluster.
    fn sent(&mut self, _passages: u64) {}
    /// Sending is over.
    fn finished(&mut self) {}
}

/// A [`PushObserver`] that shows nothing.
pub struct Quiet;
impl PushObserver for Quiet {}

/// What a push did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PushReport {
    /// The remote index was created (or recreated) by this push.
    pub created: bool,
    /// Files whose passages were sent (new or changed).
    pub files_sent: usize,
    /// Passages sent.
    pub passages_sent: u64,
    /// Files already up to date in the cluster.
    pub files_unchanged: usize,
    /// Files removed from the cluster (no longer in the local index).
    pub files_deleted: usize,
    /// Documents (passages) the remote index holds afterwards.
    pub remote_passages: u64,
}

/// Brings the remote index `options.index_name` up to date with the local index in
/// `index_dir`: creates it when missing, sends the passages of new and changed files, and
/// deletes those of files the local index no longer has.
pub fn push(
    client: &Client,
    index_dir: &Path,
    options: &PushOptions,
    observer: &mut dyn PushObserver,
) -> Result<PushReport> {
    check_index_name(&options.index_name)?;
    let store = Store::open(index_dir)?;
    let reader = store.index.reader().context("opening the index")?;
    let searcher = reader.searcher();
    let records = manifest::load(&searcher, &store.fields)?;
    let texts = PassageTexts::new(&location::corpus_for(index_dir, None, false)?);
    let name = &options.index_name;
    let prepared = prepare_remote_index(client, options)?;
    let mut report = PushReport {
        created: prepared.created,
        ..PushReport::default()
    };
    // What the cluster holds: as this machine last pushed it, when that is still so, else
    // listed from the cluster.
    let uuid = index_uuid(client, name)?;
    let state_file = state_path(index_dir, client, name);
    refresh(client, name)?;
    let remote = match PushState::read(&state_file).filter(|s| s.uuid == uuid) {
        Some(state) if count_passages(client, name)? == state.passages() => state.versions(),
        _ => remote_files(client, name)?,
    };

    let mut to_send: HashMap<u64, &str> = HashMap::new();
    // Ids of passages the cluster holds and the local index no longer has.
    let mut stale: Vec<String> = Vec::new();
    let mut passages = 0;
    for (path, record) in &records {
        let hash = format!("{:016x}", record.hash);
        let versions = remote.get(path.as_str());
        match versions {
            Some(v) if v.len() == 1 && v[0] == (hash.clone(), record.passages) => {
                report.files_unchanged += 1;
                continue;
            }
            None if record.passages == 0 => {
                report.files_unchanged += 1;
                continue;
            }
            _ => {}
        }
        // Passages of an earlier version beyond the new one's last are not overwritten.
        let held = versions.map_or(0, |v| v.iter().map(|(_, n)| *n).max().unwrap_or(0));
        stale.extend((record.passages..held).map(|n| passage_id(path, n)));
        to_send.insert(count::doc_key(path), path.as_str());
        passages += record.passages;
    }
    for (path, versions) in &remote {
        if !records.contains_key(path) {
            report.files_deleted += 1;
            let held = versions.iter().map(|(_, n)| *n).max().unwrap_or(0);
            stale.extend((0..held).map(|n| passage_id(path, n)));
        }
    }

    observer.started(to_send.len(), passages);
    report.files_sent = to_send.len();
    let mut bulk = Bulk::new(client, name, options.batch_bytes);
    for_each_passage(
        &searcher,
        &store.fields,
        &texts,
        &to_send,
        &records,
        |doc| {
            let sent = bulk.index(&doc.id, &doc.body)?;
            report.passages_sent += sent;
            observer.sent(sent);
            Ok(())
        },
    )?;
    let sent = bulk.flush()?;
    report.passages_sent += sent;
    observer.sent(sent);
    for id in &stale {
        bulk.delete(id)?;
    }
    bulk.flush()?;
    observer.finished();
    if prepared.loading {
        // Loaded: now the replicas, and refreshes.
        let settings = mapping::serving_settings(prepared.replicas);
        let answer = client.put_json(&format!("/{name}/_settings"), &settings)?;
        if !answer.ok() {
            return Err(refused(
                client,
                &format!("setting up the replicas of '{name}'"),
                &answer,
            ));
        }
    }
    refresh(client, name)?;
    report.remote_passages = count_passages(client, name)?;
    PushState::of(uuid, &records).write(&state_file)?;
    Ok(report)
}

/// What a push left in a remote index: each file's content hash and number of passages. Kept
/// beside the local index so that the next push need not list the cluster's files (a
/// composite aggregation over every passage, slow on a large index); it is used only while
/// the remote index is the same one (its uuid) and holds exactly the passages it says.
#[derive(serde::Serialize, serde::Deserialize)]
struct PushState {
    uuid: String,
    files: HashMap<String, (String, u64)>,
}

impl PushState {
    fn of(uuid: String, records: &manifest::Manifest) -> PushState {
        let files = records
            .iter()
            .map(|(path, r)| (path.clone(), (format!("{:016x}", r.hash), r.passages)))
            .collect();
        PushState { uuid, files }
    }

    fn read(path: &Path) -> Option<PushState> {
        serde_json::from_slice(&std::fs::read(path).ok()?).ok()
    }

    fn write(&self, path: &Path) -> Result<()> {
        let tmp = path.with_extension("tmp");
        let json = serde_json::to_vec(self).expect("a push state serializes");
        std::fs::write(&tmp, json).with_path(&tmp)?;
        std::fs::rename(&tmp, path).with_path(path)
    }

    fn passages(&self) -> u64 {
        self.files.values().map(|(_, n)| n).sum()
    }

    /// The state as [`remote_files`] gives it.
    fn versions(self) -> HashMap<String, Vec<(String, u64)>> {
        self.files
            .into_iter()
            .filter(|(_, (_, n))| *n > 0)
            .map(|(path, version)| (path, vec![version]))
            .collect()
    }
}

/// Where the state of pushes from the index in `index_dir` to `name` at `client` is kept.
fn state_path(index_dir: &Path, client: &Client, name: &str) -> std::path::PathBuf {
    let target = format!("{}/{name}", client.url());
    index_dir.join(format!(
        "push-{:016x}.json",
        xxhash_rust::xxh3::xxh3_64(target.as_bytes())
    ))
}

/// The remote index's uuid: another index of the same name (deleted and made again) has another.
fn index_uuid(client: &Client, name: &str) -> Result<String> {
    let answer = client.get(&format!("/{name}/_settings/index.uuid"))?;
    if !answer.ok() {
        return Err(refused(
            client,
            &format!("looking up the index '{name}'"),
            &answer,
        ));
    }
    Ok(answer.json()[name]["settings"]["index"]["uuid"]
        .as_str()
        .unwrap_or_default()
        .to_string())
}

/// Index names as OpenSearch accepts them, checked before any request.
fn check_index_name(name: &str) -> Result<()> {
    let valid = !name.is_empty()
        && name.len() <= 255
        && !name.starts_with(['-', '_', '+', '.'])
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c));
    if valid {
        Ok(())
    } else {
        Err(Error::InvalidArgument(format!(
            "'{name}' is not a usable index name: use lower-case letters, digits, '-', '_' and '.', not first"
        )))
    }
}

/// The remote index, ready to be pushed to.
struct Prepared {
    /// It was created by this push.
    created: bool,
    /// It is set up for loading (no replicas, no refreshes): created now, or by a push that
    /// was interrupted.
    loading: bool,
    /// The replicas it is to have.
    replicas: u64,
}

/// Makes sure the remote index exists with this loupe's mapping.
fn prepare_remote_index(client: &Client, options: &PushOptions) -> Result<Prepared> {
    let name = &options.index_name;
    let existing = client.get(&format!("/{name}"))?;
    if existing.ok() {
        let json = existing.json();
        let index = &json[name.as_str()];
        let meta = &index["mappings"]["_meta"];
        let version = meta["loupe_mapping"].as_u64();
        if version == Some(mapping::MAPPING_VERSION) && !options.rebuild {
            return Ok(Prepared {
                created: false,
                loading: index["settings"]["index"]["refresh_interval"] == "-1",
                replicas: meta["replicas"]
                    .as_u64()
                    .unwrap_or(u64::from(options.replicas)),
            });
        }
        if !options.rebuild {
            return Err(Error::Remote(format!(
                "the remote index '{name}' at {} was not made by this loupe ({}); `loupe push --rebuild` deletes and recreates it, or choose another --index-name",
                client.url(),
                match version {
                    Some(v) => format!("mapping version {v}, this loupe writes {}", mapping::MAPPING_VERSION),
                    None => "it has no loupe mapping".to_string(),
                }
            )));
        }
        let deleted = client.delete(&format!("/{name}"))?;
        if !deleted.ok() {
            return Err(refused(
                client,
                &format!("deleting the index '{name}'"),
                &deleted,
            ));
        }
    } else if existing.status != 404 {
        return Err(refused(
            client,
            &format!("looking up the index '{name}'"),
            &existing,
        ));
    }
    let definition = mapping::index_definition(options.shards, options.replicas);
    let created = client.put_json(&format!("/{name}"), &definition)?;
    if !created.ok() {
        return Err(Error::Remote(format!(
            "the cluster at {} refused to create the index '{name}' with loupe's settings and mapping: {}",
            client.url(),
            created.reason()
        )));
    }
    // Wait for the primaries (the only copies while loading), so the first bulk request does
    // not time out on them.
    let health = client.get(&format!(
        "/_cluster/health/{name}?wait_for_status=yellow&timeout=60s"
    ))?;
    if !health.ok() {
        return Err(refused(
            client,
            &format!("waiting for the index '{name}'"),
            &health,
        ));
    }
    Ok(Prepared {
        created: true,
        loading: true,
        replicas: u64::from(options.replicas),
    })
}

/// A failed request as an error that says what was being done.
pub(crate) fn refused(
    client: &Client,
    doing: &str,
    answer: &crate::remote::client::Answer,
) -> Error {
    Error::Remote(format!(
        "{doing} at {} failed ({}): {}",
        client.url(),
        answer.status,
        answer.reason()
    ))
}

/// The versions of each file the remote index holds: its content hashes, each with the
/// number of its passages there.
fn remote_files(client: &Client, name: &str) -> Result<HashMap<String, Vec<(String, u64)>>> {
    let mut files: HashMap<String, Vec<(String, u64)>> = HashMap::new();
    let mut after: Option<Value> = None;
    loop {
        let mut composite = json!({
            "size": 10_000,
            "sources": [
                {"path": {"terms": {"field": "path"}}},
                {"hash": {"terms": {"field": "file_hash"}}},
            ],
        });
        if let Some(after) = after.take() {
            composite["after"] = after;
        }
        let body = json!({"size": 0, "track_total_hits": false, "aggs": {"files": {"composite": composite}}});
        let answer = client.post_json(&format!("/{name}/_search"), &body)?;
        if !answer.ok() {
            return Err(refused(client, "listing the pushed files", &answer));
        }
        let json = answer.json();
        let aggregation = &json["aggregations"]["files"];
        let buckets = aggregation["buckets"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for bucket in &buckets {
            let (Some(path), Some(hash)) = (
                bucket["key"]["path"].as_str(),
                bucket["key"]["hash"].as_str(),
            ) else {
                continue;
            };
            let count = bucket["doc_count"].as_u64().unwrap_or(0);
            files
                .entry(path.to_string())
                .or_default()
                .push((hash.to_string(), count));
        }
        match aggregation.get("after_key") {
            Some(key) if !buckets.is_empty() => after = Some(key.clone()),
            _ => return Ok(files),
        }
    }
}

fn refresh(client: &Client, name: &str) -> Result<()> {
    let answer = client.post_json(&format!("/{name}/_refresh"), &json!({}))?;
    if answer.ok() {
        Ok(())
    } else {
        Err(refused(
            client,
            &format!("refreshing the index '{name}'"),
            &answer,
        ))
    }
}

/// The number of documents in the remote index.
pub fn count_passages(client: &Client, name: &str) -> Result<u64> {
    let answer = client.get(&format!("/{name}/_count"))?;
    if !answer.ok() {
        return Err(refused(client, "counting passages", &answer));
    }
    Ok(answer.json()["count"].as_u64().unwrap_or(0))
}

/// One passage as a remote document.
struct RemoteDocument {
    id: String,
    body: Value,
}

/// Calls `each` with every passage of the files in `files` (by document key), in index order.
/// Passages of other files are passed over by their fast fields, without reading their text.
fn for_each_passage(
    searcher: &tantivy::Searcher,
    fields: &Fields,
    texts: &PassageTexts,
    files: &HashMap<u64, &str>,
    records: &manifest::Manifest,
    mut each: impl FnMut(RemoteDocument) -> Result<()>,
) -> Result<()> {
    if files.is_empty() {
        return Ok(());
    }
    for (ordinal, segment) in searcher.segment_readers().iter().enumerate() {
        let keys = segment
            .fast_fields()
            .u64(count::DOC_KEY)
            .context("reading document keys")?;
        let contents = segment
            .fast_fields()
            .u64("content_hash")
            .context("reading content hashes")?;
        for doc_id in segment.doc_ids_alive() {
            let Some(path) = keys.first(doc_id).and_then(|k| files.get(&k)) else {
                continue;
            };
            let doc: TantivyDocument = searcher
                .doc(DocAddress::new(ordinal as u32, doc_id))
                .context("reading a stored passage")?;
            // The file's record shares the key but has no stored path.
            let Some(stored_path) = doc.get_first(fields.path).and_then(|v| v.as_str()) else {
                continue;
            };
            if stored_path != *path {
                continue;
            }
            let record = &records[*path];
            let content = contents.first(doc_id).unwrap_or(0);
            let address = DocAddress::new(ordinal as u32, doc_id);
            let passage = texts.of(searcher, fields, address, &doc)?;
            let text = passage
                .text
                .filter(|_| passage.stale.is_none())
                .ok_or_else(|| {
                    Error::InvalidArgument(format!(
                    "{path} changed while pushing; run `loupe push` again to send what it holds now"
                ))
                })?;
            each(remote_document(&doc, fields, path, record, content, &text))?;
        }
    }
    Ok(())
}

/// Document id of passage `ordinal` of `path`: readable, and derived from the two alone.
pub fn passage_id(path: &str, ordinal: u64) -> String {
    if path.len() <= 400 {
        format!("{path}#{ordinal}")
    } else {
        format!(
            "{:016x}#{ordinal}",
            xxhash_rust::xxh3::xxh3_64(path.as_bytes())
        )
    }
}

fn remote_document(
    doc: &TantivyDocument,
    fields: &Fields,
    path: &str,
    record: &manifest::FileRecord,
    content_hash: u64,
    text: &str,
) -> RemoteDocument {
    let u64_of = |field| doc.get_first(field).and_then(|v| v.as_u64()).unwrap_or(0);
    let lang = doc
        .get_first(fields.lang)
        .and_then(|v| v.as_str())
        .unwrap_or(analysis::UNDETERMINED);
    let ordinal = u64_of(fields.passage);
    let passage_set = FieldSet::of(lang);
    let mut body = json!({
        "path": path,
        "file_hash": format!("{:016x}", record.hash),
        "passages": record.passages,
        "passage": ordinal,
        "line": u64_of(fields.line),
        "column": u64_of(fields.column).max(1),
        "byte_start": u64_of(fields.byte_start),
        "byte_end": u64_of(fields.byte_end),
        "text": text,
        "lang": lang,
        "content_hash": format!("{content_hash:016x}"),
    });
    if let Some(date) = doc.get_first(fields.date).and_then(|v| v.as_datetime()) {
        let date = crate::date::Date::from_unix_seconds(date.into_timestamp_secs());
        body["date"] = json!(date.to_string());
    }
    let mut searched: Vec<(String, String)> = Vec::new();
    if let Some(tagged) = doc.get_first(fields.title).and_then(|v| v.as_str()) {
        let (title_analysis, title) = analysis::untag(tagged);
        let title_set = if title_analysis == Analysis::of(lang) {
            passage_set
        } else {
            FieldSet::of(language_code(title_analysis))
        };
        body["title"] = json!(title);
        body[title_set.title()] = json!(title);
        for _ in 0..crate::index::schema::TITLE_WEIGHT {
            searched.push((title_set.body(), title.to_string()));
        }
    }
    searched.push((passage_set.body(), text.to_string()));
    for (field, value) in searched {
        match body.get_mut(&field).and_then(Value::as_array_mut) {
            Some(values) => values.push(json!(value)),
            None => body[field] = json!([value]),
        }
    }
    RemoteDocument {
        id: passage_id(path, ordinal),
        body,
    }
}

/// A language code whose passages `analysis` analyzes.
fn language_code(analysis: Analysis) -> &'static str {
    use crate::analysis::Western;
    match analysis {
        Analysis::English => "en",
        Analysis::Russian => "ru",
        Analysis::Turkish => "tr",
        Analysis::Azerbaijani => "az",
        Analysis::Plain => "und",
        Analysis::Snowball(Western::German) => "de",
        Analysis::Snowball(Western::French) => "fr",
        Analysis::Snowball(Western::Spanish) => "es",
        Analysis::Snowball(Western::Italian) => "it",
        Analysis::Snowball(Western::Portuguese) => "pt",
        Analysis::Snowball(Western::Dutch) => "nl",
    }
}

/// Bulk requests of bounded size; items the cluster was too busy for are sent again.
struct Bulk<'a> {
    client: &'a Client,
    index: &'a str,
    max_bytes: usize,
    lines: String,
    items: u64,
}

impl<'a> Bulk<'a> {
    fn new(client: &'a Client, index: &'a str, max_bytes: usize) -> Bulk<'a> {
        Bulk {
            client,
            index,
            max_bytes,
            lines: String::new(),
            items: 0,
        }
    }

    /// Adds a document; sends the batch when it is full. Returns how many were accepted.
    fn index(&mut self, id: &str, document: &Value) -> Result<u64> {
        self.lines
            .push_str(&json!({"index": {"_index": self.index, "_id": id}}).to_string());
        self.lines.push('\n');
        self.lines.push_str(&document.to_string());
        self.lines.push('\n');
        self.items += 1;
        self.flush_when_full()
    }

    /// Deletes a document (one that is not there is no error).
    fn delete(&mut self, id: &str) -> Result<u64> {
        self.lines
            .push_str(&json!({"delete": {"_index": self.index, "_id": id}}).to_string());
        self.lines.push('\n');
        self.items += 1;
        self.flush_when_full()
    }

    fn flush_when_full(&mut self) -> Result<u64> {
        if self.lines.len() >= self.max_bytes {
            self.flush()
        } else {
            Ok(0)
        }
    }

    /// Sends what is pending; returns how many documents the cluster accepted.
    fn flush(&mut self) -> Result<u64> {
        let mut lines = std::mem::take(&mut self.lines);
        let total = std::mem::take(&mut self.items);
        let mut wait = std::time::Duration::from_millis(250);
        for _ in 0..8 {
            if lines.is_empty() {
                return Ok(total);
            }
            let answer = self.client.post_ndjson("/_bulk", lines.clone())?;
            if !answer.ok() {
                return Err(refused(self.client, "sending passages (bulk)", &answer));
            }
            let json = answer.json();
            if json["errors"].as_bool() != Some(true) {
                return Ok(total);
            }
            // Keep the items refused for being busy (429); any other refusal is an error.
            let requests = split_requests(&lines);
            let mut again = String::new();
            for (i, item) in json["items"].as_array().into_iter().flatten().enumerate() {
                let Some((action, result)) = item.as_object().and_then(|o| o.iter().next()) else {
                    continue;
                };
                let status = result["status"].as_u64().unwrap_or(0);
                if (200..300).contains(&status) || (action == "delete" && status == 404) {
                    continue;
                }
                if status == 429 {
                    again.push_str(requests.get(i).copied().unwrap_or_default());
                    continue;
                }
                return Err(Error::Remote(format!(
                    "the cluster at {} refused passage {}: {}",
                    self.client.url(),
                    result["_id"].as_str().unwrap_or("?"),
                    result["error"]["reason"]
                        .as_str()
                        .unwrap_or("no reason given")
                )));
            }
            lines = again;
            std::thread::sleep(wait);
            wait *= 2;
        }
        Err(Error::Remote(format!(
            "the cluster at {} stayed too busy to take the passages; try again later",
            self.client.url()
        )))
    }
}

/// The requests of a bulk body, each with its lines: an action, and a document unless it
/// is a deletion.
fn split_requests(lines: &str) -> Vec<&str> {
    let mut requests = Vec::new();
    let mut start = 0;
    let mut rest = lines;
    while let Some(end) = rest.find('\n') {
        let action = &rest[..end];
        let mut length = end + 1;
        if !action.starts_with("{\"delete\"") {
            length += rest[length..]
                .find('\n')
                .map_or(rest.len() - length, |e| e + 1);
        }
        requests.push(&lines[start..start + length]);
        start += length;
        rest = &lines[start..];
    }
    requests
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bulk_bodies_split_into_their_requests() {
        let body = "{\"index\":{}}\n{\"a\":1}\n{\"delete\":{}}\n{\"index\":{}}\n{\"b\":2}\n";
        assert_eq!(
            split_requests(body),
            [
                "{\"index\":{}}\n{\"a\":1}\n",
                "{\"delete\":{}}\n",
                "{\"index\":{}}\n{\"b\":2}\n"
            ]
        );
    }

    #[test]
    fn the_push_record_reads_back_what_was_written() {
        let dir = tempfile::tempdir().unwrap();
        let mut records = manifest::Manifest::default();
        let record = |hash, passages| manifest::FileRecord {
            size: 1,
            mtime_ns: 1,
            hash,
            passages,
            length: 1,
        };
        records.insert("a.txt".into(), record(0xab, 3));
        records.insert("empty.txt".into(), record(0xcd, 0));
        let path = dir.path().join("push-1.json");
        PushState::of("uuid-1".into(), &records)
            .write(&path)
            .unwrap();
        let state = PushState::read(&path).unwrap();
        assert_eq!((state.uuid.as_str(), state.passages()), ("uuid-1", 3));
        let versions = state.versions();
        assert_eq!(versions["a.txt"], [("00000000000000ab".to_string(), 3)]);
        assert!(
            !versions.contains_key("empty.txt"),
            "a file without passages has none there"
        );
        assert!(PushState::read(&dir.path().join("missing.json")).is_none());
    }

    #[test]
    fn index_names_are_checked() {
        assert!(check_index_name("loupe").is_ok());
        assert!(check_index_name("news-2026.v1").is_ok());
        for bad in ["", "Loupe", "_x", "a b", "a/b", "ü"] {
            assert!(check_index_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ids_come_from_path_and_passage() {
        assert_eq!(passage_id("business/001.txt", 3), "business/001.txt#3");
        let long = "a/".repeat(300);
        assert_eq!(passage_id(&long, 0), passage_id(&long, 0));
        assert!(passage_id(&long, 0).len() < 40);
    }
}
