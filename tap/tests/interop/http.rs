//! HTTP against curl (the kernel's TCP, keep-alive, a 10 MiB body) and
//! against `python3 -m http.server` (our client fetching a 10 MiB file),
//! bodies verified by SHA-256 on both sides.

use std::net::SocketAddrV4;
use std::time::Duration;

use seqs_tap::apps::{
    sha256_hex, AppSpec, HttpClientSpec, HttpServerSpec, Pattern, Report, BODY_SEED,
};

use crate::netns::{describe, Lab, LINUX, OURS};
use crate::{only_report, stdout};

const BULK: usize = 10 << 20;
const HTTP_PORT: u16 = 80;
const LINUX_HTTP_PORT: u16 = 8000;
const TIMEOUT: Duration = Duration::from_secs(60);

/// curl fetches from our server: three requests on one connection, then
/// a 10 MiB body checked with sha256sum.
#[test]
fn curl_fetches_from_our_http_server() {
    let Some(mut lab) = Lab::new("http_curl_to_us", &["curl", "sha256sum"]) else {
        return;
    };
    lab.start_bridge(|config| {
        config
            .apps
            .push(AppSpec::HttpServer(HttpServerSpec { port: HTTP_PORT }));
    });
    let root = format!("http://{OURS}/");
    // One curl, three URLs: curl keeps the connection alive between them
    // (num_connects 0 after the first) when our server allows it.
    let out = lab.exec(
        &[
            "curl",
            "-sS",
            "--fail",
            "--max-time",
            "10",
            "-w",
            "|%{http_code} %{num_connects}\n",
            &root,
            &root,
            &root,
        ],
        &[],
        Duration::from_secs(15),
    );
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(
        stdout(&out),
        "hello from seqs\n|200 1\nhello from seqs\n|200 0\nhello from seqs\n|200 0\n",
        "three responses over one connection: {}",
        describe(&out)
    );
    let missing = format!("http://{OURS}/missing");
    let out = lab.exec(
        &[
            "curl",
            "-sS",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            &missing,
        ],
        &[],
        Duration::from_secs(15),
    );
    assert_eq!(stdout(&out), "404", "{}", describe(&out));

    let file = lab.path("body.bin").to_string_lossy().into_owned();
    let bulk = format!("http://{OURS}/bytes?n={BULK}");
    let out = lab.exec(
        &[
            "curl",
            "-sS",
            "--fail",
            "--max-time",
            "50",
            "-o",
            &file,
            &bulk,
        ],
        &[],
        TIMEOUT,
    );
    assert!(out.status.success(), "{}", describe(&out));
    let got = stdout(&lab.ok(&["sha256sum", &file]));
    assert_eq!(
        got.split_whitespace().next(),
        Some(sha256_hex(&Pattern::bytes(BODY_SEED, BULK)).as_str()),
        "curl got the 10 MiB body intact"
    );
    lab.finish();
}

/// Our HTTP client fetches a 10 MiB file from Python's http.server.
#[test]
fn our_http_client_fetches_from_python_http_server() {
    let Some(mut lab) = Lab::new("http_us_to_python", &["python3", "sha256sum"]) else {
        return;
    };
    let root = lab.path("www");
    std::fs::create_dir_all(&root).expect("create the served directory");
    let file = root.join("data.bin");
    std::fs::write(&file, Pattern::bytes(7, BULK)).expect("write the served file");
    let served_sha = stdout(&lab.ok(&["sha256sum", &file.to_string_lossy()]));
    let root = root.to_string_lossy().into_owned();
    let port = LINUX_HTTP_PORT.to_string();
    let bind = LINUX.to_string();
    lab.spawn(
        "python-http",
        &[
            "python3",
            "-m",
            "http.server",
            &port,
            "--bind",
            &bind,
            "--directory",
            &root,
        ],
    );
    lab.wait_tcp_listener(LINUX_HTTP_PORT);
    let fetch = |path: &str| {
        AppSpec::HttpClient(HttpClientSpec {
            remote: SocketAddrV4::new(LINUX, LINUX_HTTP_PORT),
            host: String::new(),
            path: path.into(),
        })
    };
    lab.start_bridge(|config| {
        config.apps.push(fetch("/data.bin"));
    });
    lab.wait_for_clients(TIMEOUT);
    let report = lab.finish();
    let Report::HttpClient(fetched) = only_report(&report.apps) else {
        panic!("{report:#?}");
    };
    println!("{fetched}");
    assert!(fetched.is_complete(), "{fetched}");
    assert_eq!(fetched.status, Some(200), "{fetched}");
    assert_eq!(fetched.body_bytes, BULK as u64, "{fetched}");
    assert_eq!(
        served_sha.split_whitespace().next(),
        Some(fetched.sha256.as_str()),
        "what Python served is what we received"
    );
}
