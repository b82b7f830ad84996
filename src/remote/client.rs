//! Talking to an OpenSearch cluster over HTTP: one blocking client (ureq) that tries each node
//! it was given, retries with back-off when the cluster is busy (429) or failing (5xx), and
//! turns every failure into a message that names the cluster and what it said.

use std::time::Duration;

use serde_json::Value;

use crate::error::{Error, Result};

/// How many times a request is tried when the cluster answers 429 or 5xx.
const ATTEMPTS: u32 = 6;
/// The first wait before trying again; it doubles with each try.
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
/// Largest response read (a page of hits with their text, or a bulk report).
const MAX_RESPONSE_BYTES: u64 = 256 << 20;

/// A cluster's HTTP endpoint: one or more nodes' base URLs, tried in order.
#[derive(Clone)]
pub struct Client {
    agent: ureq::Agent,
    nodes: Vec<Node>,
    backoff: Duration,
}

#[derive(Clone)]
struct Node {
    /// `http://host:port` (with `user:password@` when given: ureq sends them as Basic
    /// authorization), without a trailing slash.
    base: String,
    /// The same without credentials, for messages.
    shown: String,
}

/// An HTTP answer: its status and its body.
#[derive(Debug)]
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The body as text.
    pub body: String,
}

impl Answer {
    /// The body as JSON (`Null` when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    /// True for a 2xx status.
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The cluster's own explanation of a failed request (`error.reason`), or the body.
    pub fn reason(&self) -> String {
        let json = self.json();
        let error = &json["error"];
        let root = &error["root_cause"][0]["reason"];
        let reason = error["reason"].as_str().or(root.as_str());
        match reason {
            Some(r) => r.to_string(),
            None if error.is_string() => error.as_str().unwrap_or_default().to_string(),
            None => self.body.chars().take(300).collect(),
        }
    }
}

impl Client {
    /// A client for the comma-separated node URLs in `urls` (`http://host:9200`, optionally
    /// with `user:password@`). Only plain HTTP is spoken.
    pub fn new(urls: &str) -> Result<Client> {
        let nodes = urls
            .split(',')
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(Node::parse)
            .collect::<Result<Vec<Node>>>()?;
        if nodes.is_empty() {
            return Err(Error::InvalidArgument(
                "--url needs a cluster address, e.g. http://localhost:9200".into(),
            ));
        }
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(5)))
            .timeout_global(Some(Duration::from_secs(120)))
            .build();
        Ok(Client {
            agent: ureq::Agent::new_with_config(config),
            nodes,
            backoff: FIRST_BACKOFF,
        })
    }

    /// The same client with another first back-off (tests use a short one).
    pub fn with_backoff(mut self, backoff: Duration) -> Client {
        self.backoff = backoff;
        self
    }

    /// The first node's base URL, for messages.
    pub fn url(&self) -> &str {
        &self.nodes[0].shown
    }

    /// `GET path`.
    pub fn get(&self, path: &str) -> Result<Answer> {
        self.request("GET", path, None)
    }

    /// `DELETE path`.
    pub fn delete(&self, path: &str) -> Result<Answer> {
        self.request("DELETE", path, None)
    }

    /// `PUT path` with a JSON body.
    pub fn put_json(&self, path: &str, body: &Value) -> Result<Answer> {
        self.request("PUT", path, Some(("application/json", body.to_string())))
    }

    /// `POST path` with a JSON body.
    pub fn post_json(&self, path: &str, body: &Value) -> Result<Answer> {
        self.request("POST", path, Some(("application/json", body.to_string())))
    }

    /// `POST path` with newline-delimited JSON (the Bulk API).
    pub fn post_ndjson(&self, path: &str, body: String) -> Result<Answer> {
        self.request("POST", path, Some(("application/x-ndjson", body)))
    }

    /// Sends a request, to the first node that can be reached, trying again with back-off
    /// while the cluster answers 429 or 5xx. Other statuses are returned as they are.
    fn request(&self, method: &str, path: &str, body: Option<(&str, String)>) -> Result<Answer> {
        let mut wait = self.backoff;
        let mut last = None;
        for attempt in 1..=ATTEMPTS {
            match self.send_to_any(method, path, body.as_ref()) {
                Ok(answer) if answer.status == 429 || answer.status >= 500 => {
                    last = Some(Error::Remote(format!(
                        "{} answered {} to {method} {path}: {}",
                        self.url(),
                        answer.status,
                        answer.reason()
                    )));
                }
                Ok(answer) => return Ok(answer),
                // No node could be reached: waiting is unlikely to help more than twice.
                Err(e) if attempt >= 3 => return Err(e),
                Err(e) => last = Some(e),
            }
            if attempt < ATTEMPTS {
                std::thread::sleep(wait);
                wait = (wait * 2).min(Duration::from_secs(8));
            }
        }
        Err(last.expect("at least one attempt"))
    }

    /// One try: each node in turn until one answers.
    fn send_to_any(
        &self,
        method: &str,
        path: &str,
        body: Option<&(&str, String)>,
    ) -> Result<Answer> {
        let mut failures = Vec::new();
        for node in &self.nodes {
            match self.send(node, method, path, body) {
                Ok(answer) => return Ok(answer),
                Err(e) => failures.push(format!("{}: {e}", node.shown)),
            }
        }
        Err(Error::Remote(format!(
            "cannot reach the cluster ({}); is it running, and is the URL right?",
            failures.join("; ")
        )))
    }

    fn send(
        &self,
        node: &Node,
        method: &str,
        path: &str,
        body: Option<&(&str, String)>,
    ) -> std::result::Result<Answer, ureq::Error> {
        let url = format!("{}{path}", node.base);
        let response = match (method, body) {
            ("GET", _) => self.agent.get(&url).call()?,
            ("DELETE", _) => self.agent.delete(&url).call()?,
            (method, body) => {
                let request = if method == "PUT" {
                    self.agent.put(&url)
                } else {
                    self.agent.post(&url)
                };
                match body {
                    Some((content_type, text)) => request
                        .header("Content-Type", *content_type)
                        .send(text.as_str())?,
                    None => request.send_empty()?,
                }
            }
        };
        let status = response.status().as_u16();
        let body = response
            .into_body()
            .with_config()
            .limit(MAX_RESPONSE_BYTES)
            .read_to_string()?;
        Ok(Answer { status, body })
    }
}

impl Node {
    fn parse(url: &str) -> Result<Node> {
        let bad = |why: &str| {
            Error::InvalidArgument(format!(
                "'{url}' is not a usable cluster URL ({why}); write it as http://HOST:PORT"
            ))
        };
        let rest = if let Some(rest) = url.strip_prefix("http://") {
            rest
        } else if url.starts_with("https://") {
            return Err(bad(
                "this loupe speaks plain HTTP only; put a TLS-terminating proxy in front of an HTTPS cluster",
            ));
        } else {
            return Err(bad("it does not start with http://"));
        };
        let rest = rest.trim_end_matches('/');
        let host = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
        if host.is_empty() || host.contains('/') {
            return Err(bad("give the cluster's address alone, without a path"));
        }
        Ok(Node {
            base: format!("http://{rest}"),
            shown: format!("http://{host}"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;

    /// A server that answers each connection with the next of `statuses`, then stops.
    fn server(statuses: Vec<u16>) -> (String, std::thread::JoinHandle<usize>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let handle = std::thread::spawn(move || {
            let mut served = 0;
            for status in statuses {
                let (mut stream, _) = listener.accept().unwrap();
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf);
                let body = format!("{{\"status\":{status}}}");
                let reply = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                stream.write_all(reply.as_bytes()).unwrap();
                served += 1;
            }
            served
        });
        (url, handle)
    }

    #[test]
    fn busy_and_failing_answers_are_retried() {
        let (url, handle) = server(vec![429, 503, 200]);
        let client = Client::new(&url)
            .unwrap()
            .with_backoff(Duration::from_millis(1));
        let answer = client.get("/").unwrap();
        assert_eq!(answer.status, 200);
        assert_eq!(handle.join().unwrap(), 3);
    }

    #[test]
    fn client_errors_are_not_retried() {
        let (url, handle) = server(vec![400]);
        let client = Client::new(&url)
            .unwrap()
            .with_backoff(Duration::from_millis(1));
        assert_eq!(client.get("/").unwrap().status, 400);
        assert_eq!(handle.join().unwrap(), 1);
    }

    #[test]
    fn an_unreachable_cluster_is_a_clear_error() {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let client = Client::new(&format!("http://127.0.0.1:{port}"))
            .unwrap()
            .with_backoff(Duration::from_millis(1));
        let message = client.get("/").unwrap_err().to_string();
        assert!(message.contains("cannot reach the cluster"), "{message}");
        assert!(message.contains(&port.to_string()), "{message}");
    }

    #[test]
    fn urls_are_checked_and_credentials_kept_out_of_messages() {
        assert!(Client::new("localhost:9200").is_err());
        assert!(Client::new("https://localhost:9200").is_err());
        assert!(Client::new("http://localhost:9200/some/path").is_err());
        let node = Node::parse("http://elastic:secret@localhost:9200/").unwrap();
        assert_eq!(node.base, "http://elastic:secret@localhost:9200");
        assert_eq!(node.shown, "http://localhost:9200");
    }
}
