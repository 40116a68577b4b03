//! A check's memory: its last results and changes of status, kept in under 2 KiB, and
//! Nagios' flap detection over them. The runner records into it under the slot's lock;
//! a caller reads a copy, [`History`].

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::health::HealthStatus;

/// How many of a check's results its history keeps: Nagios' window of 21 states, whose
/// 20 changes flap detection weighs.
pub const RESULTS_KEPT: usize = 21;

/// How many changes of a check's status its history keeps.
pub const TRANSITIONS_KEPT: usize = 50;

/// How much of a result's message its history keeps, in bytes (cut on a character
/// boundary).
pub const MESSAGE_BYTES: usize = 120;

/// The bytes the messages of each list share. A new message overwrites the oldest, so a
/// history holds as many messages as fit (a run repeating the message before it adds no
/// bytes); an entry whose message was overwritten has none. Chosen so that a whole
/// history stays under 2 KiB (see the size test below).
const TEXT_BYTES: usize = 384;

/// What a check does while it flaps (`on_flapping = "…"`, [`Check::on_flapping`](crate::Check::on_flapping)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum OnFlapping {
    /// Marks the result as flapping and changes nothing else (the default).
    #[default]
    Report,
    /// Holds the check at warn while it flaps: it passes, so readiness (and a load
    /// balancer's routing) stops switching on and off; its history still shows every run.
    Warn,
}

impl OnFlapping {
    /// `report` or `warn`, as the attribute writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            OnFlapping::Report => "report",
            OnFlapping::Warn => "warn",
        }
    }
}

/// A check's flapping thresholds, in percent state change.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Thresholds {
    /// Flapping stops when the percent falls to it.
    pub(crate) low: f64,
    /// Flapping starts when the percent reaches it.
    pub(crate) high: f64,
}

/// A check's recent results and changes of status, as [`HealthCheck::history`](crate::HealthCheck::history)
/// and `GET {base}/{name}/history` give them, newest first.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct History {
    /// The check's name.
    pub checker: String,
    /// Whether the check is flapping now.
    pub flapping: bool,
    /// Nagios' weighted percent state change over the results kept (0 to 100).
    pub state_change_percent: f64,
    /// The percent at or below which flapping stops.
    pub flapping_low: f64,
    /// The percent at which flapping starts.
    pub flapping_high: f64,
    /// What the check does while it flaps.
    pub on_flapping: OnFlapping,
    /// The last [`RESULTS_KEPT`] results, newest first.
    pub results: Vec<PastResult>,
    /// The last [`TRANSITIONS_KEPT`] changes of the reported status, newest first.
    pub transitions: Vec<Transition>,
}

/// One run, as the history keeps it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct PastResult {
    /// What the run itself returned (a timeout or panic is `fail`), before thresholds,
    /// `critical` and flapping: what flap detection weighs.
    pub status: HealthStatus,
    /// What the report showed for it.
    pub reported: HealthStatus,
    /// When the run ended, to the millisecond.
    pub timestamp: SystemTime,
    /// How long it ran, to the microsecond (at most about 71 minutes).
    pub response_time: Duration,
    /// The first [`MESSAGE_BYTES`] of its output; `None` once newer messages took its
    /// place in the history's bytes.
    pub output: Option<String>,
}

/// One change of a check's reported status, as its listeners heard it. Before its first
/// result a check counts as passing: a first result that warns or fails is a change
/// from `pass`, so every recovery has a change into failure before it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Transition {
    /// The status before.
    pub from: HealthStatus,
    /// The status after.
    pub to: HealthStatus,
    /// When the run that made the change ended, to the millisecond.
    pub timestamp: SystemTime,
    /// The first [`MESSAGE_BYTES`] of that run's output; `None` once newer messages took
    /// its place.
    pub output: Option<String>,
}

/// What a run did to flap detection.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Flap {
    pub(crate) percent: f64,
    pub(crate) flapping: bool,
    /// Whether flapping started or stopped with this run.
    pub(crate) changed: bool,
}

/// One run, packed: 19 bytes (`repr(packed)`: read by value only, never borrowed).
#[derive(Debug, Clone, Copy, Default)]
#[repr(C, packed)]
struct RunRecord {
    at_ms: u64,
    duration_us: u32,
    text_at: u32,
    text_len: u8,
    status: u8,
    reported: u8,
}

/// One change of the reported status, packed: 15 bytes.
#[derive(Debug, Clone, Copy, Default)]
#[repr(C, packed)]
struct ChangeRecord {
    at_ms: u64,
    text_at: u32,
    text_len: u8,
    from: u8,
    to: u8,
}

/// Messages in a ring of bytes. A message is found by where it was written (`text_at`,
/// counting every byte ever written, wrapping at 2^32) and is intact while fewer than
/// [`TEXT_BYTES`] bytes have been written since. Its list keeps at most 50 entries of at
/// most 120 bytes each, so an entry is gone long before the count could wrap onto it.
#[derive(Debug)]
struct Texts {
    bytes: [u8; TEXT_BYTES],
    written: u32,
}

impl Texts {
    fn push(&mut self, text: &[u8]) -> u32 {
        let at = self.written;
        let start = at as usize % TEXT_BYTES;
        let first = text.len().min(TEXT_BYTES - start);
        self.bytes[start..start + first].copy_from_slice(&text[..first]);
        self.bytes[..text.len() - first].copy_from_slice(&text[first..]);
        // At most MESSAGE_BYTES: the cast cannot truncate.
        self.written = at.wrapping_add(text.len() as u32);
        at
    }

    fn intact(&self, at: u32) -> bool {
        self.written.wrapping_sub(at) as usize <= TEXT_BYTES
    }

    /// The bytes of the message at `at`, if still intact, in at most two pieces.
    fn pieces(&self, at: u32, len: u8) -> Option<(&[u8], &[u8])> {
        if !self.intact(at) {
            return None;
        }
        let start = at as usize % TEXT_BYTES;
        let len = usize::from(len);
        let first = len.min(TEXT_BYTES - start);
        Some((
            &self.bytes[start..start + first],
            &self.bytes[..len - first],
        ))
    }

    fn text(&self, at: u32, len: u8) -> Option<String> {
        let (first, second) = self.pieces(at, len)?;
        let mut bytes = Vec::with_capacity(first.len() + second.len());
        bytes.extend_from_slice(first);
        bytes.extend_from_slice(second);
        // Written whole from a `str` cut on a character boundary; lossy only as a guard.
        Some(
            String::from_utf8(bytes)
                .unwrap_or_else(|err| String::from_utf8_lossy(err.as_bytes()).into_owned()),
        )
    }

    fn equals(&self, at: u32, len: u8, text: &[u8]) -> bool {
        self.pieces(at, len).is_some_and(|(first, second)| {
            text.len() == first.len() + second.len()
                && text[..first.len()] == *first
                && text[first.len()..] == *second
        })
    }
}

/// A check's memory: what every run reads and writes, kept in the slot itself, and the
/// lists, one block allocated at the first run. A run touches the block only where it
/// writes (its record, a new message), so a registry of 10,000 checks, whose blocks no
/// processor cache holds, pays few cache misses a run.
#[derive(Debug, Default)]
pub(crate) struct Memory {
    head: Head,
    lists: Option<Box<Lists>>,
}

/// The counters and the last run's status and message, read by every run.
#[derive(Debug, Default)]
struct Head {
    /// How many runs are kept, and where the next one goes.
    runs_len: u8,
    runs_next: u8,
    changes_len: u8,
    changes_next: u8,
    /// Which of the last 20 runs changed the status from the run before: bit 0 the
    /// newest. Flap detection weighs these, so no run is read again.
    change_bits: u32,
    flapping: bool,
    percent: f64,
    /// The last run's status, and where its message is, with its first bytes: a message
    /// repeated is known without reading the ring unless its start matches.
    last_status: Option<u8>,
    last_text_at: u32,
    last_text_len: u8,
    last_text_start: [u8; TEXT_START],
}

/// How many of a message's first bytes the head keeps.
const TEXT_START: usize = 16;

/// The runs, the changes and their messages.
#[derive(Debug)]
struct Lists {
    runs: [RunRecord; RESULTS_KEPT],
    changes: [ChangeRecord; TRANSITIONS_KEPT],
    run_texts: Texts,
    change_texts: Texts,
}

impl Lists {
    fn new() -> Self {
        Lists {
            runs: [RunRecord::default(); RESULTS_KEPT],
            changes: [ChangeRecord::default(); TRANSITIONS_KEPT],
            run_texts: Texts {
                bytes: [0; TEXT_BYTES],
                written: 0,
            },
            change_texts: Texts {
                bytes: [0; TEXT_BYTES],
                written: 0,
            },
        }
    }
}

/// The indexes of a ring of `size` holding `len` entries, the next written at `next`,
/// newest first.
fn newest_first(next: u8, len: u8, size: usize) -> impl Iterator<Item = usize> {
    let next = usize::from(next);
    (1..=usize::from(len)).map(move |back| (next + size - back) % size)
}

/// What one run was, for [`Memory::record_run`].
pub(crate) struct Run<'a> {
    pub(crate) at: SystemTime,
    pub(crate) duration: Duration,
    /// The run's own status, before thresholds, `critical` and flapping.
    pub(crate) status: HealthStatus,
    pub(crate) message: &'a str,
}

impl Memory {
    /// Keeps `run` and weighs the runs kept for flapping against `thresholds`.
    pub(crate) fn record_run(&mut self, run: &Run<'_>, thresholds: Thresholds) -> Flap {
        let head = &mut self.head;
        let lists = self.lists.get_or_insert_with(|| Box::new(Lists::new()));
        let text = cut(run.message).as_bytes();
        let status = code(run.status);
        if let Some(last) = head.last_status {
            let changed = u32::from(last != status);
            head.change_bits = ((head.change_bits << 1) | changed) & CHANGE_BITS;
        }
        // A message like the run's before it is not written again.
        let start = &text[..text.len().min(TEXT_START)];
        let repeated = head.last_status.is_some()
            && usize::from(head.last_text_len) == text.len()
            && head.last_text_start[..start.len()] == *start
            && lists.run_texts.intact(head.last_text_at)
            && (text.len() <= TEXT_START
                || lists
                    .run_texts
                    .equals(head.last_text_at, head.last_text_len, text));
        let text_at = if repeated {
            head.last_text_at
        } else {
            lists.run_texts.push(text)
        };
        // At most MESSAGE_BYTES: the cast cannot truncate.
        let text_len = text.len() as u8;
        let next = usize::from(head.runs_next);
        lists.runs[next] = RunRecord {
            at_ms: millis_since_epoch(run.at),
            duration_us: u32::try_from(run.duration.as_micros()).unwrap_or(u32::MAX),
            text_at,
            text_len,
            status,
            // Until `record_reported` says otherwise.
            reported: status,
        };
        head.runs_next = ((next + 1) % RESULTS_KEPT) as u8;
        head.runs_len = (usize::from(head.runs_len) + 1).min(RESULTS_KEPT) as u8;
        head.last_status = Some(status);
        head.last_text_at = text_at;
        head.last_text_len = text_len;
        head.last_text_start[..start.len()].copy_from_slice(start);
        let percent = percent_state_change(head.change_bits);
        let was = head.flapping;
        if !was && percent >= thresholds.high {
            head.flapping = true;
        } else if was && percent <= thresholds.low {
            head.flapping = false;
        }
        // Shown to two decimals: the thresholds above weigh the exact figure.
        head.percent = (percent * 100.0).round() / 100.0;
        Flap {
            percent: head.percent,
            flapping: head.flapping,
            changed: head.flapping != was,
        }
    }

    /// What the report showed for the run just recorded.
    pub(crate) fn record_reported(&mut self, reported: HealthStatus) {
        if let Some(lists) = &mut self.lists {
            let last = (usize::from(self.head.runs_next) + RESULTS_KEPT - 1) % RESULTS_KEPT;
            lists.runs[last].reported = code(reported);
        }
    }

    /// Keeps a change of the reported status.
    pub(crate) fn record_change(
        &mut self,
        from: HealthStatus,
        to: HealthStatus,
        at: SystemTime,
        message: &str,
    ) {
        let head = &mut self.head;
        let lists = self.lists.get_or_insert_with(|| Box::new(Lists::new()));
        let text = cut(message).as_bytes();
        let text_at = lists.change_texts.push(text);
        let next = usize::from(head.changes_next);
        lists.changes[next] = ChangeRecord {
            at_ms: millis_since_epoch(at),
            text_at,
            text_len: text.len() as u8,
            from: code(from),
            to: code(to),
        };
        head.changes_next = ((next + 1) % TRANSITIONS_KEPT) as u8;
        head.changes_len = (usize::from(head.changes_len) + 1).min(TRANSITIONS_KEPT) as u8;
    }

    /// A copy of what is kept, for the check named `checker`.
    pub(crate) fn history(
        &self,
        checker: &str,
        thresholds: Thresholds,
        on_flapping: OnFlapping,
    ) -> History {
        let mut history = History {
            checker: checker.to_owned(),
            flapping: false,
            state_change_percent: 0.0,
            flapping_low: thresholds.low,
            flapping_high: thresholds.high,
            on_flapping,
            results: Vec::new(),
            transitions: Vec::new(),
        };
        let (head, Some(lists)) = (&self.head, &self.lists) else {
            return history;
        };
        history.flapping = head.flapping;
        history.state_change_percent = head.percent;
        let runs = newest_first(head.runs_next, head.runs_len, RESULTS_KEPT);
        history.results = runs
            .map(|index| lists.runs[index])
            .map(|record| PastResult {
                status: status(record.status),
                reported: status(record.reported),
                timestamp: time(record.at_ms),
                response_time: Duration::from_micros(u64::from(record.duration_us)),
                output: lists.run_texts.text(record.text_at, record.text_len),
            })
            .collect();
        let changes = newest_first(head.changes_next, head.changes_len, TRANSITIONS_KEPT);
        history.transitions = changes
            .map(|index| lists.changes[index])
            .map(|record| Transition {
                from: status(record.from),
                to: status(record.to),
                timestamp: time(record.at_ms),
                output: lists.change_texts.text(record.text_at, record.text_len),
            })
            .collect();
        history
    }
}

/// The 20 changes 21 runs can have, as bits.
const CHANGE_BITS: u32 = (1 << (RESULTS_KEPT - 1)) - 1;

/// Nagios' percent state change of the last 21 runs, given which of their 20 changes
/// happened (`changes`, bit 0 the newest): each change is weighted linearly from 0.75
/// (oldest) to 1.25 (newest); the sum of the weights of the changes that happened, over
/// 20, in percent. With fewer runs, the missing older changes did not happen.
pub(crate) fn percent_state_change(changes: u32) -> f64 {
    const CHANGES: f64 = (RESULTS_KEPT - 1) as f64;
    let changes = changes & CHANGE_BITS;
    // `back` 0 is the newest change, weighted 1.25; `back` 19 the oldest, 0.75: the sum
    // of the weights is 1.25 a change less 0.5 / 19 for each step back (one division).
    let mut backs = 0u32;
    let mut left = changes;
    while left != 0 {
        backs += left.trailing_zeros();
        left &= left - 1;
    }
    let weights = 1.25 * f64::from(changes.count_ones()) - 0.5 * f64::from(backs) / (CHANGES - 1.0);
    weights * 100.0 / CHANGES
}

/// The first [`MESSAGE_BYTES`] of `message`, cut on a character boundary.
fn cut(message: &str) -> &str {
    if message.len() <= MESSAGE_BYTES {
        return message;
    }
    let mut end = MESSAGE_BYTES;
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    &message[..end]
}

fn millis_since_epoch(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH).map_or(0, |since| {
        u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
    })
}

fn time(millis_since_epoch: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(millis_since_epoch)
}

fn code(status: HealthStatus) -> u8 {
    // 0 to 2: the cast cannot truncate.
    status.index() as u8
}

fn status(code: u8) -> HealthStatus {
    HealthStatus::ALL[usize::from(code).min(2)]
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASS: u8 = 0;
    const FAIL: u8 = 2;

    /// The percent of states given oldest first, through the change bits a history keeps.
    fn percent(oldest_first: &[u8]) -> f64 {
        let bits = oldest_first.windows(2).fold(0u32, |bits, pair| {
            ((bits << 1) | u32::from(pair[0] != pair[1])) & CHANGE_BITS
        });
        percent_state_change(bits)
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn hand_computed_percent_state_changes() {
        assert_eq!(percent(&[PASS; 21]), 0.0, "all stable");
        let alternating: Vec<u8> = (0..21u32)
            .map(|i| if i.is_multiple_of(2) { PASS } else { FAIL })
            .collect();
        assert!(
            close(percent(&alternating), 100.0),
            "{}",
            percent(&alternating)
        );
        let mut newest = [PASS; 21];
        newest[20] = FAIL;
        assert!(close(percent(&newest), 6.25), "one change, newest");
        let mut oldest = [FAIL; 21];
        oldest[0] = PASS;
        assert!(close(percent(&oldest), 3.75), "one change, oldest");
        // Fewer than 21 states: the one change there is is the newest.
        assert!(close(percent(&[PASS, FAIL]), 6.25));
        assert_eq!(percent(&[FAIL]), 0.0);
        assert_eq!(percent(&[]), 0.0);
        // Only the last 21 states count: a change before them weighs nothing.
        let mut older = vec![FAIL];
        older.extend([PASS; 21]);
        assert_eq!(percent(&older), 0.0);
    }

    /// Nagios' loop as its flapping.c writes it: 21 states oldest first (missing ones
    /// filled with the oldest known), change `x` weighted `(x-1)·0.5/19 + 0.75`.
    fn nagios(oldest_first: &[u8]) -> f64 {
        let known = &oldest_first[oldest_first.len().saturating_sub(21)..];
        let mut states = vec![known[0]; 21 - known.len()];
        states.extend_from_slice(known);
        let mut curved = 0.0;
        for x in 1..21 {
            if states[x] != states[x - 1] {
                curved += (x - 1) as f64 * (1.25 - 0.75) / 19.0 + 0.75;
            }
        }
        curved * 100.0 / 20.0
    }

    /// A small generator, so the property test repeats exactly (xorshift64).
    fn next(seed: &mut u64) -> u64 {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        *seed
    }

    #[test]
    fn percent_state_change_agrees_with_nagios_over_generated_sequences() {
        let mut seed = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..20_000 {
            let len = 1 + (next(&mut seed) % 40) as usize;
            // Runs of a state of random length, so stable and flapping stretches both occur.
            let stickiness = next(&mut seed) % 4;
            let mut states = Vec::with_capacity(len);
            let mut state = (next(&mut seed) % 3) as u8;
            for _ in 0..len {
                if next(&mut seed) % 4 >= stickiness {
                    state = (next(&mut seed) % 3) as u8;
                }
                states.push(state);
            }
            let ours = percent(&states);
            assert!(close(ours, nagios(&states)), "{states:?}: {ours}");
            assert!((0.0..=100.0 + 1e-9).contains(&ours));
        }
    }

    fn run(status: HealthStatus, message: &str) -> Run<'_> {
        Run {
            at: UNIX_EPOCH + Duration::from_millis(1_700_000_000_123),
            duration: Duration::from_micros(1_500),
            status,
            message,
        }
    }

    const ICINGA: Thresholds = Thresholds {
        low: 25.0,
        high: 30.0,
    };

    #[test]
    fn flapping_starts_at_the_high_threshold_and_stops_at_the_low_one() {
        let mut memory = Memory::default();
        let mut flaps = Vec::new();
        // Alternating: the percent climbs 6.25 points a run at first.
        for i in 0..8u32 {
            let status = if i.is_multiple_of(2) {
                HealthStatus::Pass
            } else {
                HealthStatus::Fail
            };
            flaps.push(memory.record_run(&run(status, "x"), ICINGA));
        }
        let started = flaps.iter().position(|flap| flap.flapping).unwrap();
        assert!(flaps[started].changed);
        assert!(flaps[started].percent >= 30.0);
        assert!(flaps[started - 1].percent < 30.0);
        assert_eq!(flaps.iter().filter(|flap| flap.changed).count(), 1);
        // Stable again: the changes age out and lose weight until 25 % is reached.
        let mut stopped = None;
        for _ in 0..21 {
            let flap = memory.record_run(&run(HealthStatus::Pass, "x"), ICINGA);
            if flap.changed {
                assert!(!flap.flapping && flap.percent <= 25.0);
                stopped.get_or_insert(flap.percent);
            } else if flap.flapping {
                assert!(
                    flap.percent > 25.0,
                    "between the thresholds nothing changes"
                );
            }
        }
        assert!(stopped.is_some());
        assert!(!memory.history("db", ICINGA, OnFlapping::Report).flapping);
    }

    #[test]
    fn the_history_keeps_the_last_21_results_and_50_changes_newest_first() {
        let mut memory = Memory::default();
        for i in 0..30u32 {
            let message = format!("run {i}");
            memory.record_run(&run(HealthStatus::Pass, &message), ICINGA);
        }
        for i in 0..60u32 {
            let (from, to) = if i.is_multiple_of(2) {
                (HealthStatus::Pass, HealthStatus::Fail)
            } else {
                (HealthStatus::Fail, HealthStatus::Pass)
            };
            memory.record_change(from, to, UNIX_EPOCH, &format!("change {i}"));
        }
        let history = memory.history("db", ICINGA, OnFlapping::Report);
        assert_eq!(history.results.len(), RESULTS_KEPT);
        assert_eq!(history.results[0].output.as_deref(), Some("run 29"));
        assert_eq!(history.results[20].output.as_deref(), Some("run 9"));
        assert_eq!(
            history.results[0].response_time,
            Duration::from_micros(1_500)
        );
        assert_eq!(
            history.results[0].timestamp,
            UNIX_EPOCH + Duration::from_millis(1_700_000_000_123)
        );
        assert_eq!(history.transitions.len(), TRANSITIONS_KEPT);
        assert_eq!(history.transitions[0].output.as_deref(), Some("change 59"));
        assert_eq!(history.transitions[0].to, HealthStatus::Pass);
        assert_eq!(history.transitions[49].from, HealthStatus::Pass);
    }

    #[test]
    fn messages_are_cut_at_120_bytes_and_the_oldest_give_way_to_newer_ones() {
        let mut memory = Memory::default();
        let long = "é".repeat(100); // 200 bytes: cut to 120 (60 characters)
        memory.record_run(&run(HealthStatus::Fail, &long), ICINGA);
        let history = memory.history("db", ICINGA, OnFlapping::Report);
        assert_eq!(history.results[0].output.as_deref(), Some(&long[..120]));
        // Distinct 120-byte messages: 384 bytes hold the last three.
        for i in 0..10 {
            let message = format!("{i}{}", "x".repeat(119));
            memory.record_run(&run(HealthStatus::Pass, &message), ICINGA);
        }
        let history = memory.history("db", ICINGA, OnFlapping::Report);
        let kept: Vec<bool> = history.results.iter().map(|r| r.output.is_some()).collect();
        assert_eq!(kept[..4], [true, true, true, false]);
        assert!(
            history.results[0]
                .output
                .as_deref()
                .unwrap()
                .starts_with('9')
        );
        assert!(
            history.results[2]
                .output
                .as_deref()
                .unwrap()
                .starts_with('7')
        );
        // A message repeated costs nothing: 21 runs of "ok" keep every message.
        let mut repeated = Memory::default();
        for _ in 0..40 {
            repeated.record_run(&run(HealthStatus::Pass, "ok"), ICINGA);
        }
        let history = repeated.history("db", ICINGA, OnFlapping::Report);
        assert!(
            history
                .results
                .iter()
                .all(|r| r.output.as_deref() == Some("ok"))
        );
    }

    #[test]
    fn a_history_is_under_2_kib() {
        // The lists allocated whole at the first run (the allocator's own header is at
        // most 16 bytes), the head in the slot.
        let lists = std::mem::size_of::<Lists>();
        let head = std::mem::size_of::<Memory>();
        assert_eq!(
            (lists, head),
            (1928, 48),
            "the sizes the README and BENCHMARKS.md quote"
        );
        assert!(lists + 16 + head <= 2048, "{lists} + {head} bytes");
    }
}
