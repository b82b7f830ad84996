//! `loupe serve` as a program talking to it sees it: the JSON contract, paging, the article
//! view, bad input, updates made by `loupe index` beside it, many clients, a clean stop.

use loupe::render::JsonResults;

use crate::server_util::{encode, Server};
use crate::util::TestEnv;

const FILLER: &str = "The council met in the hall and spoke about the roads, the schools and the river, and the meeting went on until the evening.";

/// 30 articles with "heron" one to five times, two passages each.
fn herons() -> TestEnv {
    heron_articles(30)
}

/// `count` articles with "heron" one to five times, two passages each.
fn heron_articles(count: usize) -> TestEnv {
    let env = TestEnv::new();
    for i in 0..count {
        let herons = "heron ".repeat(i % 5 + 1);
        env.write(
            &format!("d{i:02}.txt"),
            &format!("Birds {i}\n\n{herons}by the lake. {FILLER} {FILLER} {FILLER}\n\nAnd then {FILLER} {FILLER} {FILLER}\n"),
        );
    }
    env
}

#[test]
fn search_answers_the_json_of_the_cli_and_pages_without_overlap_or_gap() {
    // More hits than the bonuses re-rank (40), so that pages cross that depth.
    let env = heron_articles(50);
    let server = Server::start(&env); // builds the missing index first
    let cli = env.search("heron", &["--limit", "60"]);
    let mut paged = Vec::new();
    for offset in (0..60).step_by(7) {
        let answer = server.get(&format!("/api/search?q=heron&limit=7&offset={offset}"));
        assert_eq!(answer.status, 200, "{}", answer.body);
        let page: JsonResults =
            serde_json::from_str(&answer.body).expect("the CLI's JSON contract");
        assert_eq!(page.total_hits, cli.total_hits);
        assert_eq!(page.total_documents, cli.total_documents);
        paged.extend(page.hits);
    }
    let key = |h: &loupe::render::JsonHit| (h.rank, h.path.clone(), h.passage, h.score.to_bits());
    assert_eq!(
        paged.iter().map(key).collect::<Vec<_>>(),
        cli.hits.iter().map(key).collect::<Vec<_>>()
    );
    assert_eq!(
        paged.len(),
        50,
        "one passage per article (the second holds no heron)"
    );
}

#[test]
fn the_article_view_gives_the_text_its_passages_and_the_matches() {
    let env = herons();
    let server = Server::start(&env);
    let hit = &env.search("heron", &["--limit", "1"]).hits[0];
    let answer = server.get(&format!("/api/doc?path={}&q=heron", encode(&hit.path)));
    assert_eq!(answer.status, 200, "{}", answer.body);
    let doc = answer.json();
    let text = doc["text"].as_str().unwrap();
    let on_disk = std::fs::read_to_string(env.corpus().join(&hit.path)).unwrap();
    assert_eq!(text, on_disk);
    assert_eq!(doc["title"], hit.title.as_deref().unwrap());
    let passages = doc["passages"].as_array().unwrap();
    assert_eq!(passages.len(), 2);
    let span = |p: &serde_json::Value| {
        &text[p["byte_start"].as_u64().unwrap() as usize..p["byte_end"].as_u64().unwrap() as usize]
    };
    assert_eq!(span(&passages[hit.passage as usize]), hit.text);
    let marks: Vec<&str> = doc["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &text[r[0].as_u64().unwrap() as usize..r[1].as_u64().unwrap() as usize])
        .collect();
    assert!(
        !marks.is_empty() && marks.iter().all(|m| *m == "heron"),
        "{marks:?}"
    );
}

/// An indexed article whose file went since says so, and what to run, rather than that it
/// is not in the index (which the search that listed it contradicts).
#[test]
fn the_article_view_of_a_deleted_file_says_it_was_deleted() {
    let env = herons();
    let server = Server::start(&env);
    env.remove("d03.txt");
    let answer = server.get("/api/doc?path=d03.txt");
    assert_eq!(answer.status, 404, "{}", answer.body);
    let message = answer.json()["error"].as_str().unwrap().to_string();
    assert!(
        message.contains("d03.txt is in the index but was deleted")
            && message.contains("loupe index"),
        "{message}"
    );
    let answer = server.get("/api/doc?path=nowhere.txt");
    assert!(
        answer.body.contains("no such document in the index"),
        "{}",
        answer.body
    );
}

#[test]
fn bad_requests_get_a_4xx_with_an_error_message() {
    let env = herons();
    let server = Server::start(&env);
    let long = "a".repeat(9000);
    let cases = [
        ("/api/search?q=date:%5B2026%20TO", 400, "column"),
        ("/api/search?q=heron&colour=red", 400, "colour"),
        ("/api/search", 400, "q"),
        ("/api/search?q=heron&limit=100000", 400, "limit"),
        ("/api/search?q=heron&limit=abc", 400, "limit"),
        ("/api/search?q=heron&offset=5000", 400, "offset"),
        (
            "/api/search?q=heron&offset=18446744073709551615",
            400,
            "offset",
        ),
        ("/api/search?q=heron&per_doc=-1", 400, "per_doc"),
        ("/api/search?q=heron&since=yesterday", 400, "since"),
        ("/api/search?q=heron&sort=random", 400, "sort"),
        ("/api/doc?path=../../etc/passwd", 400, "path"),
        ("/api/doc?path=%2Fetc%2Fpasswd", 400, "path"),
        ("/api/doc?path=d01.txt%2F..%2F..%2Fsecret", 400, "path"),
        ("/api/doc?path=missing.txt", 404, "no such document"),
        ("/nowhere", 404, "no such page"),
        (&format!("/api/search?q={long}"), 414, "longer"),
    ];
    for (target, status, says) in cases {
        let answer = server.get(target);
        assert_eq!(answer.status, status, "{target}: {}", answer.body);
        let message = answer.json()["error"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(message.contains(says), "{target}: {message}");
    }
    let with_body = server.request(
        "GET /api/search?q=heron HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 5\r\n\r\nhello",
    );
    assert_eq!(with_body.status, 413, "{}", with_body.body);
    let post = server.request(
        "POST /api/search?q=heron HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
    );
    assert_eq!(post.status, 405, "{}", post.body);
    assert!(
        post.json()["error"]
            .as_str()
            .unwrap_or_default()
            .contains("only GET"),
        "{}",
        post.body
    );
    // Still serving after all that.
    assert_eq!(server.get("/healthz").status, 200);
    // The blank fields of a form mean "not given".
    let blank = server.get("/api/search?q=heron&limit=&offset=&per_doc=&since=&sort=");
    assert_eq!(blank.status, 200, "{}", blank.body);
    assert_eq!(blank.json()["hits"].as_array().map(Vec::len), Some(10));
}

#[test]
fn an_update_by_loupe_index_becomes_visible_without_a_restart() {
    let env = herons();
    let server = Server::start(&env);
    let bittern = "/api/search?q=bittern";
    assert_eq!(server.get(bittern).json()["total_hits"], 0);
    env.write("new.txt", &format!("Marsh\n\nA bittern boomed. {FILLER}\n"));
    env.index();
    assert!(
        server.wait_for(bittern, |r| r["total_hits"] == 1),
        "the new article is found"
    );
    env.remove("new.txt");
    env.index();
    assert!(
        server.wait_for(bittern, |r| r["total_hits"] == 0),
        "the removed article is gone"
    );
}

#[test]
fn with_watch_added_renamed_and_removed_files_show_up_without_running_index() {
    let env = herons();
    let server = Server::start_with(&env, &["--watch"]);
    let bittern = "/api/search?q=bittern";
    let paths = |r: &serde_json::Value| -> Vec<String> {
        r["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["path"].as_str().unwrap().to_string())
            .collect()
    };
    env.write(
        "marsh.txt",
        &format!("Marsh\n\nA bittern boomed. {FILLER}\n"),
    );
    assert!(
        server.wait_for(bittern, |r| paths(r) == ["marsh.txt"]),
        "an added file is found"
    );
    std::fs::rename(env.corpus().join("marsh.txt"), env.corpus().join("fen.txt")).unwrap();
    assert!(
        server.wait_for(bittern, |r| paths(r) == ["fen.txt"]),
        "a renamed file is found under its new name only"
    );
    env.remove("fen.txt");
    assert!(
        server.wait_for(bittern, |r| r["total_hits"] == 0),
        "a removed file is gone"
    );
    let status = server.terminate();
    assert!(status.success(), "{status:?}");
    env.index(); // the watch left no lock behind
}

#[test]
fn a_thousand_requests_from_eight_clients_all_succeed() {
    let env = herons();
    let server = Server::start(&env);
    let queries = [
        "heron",
        "\"heron by\"",
        "lake council",
        "heron*",
        "river -heron",
    ];
    std::thread::scope(|scope| {
        for client in 0..8 {
            let server = &server;
            scope.spawn(move || {
                for i in 0..125 {
                    let q = queries[(client + i) % queries.len()];
                    let answer = server.get(&format!("/api/search?q={}&limit=5", encode(q)));
                    assert_eq!(answer.status, 200, "{q}: {}", answer.body);
                }
            });
        }
    });
}

#[test]
fn sigterm_stops_the_server_cleanly() {
    let env = herons();
    let server = Server::start(&env);
    assert_eq!(server.get("/healthz").json()["status"], "ok");
    let status = server.terminate();
    assert!(status.success(), "{status:?}");
    // Nothing is left locked: the index can be updated at once.
    env.index();
}
