//! The search page in a real browser: headless Chromium driven over WebDriver (chromedriver).
//! Everything is checked on the page itself. Without chromedriver and Chromium the test says
//! plainly that it did not run; under `CI=true` that is a failure.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use crate::server_util::Server;
use crate::util::TestEnv;

const FILLER: &str = "Reeds grow along the shore, and in spring the water rises over the path that walkers take each morning.";

/// chromedriver on a free port; killed when dropped.
struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts chromedriver, or says why it cannot.
fn start_driver() -> Result<Driver, String> {
    let program = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    let child = Command::new(&program)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("{program} could not be started ({e})"))?;
    let driver = Driver { child, port };
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if started.elapsed() > Duration::from_secs(10) {
            return Err(format!("{program} did not listen on port {port}"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(driver)
}

/// Runs `test` against a browser, or reports that no browser is there.
fn with_browser(test: impl AsyncFnOnce(&Client)) {
    let driver = match start_driver() {
        Ok(driver) => driver,
        Err(why) => {
            let ci = std::env::var("CI").is_ok_and(|v| v == "true");
            assert!(!ci, "browser tests must run under CI=true: {why}");
            eprintln!("browser tests did NOT run: {why} (install chromium and chromium-driver)");
            return;
        }
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({"args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1100,900"]}),
        );
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{}", driver.port))
            .await
            .expect("a Chromium session (is the chromium package installed?)");
        test(&client).await;
        client.close().await.expect("close the session");
    });
}

/// Waits until the JavaScript expression `condition` is true on the page, for at most 10 s.
async fn until(client: &Client, condition: &str) {
    let started = Instant::now();
    loop {
        let value = client
            .execute(&format!("return Boolean({condition});"), vec![])
            .await
            .expect("run a script");
        if value == json!(true) {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the page never got to: {condition}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn texts(client: &Client, css: &str) -> Vec<String> {
    let mut out = Vec::new();
    for element in client.find_all(Locator::Css(css)).await.unwrap() {
        out.push(element.text().await.unwrap());
    }
    out
}

async fn search_for(client: &Client, query: &str) {
    let input = client.find(Locator::Css("#q")).await.unwrap();
    input.clear().await.unwrap();
    input
        .send_keys(&format!("{query}{}", fantoccini::key::Key::Enter))
        .await
        .unwrap();
}

#[test]
fn the_search_page_works_in_a_browser() {
    let env = TestEnv::new();
    env.write(
        "herons.txt",
        &format!("Herons of the lake\n\nA grey heron stood by the lake at dawn. {FILLER}\n\nLater the heron flew off. {FILLER}\n"),
    );
    env.write(
        "egrets.txt",
        &format!("Egrets\n\nAn egret fished in the shallow lake. {FILLER}\n"),
    );
    env.write(
        "hostile.txt",
        "Tricks <script>window.pwned = 1</script>\n\nThis article holds markup: <img src=x onerror=\"window.pwned = 2\"> and <b>bold</b> words about a bittern.\n",
    );
    let server = Server::start(&env);
    let base = format!("http://127.0.0.1:{}", server.port);
    with_browser(async |client| {
        client.goto(&format!("{base}/")).await.unwrap();
        // `/` focuses the search box; Enter searches.
        client
            .find(Locator::Css("body"))
            .await
            .unwrap()
            .send_keys("/")
            .await
            .unwrap();
        until(client, "document.activeElement.id === 'q'").await;
        search_for(client, "heron lake").await;
        until(
            client,
            "document.querySelectorAll('#results .hit').length > 0",
        )
        .await;
        let url = client.current_url().await.unwrap();
        assert_eq!(
            url.query(),
            Some("q=heron+lake"),
            "the query lives in the URL"
        );
        // The highlighted words are the matched ones.
        let marks = texts(client, "#results .hit:first-child .snippet mark").await;
        assert!(!marks.is_empty());
        assert!(
            marks
                .iter()
                .all(|m| ["heron", "lake"].contains(&m.to_lowercase().as_str())),
            "{marks:?}"
        );
        assert_eq!(
            texts(client, "#results .hit:first-child h2").await,
            ["Herons of the lake"]
        );
        // Click through to the article: the passage is shown with the matches marked.
        client
            .find(Locator::Css("#results .hit:first-child h2 a"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        until(client, "!document.getElementById('article').hidden").await;
        assert_eq!(
            texts(client, "#article-title").await,
            ["Herons of the lake"]
        );
        let article = texts(client, "#article-text p").await;
        assert!(article[0].starts_with("A grey heron stood"), "{article:?}");
        assert!(
            article.concat().contains("Later the heron flew off."),
            "{article:?}"
        );
        assert!(!texts(client, "#article-text mark").await.is_empty());
        // Back returns to the results.
        client.back().await.unwrap();
        until(client, "document.getElementById('article').hidden && document.querySelectorAll('#results .hit').length > 0").await;
        assert_eq!(
            client.current_url().await.unwrap().query(),
            Some("q=heron+lake")
        );
        // Markup in an article is shown as text and runs nothing.
        search_for(client, "bittern").await;
        until(client, "document.querySelector('#results .hit h2') && document.querySelector('#results .hit h2').textContent.includes('Tricks')").await;
        let shown = texts(client, "#results .hit").await.join("\n");
        assert!(
            shown.contains("<script>window.pwned = 1</script>"),
            "{shown}"
        );
        assert!(shown.contains("<img src=x onerror="), "{shown}");
        until(client, "window.pwned === undefined && document.querySelectorAll('#results img, #results script, #results b').length === 0").await;
        // A malformed query shows its error on the page.
        search_for(client, "date:[2026 TO").await;
        until(client, "!document.getElementById('error').hidden").await;
        let error = texts(client, "#error").await.join("");
        assert!(error.contains("column"), "{error}");
        // Readable at phone width: nothing wider than the window.
        client.set_window_size(390, 844).await.unwrap();
        search_for(client, "heron lake").await;
        until(client, "document.querySelectorAll('#results .hit').length > 0 && document.documentElement.scrollWidth <= window.innerWidth").await;
        client.set_window_size(1100, 900).await.unwrap();
        if let Ok(path) = std::env::var("LOUPE_SCREENSHOT") {
            search_for(client, "heron lake").await;
            until(
                client,
                "document.querySelectorAll('#results .hit').length > 0",
            )
            .await;
            std::fs::write(path, client.screenshot().await.unwrap()).unwrap();
        }
    });
}
