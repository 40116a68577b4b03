//! `GET {base}/events` (feature `status-page`): the feed's changes as Server-Sent Events,
//! a body that streams. Each reader is a cursor into the feed's shared ring, a watch
//! receiver and a heartbeat timer: it holds no copy of an event until it is polled, so a
//! reader that stops reading holds nobody back and grows nothing; when it reads again
//! after the ring moved past it, it gets a final `end` event and the stream closes.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_util::Stream;
use http::header::{CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER};
use http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode};
use tokio::sync::watch;
use tokio::time::Instant;

use super::config::Config;
use super::{plan, respond};
use crate::feed::{Feed, KEPT, Read};
use crate::request::{self, Rejection, Route};

/// How often an idle stream sends a comment, so proxies and browsers keep it open.
pub const HEARTBEAT: Duration = Duration::from_secs(15);

/// The most bytes of events one chunk carries: a burst is sent in few writes, and a
/// chunk a connection holds stays small.
const CHUNK: usize = 4096;

/// The default most streams open at once ([`Endpoint::max_event_streams`](crate::Endpoint::max_event_streams)).
pub const MAX_EVENT_STREAMS: usize = 1024;

/// The body of an answer from [`Endpoint::events`](crate::Endpoint::events): the stream
/// of changes as `text/event-stream`, or a refusal's JSON. A [`Stream`] of [`Bytes`]
/// (for actix-web's `streaming`) and an [`http_body::Body`] (for axum and hyper).
#[must_use = "a body does nothing unless polled"]
pub struct Events {
    state: State,
}

enum State {
    /// One chunk and the end: a refusal's JSON, or nothing for `HEAD`.
    Once(Option<Bytes>),
    Streaming(Pin<Box<dyn Stream<Item = Bytes> + Send>>),
}

impl std::fmt::Debug for Events {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match self.state {
            State::Once(_) => "once",
            State::Streaming(_) => "streaming",
        };
        f.debug_struct("Events").field("state", &state).finish()
    }
}

impl Events {
    fn once(body: String) -> Self {
        Events {
            state: State::Once((!body.is_empty()).then(|| Bytes::from(body))),
        }
    }
}

/// A whole body, as [`Endpoint::respond`](crate::Endpoint::respond) answers: so one hyper
/// service can answer `{base}/events` with its stream and every other route whole, in
/// one body type (`endpoint.respond(&request).await.map(Events::from)`).
impl From<String> for Events {
    fn from(body: String) -> Self {
        Events::once(body)
    }
}

impl Stream for Events {
    type Item = Result<Bytes, Infallible>;

    fn poll_next(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let events = self.get_mut();
        match &mut events.state {
            State::Once(chunk) => Poll::Ready(chunk.take().map(Ok)),
            State::Streaming(stream) => match stream.as_mut().poll_next(context) {
                Poll::Ready(Some(chunk)) => Poll::Ready(Some(Ok(chunk))),
                // Ended for good: polled again, it says so again (the stream it wraps
                // must not be polled after its end).
                Poll::Ready(None) => {
                    events.state = State::Once(None);
                    Poll::Ready(None)
                }
                Poll::Pending => Poll::Pending,
            },
        }
    }
}

impl http_body::Body for Events {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        context: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Infallible>>> {
        self.poll_next(context)
            .map(|next| next.map(|chunk| chunk.map(http_body::Frame::data)))
    }

    fn is_end_stream(&self) -> bool {
        matches!(self.state, State::Once(None))
    }

    fn size_hint(&self) -> http_body::SizeHint {
        match &self.state {
            // A refusal's length is known: sent with `Content-Length`, not chunked.
            State::Once(chunk) => http_body::SizeHint::with_exact(
                chunk.as_ref().map_or(0, |chunk| chunk.len() as u64),
            ),
            State::Streaming(_) => http_body::SizeHint::default(),
        }
    }
}

/// The answer to `request`, which should be `GET {base}/events`.
pub(crate) fn answer<B>(config: &Config, request: &Request<B>) -> Response<Events> {
    match open(config, request.method(), request.uri(), request.headers()) {
        Ok(events) => events,
        Err(rejection) => {
            let mut response = respond::refused(&rejection);
            if rejection.status == StatusCode::SERVICE_UNAVAILABLE {
                response
                    .headers_mut()
                    .insert(RETRY_AFTER, HeaderValue::from_static("5"));
            }
            let response = respond::finish(false, response);
            response.map(Events::once)
        }
    }
}

fn open(
    config: &Config,
    method: &Method,
    uri: &http::Uri,
    headers: &HeaderMap,
) -> Result<Response<Events>, Rejection> {
    if request::route(&config.base, uri.path())? != Route::Events {
        return Err(Rejection::new(
            StatusCode::NOT_FOUND,
            format!("the stream of changes is at {}/events", config.base),
        ));
    }
    plan::allowed(method)?;
    let after = resume_from(uri.query(), headers)?;
    let feed = config.health.feed();
    let mut response = Response::new(Events::once(String::new()));
    let response_headers = response.headers_mut();
    response_headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    response_headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // Proxies that buffer (nginx) pass each event on at once.
    response_headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    if method == Method::HEAD {
        return Ok(response);
    }
    if !feed.join(config.max_event_streams) {
        return Err(Rejection::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "{} event streams are open, the most this endpoint serves; retry later",
                config.max_event_streams
            ),
        ));
    }
    let last = feed.last_id();
    // An id this server never wrote (it restarted since): from now on, told with a reset.
    let unknown = after.filter(|after| *after > last);
    let reader = Reader {
        cursor: if unknown.is_some() {
            last
        } else {
            after.unwrap_or(last)
        },
        resuming: after.is_some() && unknown.is_none(),
        unknown,
        details: config.details.allows(headers),
        changes: feed.subscribe(),
        heartbeat: Instant::now() + HEARTBEAT,
        opened: false,
        done: false,
        member: Member(Arc::clone(feed)),
    };
    let stream = futures_util::stream::unfold(reader, |mut reader| async move {
        let chunk = reader.next().await?;
        Some((Bytes::from(chunk), reader))
    });
    *response.body_mut() = Events {
        state: State::Streaming(Box::pin(stream)),
    };
    Ok(response)
}

/// The id the reader has: `Last-Event-ID` (a browser's reconnection), else
/// `?last_event_id=` (a page's first connection), else none (from now on).
fn resume_from(query: Option<&str>, headers: &HeaderMap) -> Result<Option<u64>, Rejection> {
    let bad = |what: &str, value: &str| {
        Rejection::new(
            StatusCode::BAD_REQUEST,
            format!("{what} is {value:?}; it must be an event's id, a whole number"),
        )
    };
    if let Some(value) = headers.get("last-event-id") {
        let value = value.to_str().unwrap_or("(not text)").trim();
        // An empty header is what a browser sends before it saw an id.
        if value.is_empty() {
            return Ok(None);
        }
        return value
            .parse()
            .map(Some)
            .map_err(|_| bad("Last-Event-ID", value));
    }
    let mut after = None;
    for pair in query
        .unwrap_or_default()
        .split('&')
        .filter(|pair| !pair.is_empty())
    {
        match pair.split_once('=') {
            Some(("last_event_id", value)) => {
                after = Some(value.parse().map_err(|_| bad("last_event_id", value))?);
            }
            _ => {
                let key = pair.split_once('=').map_or(pair, |(key, _)| key);
                return Err(Rejection::new(
                    StatusCode::BAD_REQUEST,
                    format!(
                        "unknown query parameter {key:?}; the stream takes only `last_event_id`"
                    ),
                ));
            }
        }
    }
    Ok(after)
}

/// Counts a reader out of the feed when its stream is dropped.
struct Member(Arc<Feed>);

impl Drop for Member {
    fn drop(&mut self) {
        self.0.leave();
    }
}

/// One stream's place in the feed.
struct Reader {
    /// The id of the last event sent (or the one resumed after).
    cursor: u64,
    /// The reader asked to resume: events it missed that are no longer kept are told
    /// with a `reset` event, not an end.
    resuming: bool,
    /// The id the reader asked to resume after, which this server never wrote.
    unknown: Option<u64>,
    details: bool,
    changes: watch::Receiver<()>,
    heartbeat: Instant,
    opened: bool,
    done: bool,
    member: Member,
}

impl Reader {
    /// The next chunk to send, or `None` once the stream is over.
    async fn next(&mut self) -> Option<String> {
        let mut out = String::new();
        if !self.opened {
            self.opened = true;
            // How soon a browser reconnects, and a first line so the stream is open at once.
            out.push_str("retry: 2000\n");
            out.push_str(": healthcheck events\n\n");
            if let Some(id) = self.unknown {
                let next = self.cursor + 1;
                notice(
                    &mut out,
                    "reset",
                    "unknown",
                    &format!(
                        "event id {id} was not sent by this server (it may have restarted): read the whole state again; events follow from id {next}"
                    ),
                    next,
                );
            }
            return Some(out);
        }
        loop {
            if self.done {
                return None;
            }
            // Seen before reading: an event written after this read wakes the wait below.
            self.changes.borrow_and_update();
            let feed = &self.member.0;
            match feed.read(self.cursor, self.details, &mut out, CHUNK) {
                Read::Events(last) => {
                    self.cursor = last;
                    self.resuming = false;
                    self.heartbeat = Instant::now() + HEARTBEAT;
                    return Some(out);
                }
                Read::Behind(oldest) if self.resuming => {
                    self.resuming = false;
                    let missed = self.cursor;
                    self.cursor = oldest - 1;
                    notice(
                        &mut out,
                        "reset",
                        "gap",
                        &format!(
                            "events after id {missed} are no longer kept (the last {KEPT} are): read the whole state again; events follow from id {oldest}"
                        ),
                        oldest,
                    );
                    return Some(out);
                }
                Read::Behind(oldest) => {
                    self.done = true;
                    notice(
                        &mut out,
                        "end",
                        "behind",
                        &format!(
                            "this reader fell more than {KEPT} events behind and was closed; read the whole state again and reconnect"
                        ),
                        oldest,
                    );
                    return Some(out);
                }
                Read::Ended => {
                    self.done = true;
                    out.push_str("event: end\ndata: {\"reason\":\"shutdown\"}\n\n");
                    return Some(out);
                }
                Read::Nothing => {}
            }
            self.resuming = false;
            tokio::select! {
                changed = self.changes.changed() => {
                    // The sender is the feed's, which this reader holds: it cannot close,
                    // but a closed one would end the stream rather than spin.
                    if changed.is_err() {
                        self.done = true;
                        return None;
                    }
                }
                () = tokio::time::sleep_until(self.heartbeat) => {
                    self.heartbeat = Instant::now() + HEARTBEAT;
                    out.push_str(": heartbeat\n\n");
                    return Some(out);
                }
            }
        }
    }
}

/// A `reset` or `end` event (told by the stream, not kept in the feed): why, what
/// happened, and the oldest id the stream can give.
fn notice(out: &mut String, kind: &str, reason: &str, error: &str, oldest: u64) {
    let data = serde_json::json!({ "reason": reason, "error": error, "oldest_id": oldest });
    out.push_str(&format!("event: {kind}\ndata: {data}\n\n"));
}
