//! The process's resident memory against thresholds in bytes, or against the memory
//! limit of the container it runs in (cgroup v2), read from `/proc` and `/sys/fs/cgroup`
//! on Linux.

use std::path::{Path, PathBuf};

use super::bytes_text;
use crate::check::{Check, blocking};
use crate::checker::Checker;
use crate::health::Health;

/// A memory threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Limit {
    /// Resident memory above this many bytes.
    Bytes(u64),
    /// Resident memory above this percentage (0–100) of the container's memory limit;
    /// never reached when the container has none.
    PercentOfContainer(f64),
}

/// Resident memory of this process: warns above 80 % of the container's limit and fails
/// above 95 %, unless set otherwise.
#[derive(Debug, Clone)]
pub struct MemoryUsage {
    warn_above: Limit,
    fail_above: Limit,
    /// Where the cgroup v2 hierarchy is mounted (a test may point it elsewhere).
    cgroup_root: PathBuf,
    /// Where `/proc` is.
    proc_root: PathBuf,
}

impl Default for MemoryUsage {
    fn default() -> Self {
        MemoryUsage {
            warn_above: Limit::PercentOfContainer(80.0),
            fail_above: Limit::PercentOfContainer(95.0),
            cgroup_root: PathBuf::from("/sys/fs/cgroup"),
            proc_root: PathBuf::from("/proc"),
        }
    }
}

/// What was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading {
    /// Resident set size of the process, in bytes.
    pub rss: u64,
    /// The container's memory limit in bytes (`memory.max`), if it has one.
    pub limit: Option<u64>,
}

impl MemoryUsage {
    /// The default thresholds.
    pub fn new() -> Self {
        Self::default()
    }

    /// Warns above `limit` (default 80 % of the container's limit).
    #[must_use]
    pub fn warn_above(mut self, limit: Limit) -> Self {
        self.warn_above = limit;
        self
    }

    /// Fails above `limit` (default 95 % of the container's limit).
    #[must_use]
    pub fn fail_above(mut self, limit: Limit) -> Self {
        self.fail_above = limit;
        self
    }

    /// Reads `/proc` and the cgroup hierarchy under other roots.
    #[must_use]
    pub fn roots(mut self, proc_root: impl Into<PathBuf>, cgroup_root: impl Into<PathBuf>) -> Self {
        self.proc_root = proc_root.into();
        self.cgroup_root = cgroup_root.into();
        self
    }

    /// Reads the process's RSS and its container's limit now.
    pub fn read(&self) -> std::io::Result<Reading> {
        let status = std::fs::read_to_string(self.proc_root.join("self/status"))?;
        let rss = status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|value| value.trim().strip_suffix("kB"))
            .and_then(|kb| kb.trim().parse::<u64>().ok())
            .map(|kb| kb.saturating_mul(1024))
            .ok_or_else(|| std::io::Error::other("no VmRSS line in /proc/self/status"))?;
        Ok(Reading {
            rss,
            limit: self.container_limit(),
        })
    }

    /// `memory.max` of this process's cgroup (v2), or `None` for `max` or no cgroup v2.
    fn container_limit(&self) -> Option<u64> {
        let cgroups = std::fs::read_to_string(self.proc_root.join("self/cgroup")).ok()?;
        // cgroup v2 has one line: `0::/path/of/the/group`.
        let group = cgroups.lines().find_map(|line| line.strip_prefix("0::"))?;
        let dir = self
            .cgroup_root
            .join(Path::new(group.trim_start_matches('/')));
        let max = std::fs::read_to_string(dir.join("memory.max")).ok()?;
        max.trim().parse::<u64>().ok()
    }

    /// Measures now, on the calling thread: call it from blocking code.
    pub fn measure(&self) -> Health {
        match self.read() {
            Ok(reading) => self.judge(reading),
            Err(err) => Health::fail(format!(
                "cannot read the process's memory: {}",
                super::error_chain(&err)
            )),
        }
    }

    /// The health of `reading` against the thresholds.
    pub fn judge(&self, reading: Reading) -> Health {
        let Reading { rss, limit } = reading;
        let percent = limit.map(|limit| {
            let percent = if limit == 0 {
                100.0
            } else {
                rss as f64 * 100.0 / limit as f64
            };
            (percent * 10.0).round() / 10.0
        });
        let summary = match (limit, percent) {
            (Some(limit), Some(percent)) => format!(
                "{} resident, {percent}% of the container's {} limit",
                bytes_text(rss),
                bytes_text(limit)
            ),
            _ => format!("{} resident, no container memory limit", bytes_text(rss)),
        };
        let over = |threshold: Limit| match threshold {
            Limit::Bytes(bytes) => rss > bytes,
            Limit::PercentOfContainer(max) => percent.is_some_and(|percent| percent > max),
        };
        let health = if over(self.fail_above) {
            Health::fail(format!("{summary}: above {}", describe(self.fail_above)))
        } else if over(self.warn_above) {
            Health::warn(format!("{summary}: above {}", describe(self.warn_above)))
        } else {
            Health::pass(summary)
        };
        let health = health.observed(rss, "bytes").detail("rss_bytes", rss);
        match (limit, percent) {
            (Some(limit), Some(percent)) => health
                .detail("limit_bytes", limit)
                .detail("percent_of_limit", percent),
            _ => health,
        }
    }
}

fn describe(limit: Limit) -> String {
    match limit {
        Limit::Bytes(bytes) => bytes_text(bytes),
        Limit::PercentOfContainer(percent) => format!("{percent}% of the limit"),
    }
}

impl Checker for MemoryUsage {
    type Output = Health;

    async fn check(&self) -> Health {
        let this = self.clone();
        blocking(move || this.measure()).await
    }
}

/// A liveness-friendly check named `name` of the process's memory with the default
/// thresholds (80 % / 95 % of the container's limit).
///
/// ```
/// let check = healthcheck::checks::memory::usage("memory");
/// assert_eq!(check.name(), "memory");
/// ```
#[track_caller]
pub fn usage(name: impl Into<String>) -> Check {
    Check::checker(name, MemoryUsage::default()).tags(["memory"])
}
