//! Panics inside checks, kept out of the process's panic hook: a panicking check would
//! otherwise print a message (and, with `RUST_BACKTRACE`, a backtrace) on every run.
//! The runner reports them itself, once per change. Panics anywhere else still reach the
//! hook the application had.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::panic::{AssertUnwindSafe, PanicHookInfo};
use std::pin::Pin;
use std::sync::Once;
use std::task::{Context, Poll};

thread_local! {
    /// Whether this thread is running a check's code right now.
    static IN_CHECK: Cell<bool> = const { Cell::new(false) };
    /// Where the last panic of a check on this thread happened, for its report.
    static LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

static INSTALL: Once = Once::new();

/// A check's panic, as the runner receives it: the message and where it happened.
#[derive(Debug)]
pub(crate) struct CheckPanic {
    pub(crate) message: String,
    pub(crate) location: Option<String>,
}

/// Wraps the process's panic hook, once: a panic inside a check is recorded quietly, any
/// other goes to the hook that was there. A hook the application sets later replaces
/// this one, and check panics reach it again.
pub(crate) fn install_quiet_hook() {
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info: &PanicHookInfo<'_>| {
            if IN_CHECK.with(Cell::get) {
                let location = info.location().map(ToString::to_string);
                LOCATION.with(|cell| *cell.borrow_mut() = location);
            } else {
                previous(info);
            }
        }));
    });
}

/// Runs `f` as check code: a panic in it skips the panic hook and is returned.
fn caught<R>(f: impl FnOnce() -> R) -> Result<R, CheckPanic> {
    as_check_code(f).map_err(into_check_panic)
}

/// Runs `f` with the thread marked as running check code, catching its panic.
fn as_check_code<R>(f: impl FnOnce() -> R) -> std::thread::Result<R> {
    let was = IN_CHECK.with(|flag| flag.replace(true));
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(f));
    IN_CHECK.with(|flag| flag.set(was));
    outcome
}

/// Runs `f` as check code on a thread of its own (a blocking check): a panic in it is
/// quiet and unwinds on as a [`CheckPanic`], which carries its place to the runner.
pub(crate) fn quietly<R>(f: impl FnOnce() -> R) -> R {
    caught(f).unwrap_or_else(|panic| std::panic::resume_unwind(Box::new(panic)))
}

/// A check's future polled as check code: a panic in a poll ends it with the
/// [`CheckPanic`].
pub(crate) struct Quiet<F>(pub(crate) F);

impl<F: Future + Unpin> Future for Quiet<F> {
    type Output = Result<F::Output, CheckPanic>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = &mut self.0;
        match caught(|| Pin::new(inner).poll(cx)) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(value)) => Poll::Ready(Ok(value)),
            Err(panic) => Poll::Ready(Err(panic)),
        }
    }
}

/// The payload of a check's panic as a [`CheckPanic`]; one already converted (a
/// blocking check's, carried over from its thread) is kept as it is.
fn into_check_panic(payload: Box<dyn Any + Send>) -> CheckPanic {
    let payload = match payload.downcast::<CheckPanic>() {
        Ok(converted) => return *converted,
        Err(payload) => payload,
    };
    let message = if let Some(message) = payload.downcast_ref::<&str>() {
        (*message).to_owned()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "(a panic payload that is not a string)".to_owned()
    };
    let location = LOCATION.with(|cell| cell.borrow_mut().take());
    // Dropping a payload runs its `Drop`, which is user code too.
    drop_quietly(payload);
    CheckPanic { message, location }
}

/// Drops `value` (a check's future or panic payload) as check code, containing a panic
/// in its `Drop`.
pub(crate) fn drop_quietly<T>(value: T) {
    // A panic's payload here is let go as it is: converting it would drop it quietly
    // again, without end if its own `Drop` panics each time.
    let _ = as_check_code(move || drop(value));
}
