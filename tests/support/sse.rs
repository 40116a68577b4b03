//! A Server-Sent Events reader over a real socket, for the stream of changes.

use std::time::Duration;

use serde_json::Value;

/// One event: its id, name and JSON data.
#[derive(Debug, Clone)]
pub struct Event {
    pub id: Option<u64>,
    pub kind: String,
    pub data: Value,
}

/// An open stream.
pub struct Sse {
    pub response: reqwest::Response,
    buffer: String,
}

impl Sse {
    /// `GET url` with `headers`; the response, whatever its status.
    pub async fn open(url: &str, headers: &[(&str, &str)]) -> Sse {
        let client = reqwest::Client::builder().no_proxy().build().unwrap();
        let mut request = client.get(url);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("the server answers");
        Sse {
            response,
            buffer: String::new(),
        }
    }

    /// The next block up to a blank line (an event or a comment), or `None` at the end
    /// of the body; fails after 10 s.
    pub async fn block(&mut self) -> Option<String> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block = self.buffer[..end].to_owned();
                self.buffer.drain(..end + 2);
                return Some(block);
            }
            let chunk = tokio::time::timeout(Duration::from_secs(10), self.response.chunk())
                .await
                .expect("a chunk within 10 s")
                .expect("the body reads");
            match chunk {
                Some(chunk) => self.buffer.push_str(std::str::from_utf8(&chunk).unwrap()),
                None => return None,
            }
        }
    }

    /// The next event, skipping comments and the `retry` line; `None` at the end.
    pub async fn event(&mut self) -> Option<Event> {
        loop {
            let block = self.block().await?;
            let (mut id, mut kind, mut data) = (None, None, None);
            for line in block.lines() {
                if let Some(value) = line.strip_prefix("id: ") {
                    id = Some(value.parse().unwrap());
                } else if let Some(value) = line.strip_prefix("event: ") {
                    kind = Some(value.to_owned());
                } else if let Some(value) = line.strip_prefix("data: ") {
                    data = Some(serde_json::from_str(value).unwrap());
                }
            }
            if let (Some(kind), Some(data)) = (kind, data) {
                return Some(Event { id, kind, data });
            }
        }
    }

    /// The next event, which must be `kind`.
    pub async fn expect(&mut self, kind: &str) -> Event {
        let event = self.event().await.expect("an event");
        assert_eq!(event.kind, kind, "{event:?}");
        event
    }
}
