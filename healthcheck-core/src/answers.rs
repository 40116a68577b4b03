//! When an answer is given again: the one cache of whole answers, for every format.
//!
//! An answer to a whole probe (`{base}`, `/live`, `/ready`, `/startup`, with no query
//! but `?format=`) is kept under its [`Key`]: the endpoint's configuration, the probe,
//! the format and whether the caller sees details. It is given again while both hold:
//!
//! 1. the registry's generation has not moved since the report was made (it moves
//!    after every new result, a check added, removed, enabled or disabled, a phase
//!    change, and the shutdown hooks' results: see `changes.rs`);
//! 2. every result in it is still fresh: it is before the earliest moment one of them
//!    goes stale (`Made::fresh_until`; a report with a result that was not fresh is
//!    never kept).
//!
//! Given again, it is the same status code and body (under the format's media type),
//! but for the report's top-level timestamp where the format writes one ([`Reuse`]),
//! written now.
//! A format that does not say it may be reused is written anew every time.
//!
//! Answers are kept per thread: a probe answered again touches no lock or counted
//! pointer that another thread answering probes writes to.

use std::cell::RefCell;
use std::fmt;
use std::ops::Range;
use std::time::SystemTime;

use http::{Response, StatusCode};
use tokio::time::Instant;

use crate::format::Reuse;
use crate::kind::Probe;
use crate::lifecycle::Phase;

/// Which answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Key {
    /// The endpoint's configuration: a changed one gets a new id.
    pub(crate) endpoint: u64,
    /// The whole probe asked for.
    pub(crate) probe: Probe,
    /// The format: `None` for the endpoint's default, else its index among the named.
    pub(crate) format: Option<usize>,
    /// Whether the caller sees details.
    pub(crate) details: bool,
}

/// What the registry said of the report an answer was written from.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Made {
    /// The generation, read before anything the report shows.
    pub(crate) generation: u64,
    /// When the first of its results goes stale.
    pub(crate) fresh_until: Instant,
    /// The report's top-level timestamp.
    pub(crate) timestamp: SystemTime,
    /// The application's phase the report told, told again with the answer.
    pub(crate) phase: Option<Phase>,
}

/// An answer as it went out.
struct Kept {
    key: Key,
    made: Made,
    status: StatusCode,
    body: Body,
}

/// A kept body, and how to write it again.
enum Body {
    AsWritten(String),
    /// With a fresh timestamp written by `write` where the old one was.
    WithTimestamp {
        text: String,
        timestamp: Range<usize>,
        write: fn(SystemTime, &mut dyn fmt::Write) -> fmt::Result,
    },
}

/// A thread keeps this many answers at most (the probes of a few endpoints and formats).
const KEPT_AT_MOST: usize = 16;

thread_local! {
    static KEPT: RefCell<Vec<Kept>> = const { RefCell::new(Vec::new()) };
}

/// The status and body to answer `key` with again, if this thread keeps an answer
/// that still holds at `generation` and `now`; with the application's phase its report
/// told.
pub(crate) fn again(
    key: &Key,
    generation: u64,
    now: Instant,
) -> Option<(Option<Phase>, StatusCode, String)> {
    KEPT.with_borrow(|kept| {
        let kept = kept.iter().find(|kept| kept.key == *key)?;
        if kept.made.generation != generation || now >= kept.made.fresh_until {
            return None;
        }
        let body = match &kept.body {
            Body::AsWritten(text) => text.clone(),
            Body::WithTimestamp {
                text,
                timestamp,
                write,
            } => with_timestamp(text, timestamp.clone(), *write, SystemTime::now())?,
        };
        Some((kept.made.phase, kept.status, body))
    })
}

/// Keeps `response`, written by a format that allows `reuse` from a report `made` so,
/// as the answer to `key`: an answer kept before for `key` never outlives a newer one.
pub(crate) fn keep(key: Key, made: Made, reuse: Reuse, response: &Response<String>) {
    KEPT.with_borrow_mut(|kept| {
        kept.retain(|kept| kept.key != key);
        let text = response.body();
        let body = match reuse {
            Reuse::AsWritten => Body::AsWritten(text.clone()),
            Reuse::WithTimestamp(write) => {
                let mut old = String::new();
                if write(made.timestamp, &mut old).is_err() || old.is_empty() {
                    return;
                }
                let Some(start) = text.find(&old) else {
                    return;
                };
                Body::WithTimestamp {
                    text: text.clone(),
                    timestamp: start..start + old.len(),
                    write,
                }
            }
            _ => return,
        };
        if kept.len() == KEPT_AT_MOST {
            kept.remove(0);
        }
        kept.push(Kept {
            key,
            made,
            status: response.status(),
            body,
        });
    });
}

/// `text` with `at` replaced by `time` as `write` writes it; sized exactly when `write`
/// writes its text at once (so the body becomes the response's bytes without a copy).
fn with_timestamp(
    text: &str,
    at: Range<usize>,
    write: fn(SystemTime, &mut dyn fmt::Write) -> fmt::Result,
    time: SystemTime,
) -> Option<String> {
    let (before, after) = (text.get(..at.start)?, text.get(at.end..)?);
    let mut splice = Splice {
        before,
        room_after: after.len(),
        out: None,
    };
    write(time, &mut splice).ok()?;
    let mut out = splice.out?;
    out.push_str(after);
    Some(out)
}

/// What a timestamp is written into: the body's start, then the timestamp, in a string
/// sized by the first piece written, with room for the rest of the body.
struct Splice<'a> {
    before: &'a str,
    room_after: usize,
    out: Option<String>,
}

impl fmt::Write for Splice<'_> {
    fn write_str(&mut self, piece: &str) -> fmt::Result {
        let out = self.out.get_or_insert_with(|| {
            let mut out = String::with_capacity(self.before.len() + piece.len() + self.room_after);
            out.push_str(self.before);
            out
        });
        out.push_str(piece);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;

    fn seconds(time: SystemTime, out: &mut dyn fmt::Write) -> fmt::Result {
        write!(
            out,
            "{}",
            time.duration_since(UNIX_EPOCH).unwrap().as_secs()
        )
    }

    fn response(body: &str) -> Response<String> {
        let mut response = Response::new(body.to_owned());
        *response.status_mut() = StatusCode::IM_A_TEAPOT;
        response
    }

    /// A report made at `generation`, fresh for ten seconds from `now`.
    fn made(generation: u64, now: Instant) -> Made {
        Made {
            generation,
            fresh_until: now + Duration::from_secs(10),
            timestamp: UNIX_EPOCH + Duration::from_secs(1_000),
            phase: Some(Phase::Up),
        }
    }

    fn key(endpoint: u64) -> Key {
        Key {
            endpoint,
            probe: Probe::Readiness,
            format: Some(3),
            details: false,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn an_answer_holds_while_the_generation_stands_and_before_the_earliest_expiry() {
        let now = Instant::now();
        let made = made(7, now);
        keep(key(1), made, Reuse::AsWritten, &response("kept"));
        let again_now = again(&key(1), 7, now).unwrap();
        let expected = (Some(Phase::Up), StatusCode::IM_A_TEAPOT, "kept".to_owned());
        assert_eq!(again_now, expected);
        assert!(again(&key(1), 8, now).is_none(), "the generation moved");
        assert!(
            again(&key(1), 7, now + Duration::from_secs(10)).is_none(),
            "expired"
        );
        assert!(again(&key(2), 7, now).is_none(), "another endpoint");
        keep(key(1), made, Reuse::Never, &response("not kept"));
        assert!(
            again(&key(1), 7, now).is_none(),
            "a newer answer that is not kept"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_timestamped_answer_is_given_again_with_only_its_first_timestamp_new() {
        let now = Instant::now();
        let made = made(1, now);
        keep(
            key(3),
            made,
            Reuse::WithTimestamp(seconds),
            &response("a 1000 b 1000"),
        );
        let (_, _, again) = again(&key(3), 1, now).unwrap();
        let mut expected = String::new();
        seconds(SystemTime::now(), &mut expected).unwrap();
        assert_eq!(again, format!("a {expected} b 1000"));
        assert_eq!(again.len(), again.capacity());
        // A body without the report's timestamp is not kept, rather than written wrong.
        keep(
            key(4),
            made,
            Reuse::WithTimestamp(seconds),
            &response("no time"),
        );
        assert!(super::again(&key(4), 1, now).is_none());
    }
}
