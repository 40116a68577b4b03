//! Free space of the filesystem holding a path, against a warning and a failure
//! threshold, in bytes or percent (Spring's `DiskSpaceHealthIndicator`, with a warning
//! step it lacks).

use std::path::PathBuf;

use crate::check::{Check, blocking};
use crate::checker::Checker;
use crate::health::Health;

/// How much free space a threshold asks for.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Threshold {
    /// At least this many bytes free.
    Bytes(u64),
    /// At least this percentage (0–100) of the filesystem free.
    Percent(f64),
}

impl Threshold {
    /// Whether `free` of `total` bytes is below the threshold.
    fn is_breached_by(self, free: u64, total: u64) -> bool {
        match self {
            Threshold::Bytes(bytes) => free < bytes,
            Threshold::Percent(percent) => percent_of(free, total) < percent,
        }
    }

    fn describe(self) -> String {
        match self {
            Threshold::Bytes(bytes) => format!("{} free", super::bytes_text(bytes)),
            Threshold::Percent(percent) => format!("{percent}% free"),
        }
    }
}

/// Free space of a path's filesystem: warns below 10 % free and fails below 5 %, unless
/// set otherwise.
#[derive(Debug, Clone)]
pub struct FreeSpace {
    path: PathBuf,
    warn_below: Threshold,
    fail_below: Threshold,
}

impl FreeSpace {
    /// The filesystem holding `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        FreeSpace {
            path: path.into(),
            warn_below: Threshold::Percent(10.0),
            fail_below: Threshold::Percent(5.0),
        }
    }

    /// Warns when free space is below `threshold` (default 10 %).
    #[must_use]
    pub fn warn_below(mut self, threshold: Threshold) -> Self {
        self.warn_below = threshold;
        self
    }

    /// Fails when free space is below `threshold` (default 5 %).
    #[must_use]
    pub fn fail_below(mut self, threshold: Threshold) -> Self {
        self.fail_below = threshold;
        self
    }

    /// Measures now, on the calling thread (a `statvfs`): call it from blocking code.
    pub fn measure(&self) -> Health {
        let space = fs4::available_space(&self.path)
            .and_then(|free| Ok((free, fs4::total_space(&self.path)?)));
        let shown = self.path.display();
        let (free, total) = match space {
            Ok(space) => space,
            Err(err) => {
                return Health::fail(format!(
                    "cannot read the free space of {shown}: {}",
                    super::error_chain(&err)
                ));
            }
        };
        let percent = (percent_of(free, total) * 10.0).round() / 10.0;
        let summary = format!(
            "{} free of {} ({percent}%) at {shown}",
            super::bytes_text(free),
            super::bytes_text(total)
        );
        let health = if self.fail_below.is_breached_by(free, total) {
            Health::fail(format!("{summary}: below {}", self.fail_below.describe()))
        } else if self.warn_below.is_breached_by(free, total) {
            Health::warn(format!("{summary}: below {}", self.warn_below.describe()))
        } else {
            Health::pass(summary)
        };
        health
            .observed(free, "bytes")
            .detail("free_bytes", free)
            .detail("total_bytes", total)
            .detail("free_percent", percent)
    }
}

impl Checker for FreeSpace {
    type Output = Health;

    async fn check(&self) -> Health {
        // statvfs may stall on a network filesystem: keep it off the runtime's threads.
        let this = self.clone();
        blocking(move || this.measure()).await
    }
}

/// A check named `name` of the free space at `path`, with the default thresholds.
///
/// ```
/// let check = healthcheck::checks::disk::free_space("disk", "/");
/// assert_eq!(check.name(), "disk");
/// ```
#[track_caller]
pub fn free_space(name: impl Into<String>, path: impl Into<PathBuf>) -> Check {
    Check::checker(name, FreeSpace::new(path)).tags(["disk"])
}

fn percent_of(part: u64, total: u64) -> f64 {
    if total == 0 {
        return 0.0;
    }
    part as f64 * 100.0 / total as f64
}
