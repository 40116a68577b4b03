//! The real servers the built-in checks are tested against, on 127.0.0.1, and how each
//! is started on this project's machines (`.ci/run` starts one that is down).

use std::net::SocketAddr;
use std::time::Duration;

/// A server the tests need.
pub struct Server {
    pub name: &'static str,
    pub addr: &'static str,
    pub start: &'static str,
}

pub const POSTGRES: Server = Server {
    name: "PostgreSQL",
    addr: "127.0.0.1:5432",
    start: "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
};
pub const MARIADB: Server = Server {
    name: "MariaDB",
    addr: "127.0.0.1:3306",
    start: "start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd",
};
pub const REDIS: Server = Server {
    name: "Redis",
    addr: "127.0.0.1:6379",
    start: "redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save \"\" --appendonly no",
};
pub const RABBITMQ: Server = Server {
    name: "RabbitMQ",
    addr: "127.0.0.1:5672",
    start: "rabbitmq-server -detached",
};
pub const NATS: Server = Server {
    name: "NATS",
    addr: "127.0.0.1:4222",
    start: "start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222",
};

impl Server {
    pub fn addr(&self) -> SocketAddr {
        self.addr.parse().unwrap()
    }

    /// Whether the server answers. When it does not: under CI a failure naming the
    /// server and how it is started; elsewhere `false`, after saying the test is skipped.
    pub async fn available(&self) -> bool {
        let connect = tokio::net::TcpStream::connect(self.addr);
        if let Ok(Ok(_)) = tokio::time::timeout(Duration::from_secs(2), connect).await {
            return true;
        }
        super::missing(&format!(
            "{} does not answer on {}; start it with: {}",
            self.name, self.addr, self.start
        ));
        false
    }
}
