//! The log behind `{base}/events` (feature `status-page`): every change of a check's
//! status, of its flapping and of the application's phase, numbered from 1 and written
//! once as Server-Sent Events text (with outputs, and with them withheld), the last
//! [`KEPT`] kept in a ring shared by every reader: a reader costs a cursor, and one that
//! reconnects with `Last-Event-ID` resumes without loss while the ring holds its next
//! event. Written by the runner's listeners and the lifecycle (through `changes`), read
//! by the endpoint's streams; it knows nothing of checks but what each event says.

use std::collections::{BTreeSet, VecDeque};
use std::io::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use serde_json::json;
use tokio::sync::watch;

use crate::changes::PhaseWatcher;
use crate::details::WITHHELD;
use crate::health::HealthStatus;
use crate::human_time::seconds_since_epoch;
use crate::kind::Kind;
use crate::lifecycle::Phase;
use crate::report::CheckResult;

/// How many events the ring keeps: how far behind a reader may fall, and how far back
/// `Last-Event-ID` resumes.
pub(crate) const KEPT: usize = 256;

/// What the application's phase is now, given the readiness checks whose last told
/// status failed (some may since be gone or disabled: the source looks), and how long the
/// drain has left while it is STOPPING; `None` once the registry is gone.
pub(crate) type PhaseSource =
    Box<dyn Fn(&BTreeSet<String>) -> Option<(Phase, Option<Duration>)> + Send + Sync>;

/// One event, as the stream writes it (its id is its place: ids are consecutive).
struct Event {
    /// `id:`, `event:` and `data:` lines with the outputs, and the blank line.
    full: Arc<str>,
    /// The same with every output withheld; the same text when it shows none.
    withheld: Arc<str>,
}

/// The events and the readers' count.
pub(crate) struct Feed {
    log: Mutex<Log>,
    /// Wakes the readers on every event and at the end.
    wake: watch::Sender<()>,
    /// The readiness checks whose last told status failed; held while the phase is
    /// weighed, so the last phase told is the newest. A change of status weighs the
    /// phase only when it changes this set: a run costs no look at every check.
    failing_readiness: Mutex<BTreeSet<String>>,
    phase_source: OnceLock<PhaseSource>,
    /// The open streams.
    readers: AtomicUsize,
}

struct Log {
    events: VecDeque<Event>,
    next_id: u64,
    last_phase: Option<(Phase, bool)>,
    ended: bool,
}

/// What a reader at `cursor` finds.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Read {
    /// Events were written to the buffer; the cursor is now this.
    Events(u64),
    /// Nothing after the cursor yet.
    Nothing,
    /// The events after the cursor are no longer kept: the reader fell behind (or asked
    /// to resume from too far back). The oldest kept event's id.
    Behind(u64),
    /// The feed ended (the drain is over) and the reader has everything.
    Ended,
}

impl Default for Feed {
    fn default() -> Self {
        Feed {
            log: Mutex::new(Log {
                events: VecDeque::with_capacity(KEPT),
                next_id: 1,
                last_phase: None,
                ended: false,
            }),
            wake: watch::Sender::new(()),
            failing_readiness: Mutex::new(BTreeSet::new()),
            phase_source: OnceLock::new(),
            readers: AtomicUsize::new(0),
        }
    }
}

impl std::fmt::Debug for Feed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Feed")
            .field("last_id", &self.last_id())
            .field("readers", &self.readers.load(Ordering::Acquire))
            .finish_non_exhaustive()
    }
}

impl Feed {
    /// Where the phase comes from; set once, by the registry.
    pub(crate) fn set_phase_source(&self, source: PhaseSource) {
        let _ = self.phase_source.set(source);
    }

    /// A check's reported status changed from `from` to the result's.
    pub(crate) fn status(&self, from: HealthStatus, result: &CheckResult) {
        let full = status_data(from, result, &result.output, Some(&result.details));
        let withheld = status_data(from, result, WITHHELD, None);
        self.push("status", full, Some(withheld));
        // After the status: a phase it changed follows it.
        let readiness = result
            .stats()
            .is_some_and(|stats| stats.kinds.contains(&Kind::Readiness));
        let mut failing = self.failing();
        let moved = match (readiness, result.passed) {
            (false, _) => false,
            (true, true) => failing.remove(&result.checker),
            (true, false) => failing.insert(result.checker.clone()),
        };
        if moved {
            self.weigh_phase(&failing);
        }
    }

    fn failing(&self) -> std::sync::MutexGuard<'_, BTreeSet<String>> {
        self.failing_readiness
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// A check started or stopped flapping (`result.flapping` says which).
    pub(crate) fn flapping(&self, result: &CheckResult) {
        let data = json!({
            "checker": result.checker,
            "flapping": result.flapping,
            "state_change_percent": result.state_change_percent,
            "status": result.status.as_str(),
        })
        .to_string();
        self.push("flapping", data, None);
    }

    /// Tells the phase if it changed (or the drain began) since the last told; `failing`
    /// held, so the last told is the newest.
    fn weigh_phase(&self, failing: &BTreeSet<String>) {
        let Some((phase, drain_left)) = self.phase_source.get().and_then(|source| source(failing))
        else {
            return;
        };
        let shown = (phase, drain_left.is_some());
        {
            let mut log = self.lock();
            if log.ended || log.last_phase == Some(shown) {
                return;
            }
            log.last_phase = Some(shown);
        }
        let mut data = json!({ "phase": phase.as_str() });
        if let Some(left) = drain_left {
            data["drain_left"] = json!(left.as_secs_f64());
        }
        self.push("phase", data.to_string(), None);
    }

    fn push(&self, kind: &str, full: String, withheld: Option<String>) {
        let mut log = self.lock();
        if log.ended {
            return;
        }
        let id = log.next_id;
        let text = |data: &str| -> Arc<str> {
            format!("id: {id}\nevent: {kind}\ndata: {data}\n\n").into()
        };
        let full = text(&full);
        let withheld = withheld.map_or_else(|| Arc::clone(&full), |data| text(&data));
        if log.events.len() == KEPT {
            log.events.pop_front();
        }
        log.events.push_back(Event { full, withheld });
        log.next_id = id + 1;
        self.wake.send_replace(());
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Log> {
        self.log.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The id of the last event written (0 before any).
    pub(crate) fn last_id(&self) -> u64 {
        self.lock().next_id - 1
    }

    /// A receiver that wakes on every new event and at the end.
    pub(crate) fn subscribe(&self) -> watch::Receiver<()> {
        self.wake.subscribe()
    }

    /// Writes the events after `cursor` (outputs withheld unless `details`) to `out`,
    /// stopping once it holds `max` bytes.
    pub(crate) fn read(&self, cursor: u64, details: bool, out: &mut String, max: usize) -> Read {
        let log = self.lock();
        // Ids are consecutive, the newest `next_id - 1`.
        let oldest = log.next_id - log.events.len() as u64;
        if !log.events.is_empty() && cursor.saturating_add(1) < oldest {
            return Read::Behind(oldest);
        }
        let skip =
            usize::try_from(cursor.saturating_add(1).saturating_sub(oldest)).unwrap_or(usize::MAX);
        let mut sent = 0;
        for event in log.events.iter().skip(skip) {
            if sent > 0 && out.len() >= max {
                break;
            }
            out.push_str(if details {
                &event.full
            } else {
                &event.withheld
            });
            sent += 1;
        }
        match sent {
            0 if log.ended => Read::Ended,
            0 => Read::Nothing,
            // The last sent: the next after the cursor, and the rest of those sent.
            sent => Read::Events(cursor.saturating_add(sent)),
        }
    }

    /// Counts a reader in unless `limit` are open already.
    pub(crate) fn join(&self, limit: usize) -> bool {
        self.readers
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |open| {
                (open < limit).then_some(open + 1)
            })
            .is_ok()
    }

    /// Counts a reader out.
    pub(crate) fn leave(&self) {
        self.readers.fetch_sub(1, Ordering::AcqRel);
    }
}

impl PhaseWatcher for Feed {
    fn phase_may_have_changed(&self) {
        self.weigh_phase(&self.failing());
    }

    /// Every stream ends once it has what was told before.
    fn drained(&self) {
        self.lock().ended = true;
        self.wake.send_replace(());
    }
}

/// A `status` event's data, written directly (a change costs no JSON tree): the keys in
/// the order a JSON map writes them; `details` `{}` when withheld.
fn status_data(
    from: HealthStatus,
    result: &CheckResult,
    output: &str,
    details: Option<&serde_json::Map<String, serde_json::Value>>,
) -> String {
    /// `value` as serde_json writes a float (the same digits as the other formats).
    fn number(data: &mut Vec<u8>, value: f64) {
        data.extend_from_slice(zmij::Buffer::new().format_finite(value).as_bytes());
    }
    /// `text` as a JSON string.
    fn string(data: &mut Vec<u8>, text: &str) {
        // Writing a string to a vector cannot fail.
        let _ = serde_json::to_writer(&mut *data, text);
    }
    let mut data = Vec::with_capacity(224 + result.checker.len() + output.len());
    data.extend_from_slice(b"{\"checker\":");
    string(&mut data, &result.checker);
    data.extend_from_slice(b",\"details\":");
    match details {
        Some(details) => {
            let _ = serde_json::to_writer(&mut data, details);
        }
        None => data.extend_from_slice(b"{}"),
    }
    let _ = write!(
        data,
        ",\"flapping\":{},\"from\":\"{}\",\"output\":",
        result.flapping,
        from.as_str()
    );
    string(&mut data, output);
    let _ = write!(data, ",\"passed\":{},\"response_time\":", result.passed);
    number(&mut data, result.response_time.as_secs_f64());
    data.extend_from_slice(b",\"state_change_percent\":");
    number(&mut data, result.state_change_percent);
    let _ = write!(
        data,
        ",\"status\":\"{}\",\"timestamp\":",
        result.status.as_str()
    );
    number(&mut data, seconds_since_epoch(result.timestamp));
    data.push(b'}');
    // JSON text of valid strings is valid UTF-8.
    String::from_utf8(data)
        .unwrap_or_else(|err| String::from_utf8_lossy(err.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(name: &str, status: HealthStatus, output: &str) -> CheckResult {
        let mut result = CheckResult::failed_now(name, "");
        result.status = status;
        result.passed = status != HealthStatus::Fail;
        result.output = output.to_owned();
        result
    }

    #[test]
    fn events_are_numbered_and_read_after_a_cursor_with_outputs_only_under_details() {
        let feed = Feed::default();
        feed.status(
            HealthStatus::Pass,
            &result("db", HealthStatus::Fail, "refused"),
        );
        feed.status(HealthStatus::Fail, &result("db", HealthStatus::Pass, "ok"));
        assert_eq!(feed.last_id(), 2);
        let mut out = String::new();
        assert_eq!(feed.read(0, true, &mut out, 1 << 20), Read::Events(2));
        assert!(out.starts_with("id: 1\nevent: status\ndata: {"), "{out}");
        assert!(out.contains("\"output\":\"refused\""), "{out}");
        assert!(out.contains("\n\nid: 2\n"), "{out}");
        out.clear();
        assert_eq!(feed.read(1, false, &mut out, 1 << 20), Read::Events(2));
        assert!(!out.contains("\"ok\""), "{out}");
        assert!(out.contains(WITHHELD), "{out}");
        out.clear();
        assert_eq!(feed.read(2, true, &mut out, 1 << 20), Read::Nothing);
        assert!(out.is_empty());
    }

    #[test]
    fn a_status_events_data_is_the_json_of_its_fields_whatever_the_output_holds() {
        let mut result = result("db", HealthStatus::Warn, "\"quoted\" \\ </script>\n\u{1}é");
        result.details.insert(
            "pool".into(),
            serde_json::json!({"idle": 2, "note": "a\"b"}),
        );
        result.state_change_percent = 37.5;
        result.response_time = Duration::from_micros(1234);
        // A time serde_json's parser (not exact without `float_roundtrip`) reads back as
        // another float: the timestamp is read from the text exactly, apart.
        result.timestamp = std::time::UNIX_EPOCH + Duration::from_nanos(1_796_586_316_344_803_300);
        let text = status_data(
            HealthStatus::Fail,
            &result,
            &result.output,
            Some(&result.details),
        );
        let timestamp = text.rsplit_once("\"timestamp\":").unwrap().1;
        let timestamp: f64 = timestamp.trim_end_matches('}').parse().unwrap();
        assert_eq!(timestamp, seconds_since_epoch(result.timestamp));
        let mut data: serde_json::Value = serde_json::from_str(&text).unwrap();
        data.as_object_mut().unwrap().remove("timestamp");
        assert_eq!(
            data,
            json!({
                "checker": "db",
                "details": {"pool": {"idle": 2, "note": "a\"b"}},
                "flapping": false,
                "from": "fail",
                "output": result.output,
                "passed": true,
                "response_time": 0.001234,
                "state_change_percent": 37.5,
                "status": "warn",
            })
        );
        let withheld: serde_json::Value =
            serde_json::from_str(&status_data(HealthStatus::Fail, &result, WITHHELD, None))
                .unwrap();
        assert_eq!(withheld["output"], WITHHELD);
        assert_eq!(withheld["details"], json!({}));
    }

    #[test]
    fn a_reader_behind_the_ring_is_told_so_and_the_ring_stays_bounded() {
        let feed = Feed::default();
        for round in 0..(KEPT + 10) {
            let (from, to) = match round % 2 {
                0 => (HealthStatus::Pass, HealthStatus::Fail),
                _ => (HealthStatus::Fail, HealthStatus::Pass),
            };
            feed.status(from, &result("db", to, "x"));
        }
        assert_eq!(feed.lock().events.len(), KEPT);
        let mut out = String::new();
        assert_eq!(feed.read(0, true, &mut out, 1 << 20), Read::Behind(11));
        assert!(out.is_empty());
        // From the oldest kept on, everything.
        assert_eq!(feed.read(10, true, &mut out, 1 << 20), Read::Events(266));
        // A small buffer takes at least one event, and stops.
        out.clear();
        assert_eq!(feed.read(10, true, &mut out, 1), Read::Events(11));
    }

    #[test]
    fn an_ended_feed_takes_no_event_and_says_so_once_read() {
        let feed = Feed::default();
        feed.flapping(&result("db", HealthStatus::Fail, "x"));
        feed.drained();
        feed.flapping(&result("db", HealthStatus::Fail, "x"));
        let mut out = String::new();
        assert_eq!(feed.read(0, true, &mut out, 1 << 20), Read::Events(1));
        assert_eq!(feed.read(1, true, &mut out, 1 << 20), Read::Ended);
    }

    #[test]
    fn the_phase_is_told_when_it_changes_and_when_a_drain_begins() {
        let feed = Feed::default();
        let phase = Arc::new(Mutex::new((Phase::Up, None)));
        let source = Arc::clone(&phase);
        feed.set_phase_source(Box::new(move |_| Some(*source.lock().unwrap())));
        feed.phase_may_have_changed();
        feed.phase_may_have_changed();
        *phase.lock().unwrap() = (Phase::Stopping, Some(Duration::from_secs(5)));
        feed.phase_may_have_changed();
        let mut out = String::new();
        assert_eq!(feed.read(0, false, &mut out, 1 << 20), Read::Events(2));
        assert!(out.contains("data: {\"phase\":\"UP\"}"), "{out}");
        assert!(
            out.contains("data: {\"drain_left\":5.0,\"phase\":\"STOPPING\"}"),
            "{out}"
        );
    }

    #[test]
    fn readers_past_the_limit_are_not_counted_in() {
        let feed = Feed::default();
        assert!(feed.join(2));
        assert!(feed.join(2));
        assert!(!feed.join(2));
        feed.leave();
        assert!(feed.join(2));
        assert_eq!(feed.readers.load(Ordering::Acquire), 2);
    }
}
