//! Kubernetes' own plain-text health endpoints (`/livez`, `/readyz`).

use std::fmt::Write;

use http::Response;

use super::{Format, Rendering, response};
use crate::health::HealthStatus;
use crate::report::Report;

/// The plain text of Kubernetes' `/livez` and `/readyz`: `ok` on success; with
/// `?verbose`, on failure, or when a check warns, one line per check (`[+]db ok`, `[+]cache warn`,
/// `[-]queue failed: reason withheld`) and a closing `healthz check passed` / `failed`.
/// Reasons are withheld, as Kubernetes does: the text is for probes and people, the
/// details for the JSON formats.
#[derive(Debug, Clone, Copy, Default)]
pub struct Kubernetes;

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
        let mut body = String::new();
        for result in &report.results {
            // Writing to a String cannot fail.
            let _ = match result.status {
                HealthStatus::Pass => writeln!(body, "[+]{} ok", result.checker),
                HealthStatus::Warn => writeln!(body, "[+]{} warn", result.checker),
                HealthStatus::Fail => {
                    writeln!(body, "[-]{} failed: reason withheld", result.checker)
                }
            };
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
}
