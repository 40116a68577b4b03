//! The status page (`{base}/status`, feature `status-page`): one HTML document drawn
//! from a report, the checks' histories and the phase, readable without JavaScript. Its
//! style and script are inline and allowed by their hashes alone, so the
//! `Content-Security-Policy` lets nothing come from anywhere else; every name, message
//! and detail goes through [`escape`].

use std::fmt::Write as _;
use std::time::Duration;

use crate::health::HealthStatus;
use crate::history::History;
use crate::human_time::rfc3339_seconds;
use crate::lifecycle::Phase;
use crate::report::{CheckResult, Report};

/// The page's style, inline.
const STYLE: &str = include_str!("page/page.css");
/// The page's script, inline: it follows `{base}/events`.
const SCRIPT: &str = include_str!("page/page.js");

/// The policy the page is served with: its own style and script by their SHA-256
/// (`page.css`, `page.js`; a test recomputes both), requests to its own origin only
/// (the stream and the page itself), nothing else from anywhere.
pub(crate) const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; \
     style-src 'sha256-qzU+1098O3fq4hg27W94RlxXlvBrnM1SQSe7uMEVUhw='; \
     script-src 'sha256-kSVFRu5k3eciQaiYNg4To1RwYgqcKIo/fGIUWSLl7M4='; \
     connect-src 'self'; img-src 'none'; base-uri 'none'; form-action 'none'; \
     frame-ancestors 'none'";

/// What the page shows.
pub(crate) struct Page<'a> {
    /// Every check's result, outputs already withheld for a caller without details.
    pub(crate) report: &'a Report,
    /// Each result's history, in the report's order (`None` for a result no check has).
    pub(crate) histories: &'a [Option<History>],
    /// The application's phase.
    pub(crate) phase: Phase,
    /// While STOPPING, how long the drain has left.
    pub(crate) drain_left: Option<Duration>,
    /// The last event's id when the page was drawn: the script follows from it.
    pub(crate) last_event_id: u64,
}

/// `text` with `&`, `<`, `>`, `"` and `'` written as character references: safe in text
/// and in a quoted attribute.
pub(crate) fn escape(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains(['&', '<', '>', '"', '\'']) {
        return text.into();
    }
    let mut escaped = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped.into()
}

/// The page's HTML.
pub(crate) fn render(page: &Page<'_>) -> String {
    let mut html = String::with_capacity(4096 + page.report.results.len() * 1024);
    let phase = page.phase.as_str();
    let host = escape(&page.report.hostname);
    let _ = write!(
        html,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{phase} · health · {host}</title>\n\
         <noscript><meta http-equiv=\"refresh\" content=\"10\"></noscript>\n\
         <style>{STYLE}</style>\n</head>\n<body>\n"
    );
    banner(&mut html, page);
    let _ = writeln!(html, "<main data-last-event-id=\"{}\">", page.last_event_id);
    failing(&mut html, page.report);
    checks(&mut html, page);
    html.push_str("</main>\n");
    let _ = write!(
        html,
        "<footer><p>Drawn at <time datetime=\"{at}\">{shown}</time>. With JavaScript this page follows the stream of changes; without it, it reloads every 10 s.</p></footer>\n\
         <script>{SCRIPT}</script>\n</body>\n</html>\n",
        at = rfc3339_seconds(page.report.timestamp),
        shown = shown_time(page.report.timestamp),
    );
    html
}

fn banner(html: &mut String, page: &Page<'_>) {
    let phase = page.phase.as_str();
    let note = match (page.phase, page.drain_left) {
        (Phase::Stopping, Some(left)) => format!(
            "Stopping: shutdown has begun; the drain ends in <span id=\"drain\" data-left=\"{:.3}\">{} s</span>.",
            left.as_secs_f64(),
            left.as_secs_f64().ceil()
        ),
        (Phase::Starting, _) => "Starting: not every startup check has passed yet.".into(),
        (Phase::Up, _) => "Up: every readiness check passes.".into(),
        (Phase::Down, _) => "Down: a readiness check fails.".into(),
        (Phase::Stopping, None) => "Stopping: shutdown has begun.".into(),
        (Phase::Stopped, _) => "Stopped: shutdown is done.".into(),
    };
    let _ = write!(
        html,
        "<header><div id=\"banner\" class=\"banner phase-{class}\" role=\"status\">\n\
         <h1><span id=\"phase\">{phase}</span> <span class=\"meta\">{host}</span></h1>\n\
         <p id=\"phase-note\">{note}</p>\n</div></header>\n",
        class = phase.to_ascii_lowercase(),
        host = escape(&page.report.hostname),
    );
}

/// The failures, each root cause with the checks it blocks folded beneath it.
fn failing(html: &mut String, report: &Report) {
    html.push_str("<section id=\"failing\" aria-labelledby=\"failing-title\">\n<h2 id=\"failing-title\">Failing</h2>\n");
    if report.root_causes.is_empty() {
        html.push_str("<p class=\"none\">Nothing fails.</p>\n</section>\n");
        return;
    }
    html.push_str("<ul class=\"causes\">\n");
    for cause in &report.root_causes {
        let result = report.result(cause);
        let status = result.map_or(HealthStatus::Fail, |result| result.status);
        let _ = write!(
            html,
            "<li><span class=\"badge st-{status}\">{status}</span> <strong>{name}</strong>",
            status = status.as_str(),
            name = escape(cause),
        );
        match result {
            Some(result) => {
                let _ = write!(
                    html,
                    "<span class=\"output\">{}</span>",
                    escape(&result.output)
                );
            }
            None => html.push_str("<span class=\"output\">not in this report</span>"),
        }
        let blocked: Vec<&CheckResult> = report
            .results
            .iter()
            .map(|result| &**result)
            .filter(|result| result.blocked_by.iter().any(|by| by == cause))
            .collect();
        if !blocked.is_empty() {
            let _ = write!(
                html,
                "<details><summary>{} blocked by {}</summary><ul>",
                match blocked.len() {
                    1 => "1 check".to_owned(),
                    n => format!("{n} checks"),
                },
                escape(cause)
            );
            for result in blocked {
                let _ = write!(
                    html,
                    "<li><strong>{}</strong>: {}</li>",
                    escape(&result.checker),
                    escape(&result.output)
                );
            }
            html.push_str("</ul></details>");
        }
        html.push_str("</li>\n");
    }
    html.push_str("</ul>\n</section>\n");
}

/// Every check: status, flapping, message, duration, last run, recent results.
fn checks(html: &mut String, page: &Page<'_>) {
    html.push_str(
        "<section aria-labelledby=\"checks-title\">\n<h2 id=\"checks-title\">Checks</h2>\n<table>\n\
         <thead><tr><th scope=\"col\">Check</th><th scope=\"col\">Status</th><th scope=\"col\">Message</th>\
         <th scope=\"col\">Duration</th><th scope=\"col\">Last run</th><th scope=\"col\">Recent results</th></tr></thead>\n<tbody>\n",
    );
    for (index, result) in page.report.results.iter().enumerate() {
        let status = result.status.as_str();
        let name = escape(&result.checker);
        let flapping = if result.flapping { "" } else { " hidden" };
        let _ = write!(
            html,
            "<tr data-check=\"{name}\" class=\"st-{status}\"><th scope=\"row\">{name}</th>\
             <td class=\"status\"><span class=\"badge\">{status}</span><span class=\"flap\"{flapping}>flapping {percent:.0}%</span></td>\
             <td class=\"output\">{output}{details}</td><td class=\"duration\">{took}</td>\
             <td class=\"last\"><time datetime=\"{at}\">{shown}</time></td>",
            percent = result.state_change_percent,
            output = escape(&result.output),
            details = details(result),
            took = took(result.response_time),
            at = rfc3339_seconds(result.timestamp),
            shown = shown_time(result.timestamp),
        );
        let history = page.histories.get(index).and_then(Option::as_ref);
        bar(html, history);
        html.push_str("</tr>\n");
    }
    html.push_str("</tbody>\n</table>\n</section>\n");
}

/// The check's details (`Health::detail`) as a list of terms, each value as its JSON.
fn details(result: &CheckResult) -> String {
    if result.details.is_empty() {
        return String::new();
    }
    let mut list = String::from("<dl class=\"details\">");
    for (key, value) in &result.details {
        let value = match value {
            serde_json::Value::String(text) => escape(text).into_owned(),
            other => escape(&other.to_string()).into_owned(),
        };
        let _ = write!(list, "<dt>{}</dt><dd>{value}</dd>", escape(key));
    }
    list.push_str("</dl>");
    list
}

/// The recent results, oldest first, one cell each; the label says them in words.
fn bar(html: &mut String, history: Option<&History>) {
    let results = history.map_or(&[][..], |history| &history.results[..]);
    let mut label = String::from("recent results, oldest first:");
    for result in results.iter().rev() {
        label.push(' ');
        label.push_str(result.reported.as_str());
    }
    if results.is_empty() {
        label.push_str(" none yet");
    }
    let _ = write!(
        html,
        "<td><span class=\"bar\" role=\"img\" aria-label=\"{label}\">"
    );
    for result in results.iter().rev() {
        let status = result.reported.as_str();
        let _ = write!(
            html,
            "<span class=\"c st-{status}\" title=\"{status} at {}\"></span>",
            shown_time(result.timestamp)
        );
    }
    html.push_str("</span></td>");
}

/// `85 µs`, `12.3 ms`, `1.20 s`.
fn took(duration: Duration) -> String {
    let seconds = duration.as_secs_f64();
    if seconds < 0.001 {
        format!("{} µs", duration.as_micros())
    } else if seconds < 1.0 {
        format!("{:.1} ms", seconds * 1000.0)
    } else {
        format!("{seconds:.2} s")
    }
}

/// `2026-12-06 17:36:44 UTC`, as the script writes it too.
fn shown_time(time: std::time::SystemTime) -> String {
    let rfc = rfc3339_seconds(time);
    format!("{} UTC", rfc.trim_end_matches('Z').replacen('T', " ", 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use sha2::Digest as _;

    fn hash(text: &str) -> String {
        let digest = sha2::Sha256::digest(text.as_bytes());
        base64::engine::general_purpose::STANDARD.encode(digest)
    }

    #[test]
    fn the_policy_allows_the_pages_own_style_and_script_by_their_hashes() {
        // Edit page.css or page.js and this names the hash to write in the policy.
        let style = format!("style-src 'sha256-{}'", hash(STYLE));
        let script = format!("script-src 'sha256-{}'", hash(SCRIPT));
        assert!(
            CONTENT_SECURITY_POLICY.contains(&style),
            "the policy needs {style}"
        );
        assert!(
            CONTENT_SECURITY_POLICY.contains(&script),
            "the policy needs {script}"
        );
    }

    #[test]
    fn text_and_attributes_are_escaped() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"</style>"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;&lt;/style&gt;"
        );
        assert!(matches!(escape("plain"), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn durations_and_times_read_as_the_script_writes_them() {
        assert_eq!(took(Duration::from_nanos(85_400)), "85 µs");
        assert_eq!(took(Duration::from_micros(12_345)), "12.3 ms");
        assert_eq!(took(Duration::from_millis(1200)), "1.20 s");
        let time = std::time::UNIX_EPOCH + Duration::from_secs(1_796_578_604);
        assert_eq!(shown_time(time), "2026-12-06 17:36:44 UTC");
    }
}
