//! What `GET {base}/info` tells: the application, its build, the process, sections of
//! the application's own, and optionally its environment with secrets masked (Spring's
//! and Koupleless' `/info`, Runscope's `EnvironmentDump`).

use std::time::{Duration, SystemTime};

use serde_json::{Map, Value};

/// The Rust compiler the library was built with (`rustc --version`, from the build
/// script), which is the application's compiler too.
const RUSTC_VERSION: &str = env!("HEALTHCHECK_RUSTC_VERSION");

/// Words that mark an environment variable's value as secret, matched anywhere in its
/// name, in any case.
pub const SECRET_WORDS: &[&str] = &[
    "key",
    "token",
    "secret",
    "pass",
    "password",
    "credential",
    "auth",
    "private",
];

/// What replaces a masked value.
pub const MASKED: &str = "******";

/// The application's name, version and build facts, and what else `{base}/info` shows.
///
/// ```
/// let info = healthcheck::app_info!()
///     .build_fact("git_commit", "3f2c1e9")
///     .section("team", serde_json::json!({"owner": "payments"}))
///     .environment(true);
/// # let _ = info;
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct Info {
    name: Option<String>,
    version: Option<String>,
    build: Map<String, Value>,
    sections: Map<String, Value>,
    environment: bool,
    also_secret: Vec<String>,
}

impl Info {
    /// The application named `name` at `version` (see [`app_info!`](crate::app_info),
    /// which takes both from the application's `Cargo.toml`).
    pub fn new(name: impl Into<String>, version: impl Into<String>) -> Self {
        Info {
            name: Some(name.into()),
            version: Some(version.into()),
            ..Info::default()
        }
    }

    /// A build fact the application supplies: `git_commit`, `build_time`, …
    pub fn build_fact(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.build.insert(key.into(), value.into());
        self
    }

    /// A section of the application's own, shown under its name.
    pub fn section(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.sections.insert(name.into(), value.into());
        self
    }

    /// Whether to show the environment variables (default no). Values are masked when
    /// the name contains one of [`SECRET_WORDS`] or was named with
    /// [`Info::secret`]; whatever the name, a password inside a URL is masked too.
    pub fn environment(mut self, show: bool) -> Self {
        self.environment = show;
        self
    }

    /// Masks the value of the environment variable `name` too.
    pub fn secret(mut self, name: impl Into<String>) -> Self {
        self.also_secret.push(name.into());
        self
    }

    /// The JSON `{base}/info` answers, for a process that started at `started`.
    pub(crate) fn render(&self, hostname: &str, started: SystemTime) -> Value {
        let uptime = SystemTime::now()
            .duration_since(started)
            .unwrap_or(Duration::ZERO);
        let mut body = Map::new();
        let mut app = Map::new();
        let exe = std::env::current_exe().ok();
        let fallback = exe
            .as_ref()
            .and_then(|path| path.file_stem())
            .map(|stem| stem.to_string_lossy().into_owned());
        app.insert("name".into(), self.name.clone().or(fallback).into());
        app.insert("version".into(), self.version.clone().into());
        body.insert("app".into(), Value::Object(app));
        if !self.build.is_empty() {
            body.insert("build".into(), Value::Object(self.build.clone()));
        }
        let mut process = Map::new();
        process.insert("pid".into(), std::process::id().into());
        process.insert("hostname".into(), hostname.into());
        let start_time = crate::human_time::rfc3339_seconds(started);
        process.insert("start_time".into(), start_time.into());
        process.insert("uptime_seconds".into(), uptime.as_secs().into());
        process.insert("rust_version".into(), RUSTC_VERSION.into());
        body.insert("process".into(), Value::Object(process));
        for (name, section) in &self.sections {
            body.insert(name.clone(), section.clone());
        }
        if self.environment {
            // Inserted one by one: collecting would compile a sort of its own.
            let mut environment = Map::new();
            for (name, value) in std::env::vars_os() {
                let name = name.to_string_lossy().into_owned();
                let value = value.to_string_lossy().into_owned();
                let shown = self.masked(&name, value);
                environment.insert(name, shown.into());
            }
            body.insert("environment".into(), Value::Object(environment));
        }
        Value::Object(body)
    }

    /// `value` as shown for the variable `name`.
    fn masked(&self, name: &str, value: String) -> String {
        let lower = name.to_ascii_lowercase();
        let secret_name = SECRET_WORDS.iter().any(|word| lower.contains(word))
            || self.also_secret.iter().any(|secret| secret == name);
        if secret_name {
            MASKED.to_owned()
        } else {
            mask_url_password(&value)
        }
    }
}

/// `value` with the password of any `scheme://user:password@` in it masked.
fn mask_url_password(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = rest.find("://") {
        let (before, after) = rest.split_at(at + 3);
        out.push_str(before);
        let authority_end = after.find(['/', '?', '#', ' ']).unwrap_or(after.len());
        let authority = &after[..authority_end];
        match authority.rsplit_once('@') {
            Some((userinfo, host)) => {
                match userinfo.split_once(':') {
                    Some((user, _password)) => {
                        out.push_str(user);
                        out.push(':');
                        out.push_str(MASKED);
                    }
                    None => out.push_str(userinfo),
                }
                out.push('@');
                out.push_str(host);
            }
            None => out.push_str(authority),
        }
        rest = &after[authority_end..];
    }
    out.push_str(rest);
    out
}

/// The application's [`Info`] with the name and version of the crate this macro is
/// written in (`CARGO_PKG_NAME`, `CARGO_PKG_VERSION`).
#[macro_export]
macro_rules! app_info {
    () => {
        $crate::Info::new(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"))
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_inside_urls_are_masked_whatever_the_variable() {
        assert_eq!(
            mask_url_password("postgres://app:hunter2@db/app"),
            "postgres://app:******@db/app"
        );
        assert_eq!(
            mask_url_password("a=redis://:pw@cache b=amqp://guest@mq"),
            "a=redis://:******@cache b=amqp://guest@mq"
        );
        assert_eq!(mask_url_password("plain"), "plain");
    }

    #[test]
    fn names_with_a_secret_word_are_masked_in_any_case() {
        let info = Info::default().secret("ODD_ONE");
        for name in [
            "API_KEY",
            "github_token",
            "MySecret",
            "DB_PASS",
            "Authorization",
            "PRIVATE_PEM",
            "ODD_ONE",
        ] {
            assert_eq!(info.masked(name, "value".into()), MASKED, "{name}");
        }
        assert_eq!(info.masked("HOME", "/root".into()), "/root");
        assert_eq!(
            info.masked("DATABASE_URL", "postgres://app:hunter2@db/app".into()),
            "postgres://app:******@db/app"
        );
    }
}
