//! A TCP proxy of the test's own between a check and a real server, to make faults
//! without touching the shared server: cut (connections dropped, new ones refused),
//! blackhole (accepted, never answered), and heal (forwarding again).

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// What the proxy does with traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Forwards both ways.
    Forward,
    /// Accepts and reads, never forwards or answers: the peer waits.
    Blackhole,
    /// Drops every connection and stops listening: new connects are refused.
    Cut,
    /// Forwards, each of the server's replies this late.
    Late(Duration),
}

/// A proxy on 127.0.0.1 to `upstream`; dropped, it stops.
pub struct Proxy {
    addr: SocketAddr,
    mode: watch::Sender<Mode>,
    task: JoinHandle<()>,
}

impl Proxy {
    /// Starts forwarding to `upstream` from a free port.
    pub async fn start(upstream: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind a port");
        let addr = listener.local_addr().unwrap();
        let (mode, watch) = watch::channel(Mode::Forward);
        let task = tokio::spawn(serve(listener, addr, upstream, watch));
        Proxy { addr, mode, task }
    }

    /// Where clients connect.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Forwards again: stalled connections resume, new ones are accepted.
    pub fn heal(&self) {
        self.mode.send_replace(Mode::Forward);
    }

    /// Forwards every reply of the server `by` late.
    pub fn late(&self, by: Duration) {
        self.mode.send_replace(Mode::Late(by));
    }

    /// Accepts but never answers.
    pub fn blackhole(&self) {
        self.mode.send_replace(Mode::Blackhole);
    }

    /// Drops every connection and refuses new ones.
    pub async fn cut(&self) {
        self.mode.send_replace(Mode::Cut);
        // Let the listener close before the test goes on.
        for _ in 0..100 {
            if TcpStream::connect(self.addr).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        panic!("the proxy kept accepting after the cut");
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.mode.send_replace(Mode::Cut);
        self.task.abort();
    }
}

/// Listens while not cut. A cut closes the listener but keeps the port bound by a
/// socket that does not listen (connects are refused, and no other test can take the
/// port); healing listens on it again.
async fn serve(
    first: TcpListener,
    addr: SocketAddr,
    upstream: SocketAddr,
    mut mode: watch::Receiver<Mode>,
) {
    let mut listener = first;
    loop {
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    if let Ok((client, _)) = accepted {
                        tokio::spawn(connection(client, upstream, mode.clone()));
                    }
                }
                changed = mode.changed() => {
                    if changed.is_err() {
                        return;
                    }
                    if *mode.borrow() == Mode::Cut {
                        break;
                    }
                }
            }
        }
        drop(listener);
        let Some(reserved) = reserve(addr) else {
            return;
        };
        while *mode.borrow_and_update() == Mode::Cut {
            if mode.changed().await.is_err() {
                return;
            }
        }
        listener = match reserved.listen(1024) {
            Ok(listener) => listener,
            Err(_) => return,
        };
    }
}

/// A socket bound to `addr` that does not listen.
fn reserve(addr: SocketAddr) -> Option<TcpSocket> {
    let socket = TcpSocket::new_v4().ok()?;
    socket.set_reuseaddr(true).ok()?;
    socket.bind(addr).ok()?;
    Some(socket)
}

/// One client connection: waits out a blackhole, forwards both ways, ends on a cut.
async fn connection(client: TcpStream, upstream: SocketAddr, mut mode: watch::Receiver<Mode>) {
    if !wait_forwarding(&mut mode).await {
        return;
    }
    let Ok(server) = TcpStream::connect(upstream).await else {
        return;
    };
    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = server.into_split();
    let mut cut = mode.clone();
    tokio::select! {
        _ = pump(client_read, server_write, mode.clone(), false) => {}
        _ = pump(server_read, client_write, mode, true) => {}
        _ = async { while cut.changed().await.is_ok() && *cut.borrow() != Mode::Cut {} } => {}
    }
}

/// Copies `from` to `to`, holding what it read while blackholed; the server's replies
/// (`replies`) late when the mode says so.
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    mut mode: watch::Receiver<Mode>,
    replies: bool,
) {
    let mut buffer = vec![0; 16 * 1024];
    loop {
        let read = match from.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(read) => read,
        };
        if !wait_forwarding(&mut mode).await {
            return;
        }
        let late = match *mode.borrow() {
            Mode::Late(by) if replies => Some(by),
            _ => None,
        };
        if let Some(by) = late {
            tokio::time::sleep(by).await;
        }
        if to.write_all(&buffer[..read]).await.is_err() {
            return;
        }
    }
}

/// Waits while blackholed; `false` once cut.
async fn wait_forwarding(mode: &mut watch::Receiver<Mode>) -> bool {
    loop {
        match *mode.borrow_and_update() {
            Mode::Forward | Mode::Late(_) => return true,
            Mode::Cut => return false,
            Mode::Blackhole => {}
        }
        if mode.changed().await.is_err() {
            return false;
        }
    }
}
