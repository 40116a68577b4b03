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
    "pwd",
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
            mask_secrets(&value)
        }
    }
}

/// `value` with whatever in it may be secret masked, for a variable whose name says
/// nothing: in each URL the user information (a token may be the user name, so only a
/// user name followed by a password is kept) and everything from its query or fragment
/// on (tokens travel there), whatever characters a password holds; then the value of
/// each `key=value` whose key holds a secret word (a libpq DSN's `password=…`, quoted or
/// not). Masking more than needed is the safe way to be wrong.
fn mask_secrets(value: &str) -> String {
    mask_secret_pairs(&mask_urls(value))
}

/// Each `scheme://…` of `value` with its user information, query and fragment masked.
fn mask_urls(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = rest.find("://") {
        let (before, after) = rest.split_at(at + 3);
        out.push_str(before);
        // This URL ends where the next one's scheme starts: a password may hold spaces,
        // `/`, `?` or `#`, so nothing inside it can end the URL.
        let end = after.find("://").map_or(after.len(), |next| {
            after[..next]
                .trim_end_matches(|c: char| c.is_ascii_alphanumeric() || "+.-".contains(c))
                .len()
        });
        let (url, tail) = after.split_at(end);
        // The last `@` ends the user information: a password may hold `@` too.
        let host_and_rest = match url.rsplit_once('@') {
            Some((userinfo, host_and_rest)) => {
                if let Some((user, _password)) = userinfo.split_once(':') {
                    out.push_str(user);
                    out.push(':');
                }
                out.push_str(MASKED);
                out.push('@');
                host_and_rest
            }
            None => url,
        };
        match host_and_rest.find(['?', '#']) {
            Some(query) => {
                out.push_str(&host_and_rest[..=query]);
                out.push_str(MASKED);
            }
            None => out.push_str(host_and_rest),
        }
        rest = tail;
    }
    out.push_str(rest);
    out
}

/// `value` with the value of each `key=value` whose key holds a secret word masked: up
/// to its closing quote when quoted, else to the next space, `;` or `&`.
fn mask_secret_pairs(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(equals) = rest.find('=') {
        let (before, after) = (&rest[..equals], &rest[equals + 1..]);
        let key_start = before
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || "_.-".contains(c)))
            .map_or(0, |index| index + 1);
        let key = before[key_start..].to_ascii_lowercase();
        out.push_str(before);
        out.push('=');
        if key.is_empty() || !SECRET_WORDS.iter().any(|word| key.contains(word)) {
            rest = after;
            continue;
        }
        let end = match after.chars().next() {
            Some(quote @ ('\'' | '"')) => {
                // Up to the closing quote not escaped by a backslash, or the end.
                let mut escaped = false;
                after[1..]
                    .char_indices()
                    .find(|&(_, c)| {
                        let closes = c == quote && !escaped;
                        escaped = c == '\\' && !escaped;
                        closes
                    })
                    .map_or(after.len(), |(index, _)| index + 2)
            }
            _ => after
                .find(|c: char| c.is_whitespace() || c == ';' || c == '&')
                .unwrap_or(after.len()),
        };
        out.push_str(MASKED);
        rest = &after[end..];
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

    /// Values of variables whose names say nothing, each with the secret `S3cr3t…` in
    /// it, and what `/info` shows of them.
    const FORMS: [(&str, &str); 24] = [
        (
            "postgres://app:S3cr3t@db/app",
            "postgres://app:******@db/app",
        ),
        (
            "redis://:pa#S3cr3t@cache:6379/0",
            "redis://:******@cache:6379/0",
        ),
        (
            "amqp://user:pa?S3cr3t@mq/vhost",
            "amqp://user:******@mq/vhost",
        ),
        (
            "postgresql://user:pa/S3cr3t@host/db",
            "postgresql://user:******@host/db",
        ),
        (
            "mongodb://user:pa S3cr3t@h/db",
            "mongodb://user:******@h/db",
        ),
        (
            "mysql://root:p@S3cr3t@db:3306/x",
            "mysql://root:******@db:3306/x",
        ),
        (
            "https://S3cr3t@github.com/o/r",
            "https://******@github.com/o/r",
        ),
        (
            "https://x-access-token:S3cr3t@github.com/o/r.git",
            "https://x-access-token:******@github.com/o/r.git",
        ),
        (
            "jdbc:postgresql://db/app?user=app&password=S3cr3t",
            "jdbc:postgresql://db/app?******",
        ),
        (
            "https://api.example/v1?api_key=S3cr3t&x=1",
            "https://api.example/v1?******",
        ),
        (
            "https://app.example/cb#access_token=S3cr3t",
            "https://app.example/cb#******",
        ),
        (
            "host=db user=app password=S3cr3t dbname=app",
            "host=db user=app password=****** dbname=app",
        ),
        (
            "host=db password='S3 cr3t' dbname=app",
            "host=db password=****** dbname=app",
        ),
        (
            "host=db password='it\\'s S3cr3t' port=5432",
            "host=db password=****** port=5432",
        ),
        (
            "Server=db;User Id=sa;Password=S3cr3t;",
            "Server=db;User Id=sa;Password=******;",
        ),
        ("token=S3cr3t", "token=******"),
        ("--db-pass=S3cr3t --port=1", "--db-pass=****** --port=1"),
        (
            "a=redis://:S3cr3t@cache b=amqp://guest@mq",
            "a=redis://:******@cache b=amqp://******@mq",
        ),
        (
            "redis://:S3cr3t@c,amqp://u:S3cr3t@m",
            "redis://:******@c,amqp://u:******@m",
        ),
        ("nats://S3cr3t@n:4222", "nats://******@n:4222"),
        ("http://proxy:3128", "http://proxy:3128"),
        ("/usr/local/bin:/usr/bin", "/usr/local/bin:/usr/bin"),
        ("info,hyper=warn", "info,hyper=warn"),
        ("plain", "plain"),
    ];

    #[test]
    fn secrets_are_masked_in_every_form_a_value_holds_them() {
        for (value, shown) in FORMS {
            assert_eq!(mask_secrets(value), shown, "{value}");
            assert!(!mask_secrets(value).contains("S3cr3t"), "{value}");
        }
    }

    #[test]
    fn a_generated_secret_placed_in_any_form_never_appears() {
        // A small deterministic generator: every printable character a password may
        // hold (a quoted DSN value escapes its quote), 2,000 secrets per form.
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let alphabet: Vec<char> = (b' '..=b'~').map(char::from).chain(['é', '€']).collect();
        for round in 0..2_000 {
            let len = 4 + (next() % 16) as usize;
            let secret: String = (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            // Marked so it cannot be mistaken for the form's own text.
            let secret = format!("Z{secret}Z");
            for (form, _) in FORMS {
                let allowed = |c: char| match form {
                    // Unquoted `key=value`: a value ends at a space, `;` or `&`.
                    _ if form.contains("password=S3cr3t") && !form.contains("://") => {
                        !c.is_whitespace() && c != ';' && c != '&'
                    }
                    "token=S3cr3t"
                    | "--db-pass=S3cr3t --port=1"
                    | "Server=db;User Id=sa;Password=S3cr3t;" => {
                        !c.is_whitespace() && c != ';' && c != '&'
                    }
                    // Quoted: the quote escaped.
                    _ if form.contains('\'') => c != '\'' && c != '\\',
                    // In a URL anything but a new URL's `://`.
                    _ => true,
                };
                if !form.contains("S3cr3t")
                    || !secret.chars().all(allowed)
                    || secret.contains("://")
                {
                    continue;
                }
                let value = form.replace("S3cr3t", &secret);
                let shown = mask_secrets(&value);
                assert!(
                    !shown.contains(&secret),
                    "round {round}: {value:?} shows {shown:?}"
                );
            }
        }
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
        assert_eq!(info.masked("MYSQL_PWD", "value".into()), MASKED);
    }
}
