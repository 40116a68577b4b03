//! Kubernetes' own plain-text health endpoints (`/livez`, `/readyz`).

use std::fmt::{self, Write};

use http::Response;

use super::keyed::in_name_order;
use super::{Format, Rendering, Reuse, response};
use crate::health::HealthStatus;
use crate::report::Report;

/// The plain text of Kubernetes' `/livez` and `/readyz`: `ok` on success; with
/// `?verbose`, on failure, or when a check warns, one line per check (`[+]db ok`, `[+]cache warn`,
/// `[-]queue failed: reason withheld`, `[-]orders failed: blocked by db`, each ending ` (flapping)` while it flaps) and a closing `healthz check passed` / `failed`.
/// Reasons are withheld, as Kubernetes does: the text is for probes and people, the
/// details for the JSON formats.
#[derive(Debug, Clone, Copy, Default)]
pub struct Kubernetes;

/// A name on its line: as it is when it is a check's name (or a hook's, `shutdown:…`),
/// else quoted with its control characters escaped, so a name asked for in a URL
/// (`/x%0A%5B%2B%5Dinjected`) can never start a line of its own.
struct Shown<'a>(&'a str);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plain = !self.0.is_empty()
            && self
                .0
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | ':'));
        if plain {
            f.write_str(self.0)
        } else {
            write!(f, "{:?}", self.0)
        }
    }
}

impl Format for Kubernetes {
    fn media_type(&self) -> &'static str {
        "text/plain; charset=utf-8"
    }

    fn render(&self, report: &Report, rendering: Rendering) -> Response<String> {
        let passed = rendering.status.is_success();
        let warned = report.health_status() == HealthStatus::Warn;
        if passed && !rendering.verbose && !warned {
            return response(rendering.status, self.media_type(), "ok".to_string());
        }
        // One line per check in name order, the excluded ones among them.
        let mut lines: Vec<String> = Vec::new();
        let mut names: Vec<(&str, usize)> = Vec::new();
        for result in &report.results {
            let name = result.checker.as_str();
            names.push((name, lines.len()));
            let shown = Shown(name);
            let mut line = match result.status {
                HealthStatus::Pass => format!("[+]{shown} ok"),
                HealthStatus::Warn => format!("[+]{shown} warn"),
                HealthStatus::Fail if !result.blocked_by.is_empty() => {
                    format!(
                        "[-]{shown} failed: blocked by {}",
                        result.blocked_by.join(", ")
                    )
                }
                HealthStatus::Fail => format!("[-]{shown} failed: reason withheld"),
            };
            if result.flapping {
                line.push_str(" (flapping)");
            }
            lines.push(line);
        }
        for name in &rendering.excluded {
            names.push((name, lines.len()));
            lines.push(format!("[+]{} excluded: ok", Shown(name)));
        }
        let mut body = String::new();
        for (_, line) in in_name_order(names) {
            body.push_str(&lines[line]);
            body.push('\n');
        }
        if !rendering.unmatched_excludes.is_empty() {
            let quoted: Vec<String> = rendering
                .unmatched_excludes
                .iter()
                .map(|name| format!("{name:?}"))
                .collect();
            // Writing to a String cannot fail.
            let _ = writeln!(
                body,
                "warn: some health checks cannot be excluded: no matches for {}",
                quoted.join(",")
            );
        }
        if !passed {
            let _ = writeln!(body, "phase: {}", report.phase);
        }
        body.push_str(if passed {
            "healthz check passed\n"
        } else {
            "healthz check failed\n"
        });
        response(rendering.status, self.media_type(), body)
    }

    fn reuse(&self) -> Reuse {
        Reuse::AsWritten
    }
}
