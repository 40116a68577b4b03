//! The probe's parts, a library so that they are tested and fuzzed apart from the
//! binary: reading the arguments and the URL, the duration, the status line, and the one
//! GET. `healthcheck-probe` (`src/main.rs`) is these and an exit code.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

/// The one usage line.
pub const USAGE: &str = "usage: healthcheck-probe http://HOST[:PORT][/PATH] [--timeout DURATION]  (DURATION: 2s, 500ms, 1m; default 2s)";
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);

/// Where to send the request.
#[derive(Debug, PartialEq, Eq)]
pub struct Url {
    /// A name or an address (an IPv6 one without its brackets).
    pub host: String,
    /// 80 unless given.
    pub port: u16,
    /// The request target: the path and query, starting with `/`.
    pub path: String,
}

/// The URL and timeout of the command line, or what is wrong with it.
pub fn parse_args(args: &[String]) -> Result<(Url, Duration), String> {
    let mut url = None;
    let mut timeout = DEFAULT_TIMEOUT;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--timeout" => {
                let value = rest.next().ok_or("--timeout needs a duration")?;
                timeout = parse_duration(value)?;
            }
            other if other.starts_with('-') => return Err(format!("unknown option {other:?}")),
            other if url.is_none() => url = Some(parse_url(other)?),
            other => return Err(format!("one URL only; {other:?} is a second one")),
        }
    }
    Ok((url.ok_or("no URL given")?, timeout))
}

/// `http://HOST[:PORT][/PATH][?QUERY]`, HOST a name, an IPv4 address or a bracketed
/// IPv6 one (`[::1]`); a fragment is not sent.
pub fn parse_url(text: &str) -> Result<Url, String> {
    let rest = text.strip_prefix("http://").ok_or_else(|| {
        format!("{text:?} is not an http:// URL (the probe speaks plain HTTP to its own container)")
    })?;
    let rest = rest.split('#').next().unwrap_or(rest);
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, target) = rest.split_at(authority_end);
    let path = if target.starts_with('/') {
        target.to_owned()
    } else {
        // No path, maybe a query: the request target starts with `/` all the same.
        format!("/{target}")
    };
    let (host, port) = match authority.strip_prefix('[') {
        Some(bracketed) => {
            let (host, after) = bracketed.split_once(']').ok_or_else(|| {
                format!("{text:?} opens `[` for an IPv6 address and never closes it")
            })?;
            match after {
                "" => (host, None),
                _ => match after.strip_prefix(':') {
                    Some(port) => (host, Some(port)),
                    None => return Err(format!("{text:?} has {after:?} after its IPv6 address")),
                },
            }
        }
        None => match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        },
    };
    let port = match port {
        Some(port) => port
            .parse::<u16>()
            .map_err(|_| format!("{port:?} is not a port"))?,
        None => 80,
    };
    if host.is_empty() {
        return Err(format!("{text:?} has no host"));
    }
    Ok(Url {
        host: host.to_owned(),
        port,
        path,
    })
}

/// The status code of an HTTP/1.x status line (`HTTP/1.1 200 OK`): exactly three digits
/// after the version and one space, then a space or the end.
pub fn status_code(line: &str) -> Option<u16> {
    let rest = line.strip_prefix("HTTP/1.")?;
    let (minor, after) = rest.split_once(' ')?;
    if minor.len() != 1 || !minor.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    let code = after.get(..3)?;
    if !code.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    match after.as_bytes().get(3) {
        None | Some(b' ') => code.parse().ok(),
        Some(_) => None,
    }
}

/// `2s`, `500ms`, `1m`, or a number of seconds; above zero, at most an hour.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let bad = || format!("{text:?} is not a duration such as 2s, 500ms or 1m");
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit() && c != '.') {
        Some(at) => text.split_at(at),
        None => (text, "s"),
    };
    let value: f64 = number.parse().map_err(|_| bad())?;
    let seconds = match unit {
        "ms" => value / 1000.0,
        "s" => value,
        "m" => value * 60.0,
        _ => return Err(bad()),
    };
    // Checked as a `Duration`: a positive number below a nanosecond would be zero.
    let duration = Duration::try_from_secs_f64(seconds).unwrap_or(Duration::ZERO);
    if duration.is_zero() || duration > Duration::from_secs(3600) {
        return Err(format!("{text:?} must be above zero and at most 1h"));
    }
    Ok(duration)
}

/// Sends the GET and reads the status line, all within `timeout`: the line to print, as
/// `Ok` for a 2xx, else `Err`.
pub fn probe(url: &Url, timeout: Duration) -> Result<String, String> {
    let deadline = Instant::now() + timeout;
    let shown = format!("http://{}:{}{}", url.host, url.port, url.path);
    let left = |what: &str| {
        deadline
            .checked_duration_since(Instant::now())
            .filter(|left| !left.is_zero())
            .ok_or_else(|| format!("{shown}: timed out after {timeout:?} {what}"))
    };
    let addrs =
        resolve(url, left("resolving")?, timeout).map_err(|err| format!("{shown}: {err}"))?;
    let mut last_error = format!("{shown}: {} resolves to no address", url.host);
    let mut stream = None;
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, left("connecting")?) {
            Ok(connected) => {
                stream = Some(connected);
                break;
            }
            Err(err) if err.kind() == std::io::ErrorKind::TimedOut => {
                return Err(format!("{shown}: timed out after {timeout:?} connecting"));
            }
            Err(err) => last_error = format!("{shown}: cannot connect: {err}"),
        }
    }
    let mut stream = stream.ok_or(last_error)?;
    let request = format!(
        "GET {} HTTP/1.0\r\nHost: {}\r\nUser-Agent: healthcheck-probe\r\nConnection: close\r\n\r\n",
        url.path, url.host
    );
    stream
        .set_write_timeout(Some(left("sending")?))
        .and_then(|()| stream.write_all(request.as_bytes()))
        .map_err(|err| timeout_or(err, &shown, timeout, "sending the request"))?;
    // Read until the status line is complete (or the peer closes).
    let mut head = Vec::new();
    let mut buffer = [0u8; 512];
    while !head.contains(&b'\n') && head.len() < 4096 {
        stream
            .set_read_timeout(Some(left("waiting for the answer")?))
            .map_err(|err| format!("{shown}: {err}"))?;
        match stream.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => head.extend_from_slice(&buffer[..read]),
            Err(err) => return Err(timeout_or(err, &shown, timeout, "waiting for the answer")),
        }
    }
    let line = String::from_utf8_lossy(&head);
    let line = line.lines().next().unwrap_or("").trim();
    let status = status_code(line)
        .ok_or_else(|| format!("{shown}: not an HTTP answer: {:?}", truncate(line)))?;
    if (200..300).contains(&status) {
        Ok(format!("{shown}: {line}"))
    } else {
        Err(format!("{shown}: {line}"))
    }
}

/// The host's addresses, resolved on a thread of its own so that a resolver that hangs
/// cannot outlast `within`, what is left of `timeout` (the thread is left behind; the
/// process ends soon after).
fn resolve(url: &Url, within: Duration, timeout: Duration) -> Result<Vec<SocketAddr>, String> {
    let (host, port) = (url.host.clone(), url.port);
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let resolved = (host.as_str(), port)
            .to_socket_addrs()
            .map(Iterator::collect::<Vec<_>>)
            .map_err(|err| format!("cannot resolve {host}: {err}"));
        let _ = sender.send(resolved);
    });
    receiver.recv_timeout(within).unwrap_or_else(|_| {
        Err(format!(
            "timed out after {timeout:?} resolving {}",
            url.host
        ))
    })
}

fn timeout_or(err: std::io::Error, shown: &str, timeout: Duration, what: &str) -> String {
    match err.kind() {
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => {
            format!("{shown}: timed out after {timeout:?} {what}")
        }
        _ => format!("{shown}: {what}: {err}"),
    }
}

fn truncate(line: &str) -> String {
    line.chars().take(60).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_well_formed_status_line_counts() {
        for (line, code) in [
            ("HTTP/1.1 200 OK", Some(200)),
            ("HTTP/1.0 204", Some(204)),
            ("HTTP/1.1 503 Service Unavailable", Some(503)),
            ("HTTP/1.1 2000 Weird", None),
            ("HTTP/1.1 299x", None),
            ("HTTP/1.1  200 OK", None),
            ("HTTP/1.11 200 OK", None),
            ("HTTP/1.1 20", None),
            ("HTTP/1.1 +20 OK", None),
            ("HTTP/2 200", None),
            ("", None),
        ] {
            assert_eq!(status_code(line), code, "{line:?}");
        }
    }

    #[test]
    fn urls_and_durations_parse_or_say_why() {
        assert_eq!(
            parse_url("http://127.0.0.1:8000/healthcheck/ready").unwrap(),
            Url {
                host: "127.0.0.1".into(),
                port: 8000,
                path: "/healthcheck/ready".into()
            }
        );
        assert_eq!(parse_url("http://localhost").unwrap().port, 80);
        assert!(
            parse_url("https://x")
                .unwrap_err()
                .contains("not an http:// URL")
        );
        assert!(
            parse_url("http://x:port/")
                .unwrap_err()
                .contains("not a port")
        );
        let ipv6 = parse_url("http://[::1]/").unwrap();
        assert_eq!(
            (ipv6.host.as_str(), ipv6.port, ipv6.path.as_str()),
            ("::1", 80, "/")
        );
        assert_eq!(parse_url("http://[::1]:8000/ready").unwrap().port, 8000);
        let query = parse_url("http://host:8000?format=kubernetes").unwrap();
        assert_eq!(
            (query.port, query.path.as_str()),
            (8000, "/?format=kubernetes")
        );
        assert_eq!(parse_url("http://host/x#frag").unwrap().path, "/x");
        assert!(parse_url("http://[::1/").is_err());
        assert!(parse_url("http://[::1]x/").is_err());
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("2").unwrap(), Duration::from_secs(2));
        assert_eq!(parse_duration("1m").unwrap(), Duration::from_secs(60));
        assert!(parse_duration("0s").is_err());
        // Found by the fuzz target: above zero, yet below a nanosecond.
        assert!(parse_duration("0.0000000000001353167505").is_err());
        assert!(parse_duration("0.0000000001ms").is_err());
        assert!(parse_duration("2 parsecs").is_err());
    }
}
