//! The probe binary against a real example server (`examples/axum.rs`, built by
//! `cargo test --workspace`) and against peers that refuse, hang or do not speak HTTP.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn probe(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_healthcheck-probe"))
        .args(args)
        .output()
        .expect("the probe runs")
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("an exit code")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The axum example, started on a free port; killed on drop.
struct Example(Child, String);

impl Drop for Example {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn example(warmup_ms: &str) -> Example {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_healthcheck-probe"));
    let path = bin.parent().unwrap().join("examples/axum");
    assert!(
        path.exists(),
        "{} is missing: run `cargo test --workspace`, which builds the examples",
        path.display()
    );
    let mut child = Command::new(path)
        .env("ADDR", "127.0.0.1:0")
        .env("WARMUP_MS", warmup_ms)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line.split("http://").nth(1).unwrap().trim().to_owned();
    Example(child, format!("http://{base}"))
}

#[test]
fn a_ready_server_exits_0_and_says_200() {
    let server = example("0");
    let url = format!("{}/ready", server.1);
    // The startup check runs in the background: ready within moments.
    let mut last = probe(&[&url]);
    for _ in 0..100 {
        if code(&last) == 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
        last = probe(&[&url]);
    }
    assert_eq!(code(&last), 0, "{}", text(&last));
    assert_eq!(
        text(&last),
        format!("healthcheck-probe: {url}: HTTP/1.0 200 OK\n")
    );
}

#[test]
fn a_failing_check_exits_1_and_says_503() {
    let server = example("600000");
    let output = probe(&[&format!("{}/ready", server.1), "--timeout", "2s"]);
    assert_eq!(code(&output), 1, "{}", text(&output));
    assert!(
        text(&output).contains("503 Service Unavailable"),
        "{}",
        text(&output)
    );
}

#[test]
fn a_refused_connection_exits_1_saying_so() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let output = probe(&[&format!("http://127.0.0.1:{port}/healthcheck")]);
    assert_eq!(code(&output), 1);
    assert!(
        text(&output).contains("cannot connect"),
        "{}",
        text(&output)
    );
}

#[test]
fn a_peer_that_never_answers_exits_1_at_the_timeout() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let held = std::thread::spawn(move || listener.accept().map(|(stream, _)| stream));
    let started = Instant::now();
    let output = probe(&[&format!("http://127.0.0.1:{port}/"), "--timeout", "300ms"]);
    let took = started.elapsed();
    assert_eq!(code(&output), 1);
    assert!(
        text(&output).contains("timed out after 300ms"),
        "{}",
        text(&output)
    );
    assert!(took < Duration::from_secs(2), "took {took:?}");
    drop(held.join());
}

#[test]
fn a_peer_that_is_not_http_exits_1_saying_so() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let peer = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream.write_all(b"SSH-2.0-OpenSSH_9.2\r\n").unwrap();
    });
    let output = probe(&[&format!("http://127.0.0.1:{port}/")]);
    peer.join().unwrap();
    assert_eq!(code(&output), 1);
    assert!(
        text(&output).contains("not an HTTP answer: \"SSH-2.0-OpenSSH_9.2\""),
        "{}",
        text(&output)
    );
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &[][..],
        &["https://x/health"][..],
        &["http://x/", "--timeout"][..],
        &["http://x/", "--timeout", "soon"][..],
        &["http://x/", "--retries", "3"][..],
    ] {
        let output = probe(args);
        assert_eq!(code(&output), 2, "{args:?}: {}", text(&output));
        assert!(
            text(&output).contains("usage: healthcheck-probe"),
            "{args:?}"
        );
    }
}

#[test]
fn a_status_line_with_four_digits_or_a_letter_after_three_exits_1() {
    for line in ["HTTP/1.1 2000 Weird", "HTTP/1.1 299x"] {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let answer = format!("{line}\r\n\r\n");
        let peer = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            stream.write_all(answer.as_bytes()).unwrap();
        });
        let output = probe(&[&format!("http://127.0.0.1:{port}/")]);
        peer.join().unwrap();
        assert_eq!(code(&output), 1, "{line}: {}", text(&output));
        assert!(
            text(&output).contains("not an HTTP answer"),
            "{}",
            text(&output)
        );
    }
}

#[test]
fn a_bracketed_ipv6_host_and_a_query_without_a_path_are_urls() {
    let Ok(listener) = TcpListener::bind("[::1]:0") else {
        return; // no IPv6 loopback on this machine
    };
    let port = listener.local_addr().unwrap().port();
    let peer = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream);
        let mut request_line = String::new();
        reader.read_line(&mut request_line).unwrap();
        reader
            .get_mut()
            .write_all(b"HTTP/1.1 200 OK\r\n\r\nok")
            .unwrap();
        request_line
    });
    let output = probe(&[&format!("http://[::1]:{port}?format=kubernetes")]);
    let request_line = peer.join().unwrap();
    assert_eq!(code(&output), 0, "{}", text(&output));
    assert_eq!(request_line, "GET /?format=kubernetes HTTP/1.0\r\n");
}

#[test]
fn a_usage_error_is_one_line() {
    let output = probe(&["https://x/health"]);
    assert_eq!(code(&output), 2);
    assert_eq!(text(&output).lines().count(), 1, "{}", text(&output));
    let help = probe(&["--help"]);
    assert_eq!(code(&help), 0);
    assert!(
        text(&help).starts_with("usage: healthcheck-probe"),
        "{}",
        text(&help)
    );
}

#[test]
fn a_resolver_that_never_answers_ends_at_the_timeout() {
    // In network and mount namespaces of the test's own: the resolver asks a UDP socket
    // on the namespace's 127.0.0.1 that reads and never answers (glibc would wait 10 s).
    let dir = std::env::temp_dir().join(format!("probe-resolv-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let resolv = dir.join("resolv.conf");
    std::fs::write(
        &resolv,
        "nameserver 127.0.0.1\noptions timeout:5 attempts:2\n",
    )
    .unwrap();
    let script = format!(
        "mount --bind {resolv} /etc/resolv.conf && ip link set lo up && \
         (python3 -c 'import socket,time; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); \
         s.bind((\"127.0.0.1\", 53)); time.sleep(20)' >/dev/null 2>&1 &) && sleep 0.5 && \
         exec {probe} http://probe-test.invalid/ --timeout 500ms",
        resolv = resolv.display(),
        probe = env!("CARGO_BIN_EXE_healthcheck-probe"),
    );
    let started = Instant::now();
    let output = Command::new("unshare")
        .args(["--mount", "--net", "sh", "-c", &script])
        .output();
    let took = started.elapsed();
    let _ = std::fs::remove_dir_all(&dir);
    let output = match output {
        Ok(output) if output.status.code() != Some(1) && std::env::var_os("CI").is_none() => {
            eprintln!("skipped: no namespaces here: {}", text(&output));
            return;
        }
        Ok(output) => output,
        Err(err) if std::env::var_os("CI").is_none() => {
            eprintln!("skipped: unshare is missing: {err}");
            return;
        }
        Err(err) => panic!("unshare is needed under CI: {err}"),
    };
    assert_eq!(code(&output), 1, "{}", text(&output));
    assert!(
        text(&output).contains("timed out after 500ms resolving probe-test.invalid"),
        "{}",
        text(&output)
    );
    assert!(took < Duration::from_secs(4), "took {took:?}");
}
