//! What one run of a check found, and the return types a check may have.

use std::fmt::Display;

use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

/// Pass, warn (degraded but serving) or fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum HealthStatus {
    /// Healthy.
    Pass,
    /// Degraded but serving: probes still answer 200, every format shows the warning.
    Warn,
    /// Unhealthy.
    Fail,
}

impl HealthStatus {
    /// Pass, warn and fail, in the order of [`HealthStatus::index`].
    pub(crate) const ALL: [HealthStatus; 3] =
        [HealthStatus::Pass, HealthStatus::Warn, HealthStatus::Fail];

    /// 0 pass, 1 warn, 2 fail: the status as an index (run counts, a history's records).
    pub(crate) fn index(self) -> usize {
        match self {
            HealthStatus::Pass => 0,
            HealthStatus::Warn => 1,
            HealthStatus::Fail => 2,
        }
    }

    /// `pass`, `warn` or `fail`.
    pub fn as_str(self) -> &'static str {
        match self {
            HealthStatus::Pass => "pass",
            HealthStatus::Warn => "warn",
            HealthStatus::Fail => "fail",
        }
    }
}

/// `"pass"`, `"warn"` or `"fail"`.
impl Serialize for HealthStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_unit_variant("HealthStatus", *self as u32, self.as_str())
    }
}

/// What one run of a check found: a status, a message, and details in JSON.
///
/// ```
/// use healthcheck::{Health, HealthStatus};
///
/// let health = Health::warn("pool nearly exhausted")
///     .observed(48, "connections")
///     .detail("max", 50);
/// assert_eq!(health.status, HealthStatus::Warn);
/// assert_eq!(health.details["observedValue"], 48);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Health {
    /// Pass, warn or fail.
    pub status: HealthStatus,
    /// The message shown as the result's `output`.
    pub message: String,
    /// Extra data, shown as details by the formats that have them.
    pub details: Map<String, Value>,
    /// The root causes of this failure in another service, by that service's names
    /// ([`Health::caused_by`]).
    pub remote_causes: Vec<String>,
}

impl Health {
    /// A result with `status` and `message` and no details.
    pub fn new(status: HealthStatus, message: impl Into<String>) -> Self {
        Health {
            status,
            message: message.into(),
            details: Map::new(),
            remote_causes: Vec::new(),
        }
    }

    /// A pass.
    pub fn pass(message: impl Into<String>) -> Self {
        Self::new(HealthStatus::Pass, message)
    }

    /// A warning: degraded but serving.
    pub fn warn(message: impl Into<String>) -> Self {
        Self::new(HealthStatus::Warn, message)
    }

    /// A failure.
    pub fn fail(message: impl Into<String>) -> Self {
        Self::new(HealthStatus::Fail, message)
    }

    /// Adds a detail.
    #[must_use]
    pub fn detail(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.details.insert(key.into(), value.into());
        self
    }

    /// Records what was measured, as the IETF health format's `observedValue` and
    /// `observedUnit`.
    #[must_use]
    pub fn observed(self, value: impl Into<Value>, unit: impl Into<String>) -> Self {
        self.detail("observedValue", value)
            .detail("observedUnit", unit.into())
    }

    /// Says that this failure is caused by `causes` in another service (that service's
    /// report's `root_causes`, as the `http` built-in reads them): the result names them
    /// as `{check}/{cause}` in `blocked_by`, and a report shows them as its root causes
    /// instead of this check. Ignored unless the status is a failure.
    #[must_use]
    pub fn caused_by<T: Into<String>>(mut self, causes: impl IntoIterator<Item = T>) -> Self {
        self.remote_causes = causes.into_iter().map(Into::into).collect();
        self
    }

    /// Whether the status is not a failure.
    pub fn passed(&self) -> bool {
        self.status != HealthStatus::Fail
    }
}

/// A value a health check may return.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a health check result",
    label = "not a health check result",
    note = "a health check returns `(bool, String)`, `(bool, &'static str)`, `bool`, `Result<(), E>` or `Result<T, E>` where `T` is a string or a number and `E` is `Display` (`anyhow::Error`, `sqlx::Error`, `String`, …), or `healthcheck::Health`"
)]
pub trait IntoHealth {
    /// Turns the returned value into a [`Health`].
    fn into_health(self) -> Health;
}

fn from_bool(passed: bool, message: impl Into<String>) -> Health {
    let status = if passed {
        HealthStatus::Pass
    } else {
        HealthStatus::Fail
    };
    Health::new(status, message)
}

/// The Flask-healthcheck contract: whether the check passed, and a message.
impl IntoHealth for (bool, String) {
    fn into_health(self) -> Health {
        from_bool(self.0, self.1)
    }
}

impl IntoHealth for (bool, &'static str) {
    fn into_health(self) -> Health {
        from_bool(self.0, self.1)
    }
}

/// `passed` or `failed` as the message.
impl IntoHealth for bool {
    fn into_health(self) -> Health {
        from_bool(self, if self { "passed" } else { "failed" })
    }
}

/// `Ok` passes with its message ([`OkMessage`]: `ok` for `()`), `Err` fails with the
/// error's `Display` text.
impl<T: OkMessage, E: Display> IntoHealth for Result<T, E> {
    fn into_health(self) -> Health {
        match self {
            Ok(value) => Health::pass(value.ok_message()),
            Err(err) => Health::fail(err.to_string()),
        }
    }
}

/// What an `Ok` value of a check says: `ok` for `()`, else its text. A trait of its
/// own rather than `Display`, because `()` has no `Display` and Rust will not let one
/// impl cover both.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the `Ok` value of a health check",
    label = "not `()`, a string or a number",
    note = "a health check returns `Result<(), E>` or `Result<T, E>` where `T` is a string or a number; map the value to a `String` with `.map(|v| v.to_string())`"
)]
pub trait OkMessage {
    /// The message of a pass.
    fn ok_message(self) -> String;
}

/// `Ok(())` passes with `ok`.
impl OkMessage for () {
    fn ok_message(self) -> String {
        "ok".to_owned()
    }
}

macro_rules! ok_message_by_display {
    ($($type:ty),*) => {$(
        impl OkMessage for $type {
            fn ok_message(self) -> String {
                self.to_string()
            }
        }
    )*};
}

ok_message_by_display!(
    String,
    &str,
    std::borrow::Cow<'_, str>,
    Box<str>,
    std::sync::Arc<str>,
    bool,
    char,
    i8,
    i16,
    i32,
    i64,
    i128,
    isize,
    u8,
    u16,
    u32,
    u64,
    u128,
    usize,
    f32,
    f64
);

impl IntoHealth for Health {
    fn into_health(self) -> Health {
        self
    }
}
