//! Reads a request's path and query strictly: every mistake is a 4xx naming the problem.

use std::borrow::Cow;

use http::StatusCode;
use percent_encoding::percent_decode_str;

/// The longest query string accepted; probes send a few short parameters.
pub(crate) const MAX_QUERY_LEN: usize = 2048;
/// The most query parameters accepted.
pub(crate) const MAX_QUERY_PAIRS: usize = 32;

/// What a path under the base asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route {
    /// `{base}`: every check.
    All,
    /// `{base}/live`
    Live,
    /// `{base}/ready`
    Ready,
    /// `{base}/startup`
    Startup,
    /// `{base}/services`: the registered checks.
    Services,
    /// `{base}/info`: the application, its build and process.
    Info,
    /// `{base}/group/{name}`: one group's checks.
    Group(String),
    /// `{base}/{name}`: one check.
    Check(String),
    /// `{base}/{name}/history`: one check's recent results and changes.
    History(String),
    /// `{base}/status`: the status page (feature `status-page`).
    Status,
    /// `{base}/events`: the stream of changes (feature `status-page`).
    Events,
}

/// The query parameters the endpoint understands.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Query<'a> {
    /// `?exclude=a,b` (repeatable): checks to leave out.
    pub(crate) exclude: Vec<String>,
    /// `?tag=x` (repeatable, comma-separated): keep checks carrying one of these.
    pub(crate) tags: Vec<String>,
    /// `?format=ietf`: the format to answer in (borrowed from the query when nothing in
    /// it is escaped).
    pub(crate) format: Option<Cow<'a, str>>,
    /// `?verbose`: every check listed, for the Kubernetes text format.
    pub(crate) verbose: bool,
}

/// A request the endpoint refuses: the status code and what is wrong, for the JSON body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rejection {
    pub(crate) status: StatusCode,
    pub(crate) message: String,
}

impl Rejection {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Rejection {
            status,
            message: message.into(),
        }
    }

    fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }
}

/// The route `path` asks for under `base` (`""` for the root, else `/name` without a
/// trailing slash).
pub(crate) fn route(base: &str, path: &str) -> Result<Route, Rejection> {
    let not_found = || {
        Rejection::new(
            StatusCode::NOT_FOUND,
            format!(
                "no route {path:?}; the routes are {base}/, {base}/live, {base}/ready, {base}/startup, {base}/services, {base}/{{name}} and {base}/{{name}}/history"
            ),
        )
    };
    let Some(rest) = path.strip_prefix(base) else {
        return Err(not_found());
    };
    if rest.is_empty() || rest == "/" {
        return Ok(Route::All);
    }
    let Some(rest) = rest.strip_prefix('/') else {
        return Err(not_found());
    };
    // The probes' own paths, matched before any decoding: nothing to allocate.
    if let Some(route) = fixed_route(rest) {
        return Ok(route);
    }
    let segments: Vec<&str> = rest.split('/').collect();
    let mut decoded = Vec::with_capacity(segments.len());
    for segment in &segments {
        let segment = decode(segment, false)
            .map_err(|problem| Rejection::bad_request(format!("the path {problem}")))?;
        if segment == "." || segment == ".." {
            return Err(Rejection::bad_request(
                "the path has a `.` or `..` segment; send the path without them",
            ));
        }
        if segment.contains('/') {
            return Err(Rejection::bad_request(
                "the path has an encoded slash (%2F) in a segment",
            ));
        }
        decoded.push(segment);
    }
    match decoded.as_slice() {
        [group, name] if group == "group" && !name.is_empty() => Ok(Route::Group(name.to_string())),
        [name, history] if history == "history" && !name.is_empty() => {
            Ok(Route::History(name.to_string()))
        }
        [one] if one.is_empty() => Err(not_found()),
        [one] => Ok(fixed_route(one).unwrap_or_else(|| Route::Check(one.to_string()))),
        _ => Err(not_found()),
    }
}

/// The paths under the base that name no check, as written (no decoding needed), and
/// their routes.
const FIXED_ROUTES: [(&str, Route); 7] = [
    ("live", Route::Live),
    ("ready", Route::Ready),
    ("startup", Route::Startup),
    ("services", Route::Services),
    ("info", Route::Info),
    ("status", Route::Status),
    ("events", Route::Events),
];

/// The route of a fixed path under the base, if `rest` is one.
fn fixed_route(rest: &str) -> Option<Route> {
    FIXED_ROUTES
        .iter()
        .find(|(path, _)| *path == rest)
        .map(|(_, route)| route.clone())
}

/// The parameters in `query` (the part after `?`, if any).
pub(crate) fn query(query: Option<&str>) -> Result<Query<'_>, Rejection> {
    let mut parsed = Query::default();
    let Some(query) = query else {
        return Ok(parsed);
    };
    if query.len() > MAX_QUERY_LEN {
        return Err(Rejection::new(
            StatusCode::URI_TOO_LONG,
            format!(
                "the query is {} bytes long; the limit is {MAX_QUERY_LEN}",
                query.len()
            ),
        ));
    }
    let pairs = || query.split('&').filter(|pair| !pair.is_empty());
    let count = query.bytes().filter(|byte| *byte == b'&').count() + 1;
    let count = if count > MAX_QUERY_PAIRS {
        pairs().count()
    } else {
        count
    };
    if count > MAX_QUERY_PAIRS {
        return Err(Rejection::bad_request(format!(
            "the query has {count} parameters; the limit is {MAX_QUERY_PAIRS}"
        )));
    }
    for pair in pairs() {
        let (key, value) = match pair.bytes().position(|byte| byte == b'=') {
            Some(equals) => (&pair[..equals], Some(&pair[equals + 1..])),
            None => (pair, None),
        };
        let key = decode(key, true)
            .map_err(|problem| Rejection::bad_request(format!("a query key {problem}")))?;
        if key == "verbose" {
            // ?verbose, ?verbose=1, ?verbose=true; ?verbose=0 and ?verbose=false turn it off.
            let value = value
                .map(|v| decode(v, true))
                .transpose()
                .map_err(|problem| {
                    Rejection::bad_request(format!("the value of `verbose` {problem}"))
                })?;
            parsed.verbose = !matches!(value.as_deref(), Some("0" | "false"));
            continue;
        }
        if !matches!(&*key, "exclude" | "tag" | "format") {
            return Err(Rejection::bad_request(format!(
                "unknown query parameter {key:?}; the parameters are `exclude`, `tag`, `format` and `verbose`"
            )));
        }
        let Some(value) = value else {
            return Err(Rejection::bad_request(format!(
                "`{key}` needs a value, such as {key}=a,b"
            )));
        };
        let value = decode(value, true)
            .map_err(|problem| Rejection::bad_request(format!("the value of `{key}` {problem}")))?;
        let items = value
            .split(',')
            .filter(|item| !item.is_empty())
            .map(str::to_owned);
        match &*key {
            "exclude" => parsed.exclude.extend(items),
            "tag" => parsed.tags.extend(items),
            _ => parsed.format = Some(value),
        }
    }
    Ok(parsed)
}

/// Percent-decodes `text`, refusing a `%` not followed by two hex digits and bytes that
/// are not UTF-8; in a query, `+` is a space.
fn decode(text: &str, plus_is_space: bool) -> Result<Cow<'_, str>, String> {
    // Nothing escaped (the usual `format=ietf`): the text as it is, already UTF-8.
    if !text
        .bytes()
        .any(|byte| byte == b'%' || (plus_is_space && byte == b'+'))
    {
        return Ok(Cow::Borrowed(text));
    }
    let bytes = text.as_bytes();
    for (index, byte) in bytes.iter().enumerate() {
        if *byte == b'%' {
            let hex = bytes.get(index + 1..index + 3);
            if !hex.is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit)) {
                return Err("has a `%` not followed by two hex digits".into());
            }
        }
    }
    let not_utf8 = |_| "is not UTF-8 once percent-decoded".to_owned();
    if plus_is_space && text.contains('+') {
        let spaced = text.replace('+', " ");
        let decoded = percent_decode_str(&spaced)
            .decode_utf8()
            .map_err(not_utf8)?;
        return Ok(Cow::Owned(decoded.into_owned()));
    }
    // Borrowed when there is nothing to decode: the usual `?format=ietf` copies nothing.
    percent_decode_str(text).decode_utf8().map_err(not_utf8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_under_the_base() {
        let base = "/healthcheck";
        assert_eq!(route(base, "/healthcheck"), Ok(Route::All));
        assert_eq!(route(base, "/healthcheck/"), Ok(Route::All));
        assert_eq!(route(base, "/healthcheck/live"), Ok(Route::Live));
        assert_eq!(route(base, "/healthcheck/ready"), Ok(Route::Ready));
        assert_eq!(route(base, "/healthcheck/startup"), Ok(Route::Startup));
        assert_eq!(route(base, "/healthcheck/services"), Ok(Route::Services));
        assert_eq!(
            route(base, "/healthcheck/db"),
            Ok(Route::Check("db".into()))
        );
        assert_eq!(
            route(base, "/healthcheck/d%62"),
            Ok(Route::Check("db".into()))
        );
        assert_eq!(
            route(base, "/healthcheck/db/history"),
            Ok(Route::History("db".into()))
        );
        assert_eq!(
            route(base, "/healthcheck/group/history"),
            Ok(Route::Group("history".into())),
            "a group named history is a group"
        );
        assert_eq!(route("", "/"), Ok(Route::All));
        assert_eq!(route("", "/live"), Ok(Route::Live));
    }

    #[test]
    fn refuses_what_is_not_a_route() {
        let base = "/healthcheck";
        let status = |path| route(base, path).unwrap_err().status;
        assert_eq!(status("/healthcheckx"), StatusCode::NOT_FOUND);
        assert_eq!(status("/other"), StatusCode::NOT_FOUND);
        assert_eq!(status("/healthcheck/live/extra"), StatusCode::NOT_FOUND);
        assert_eq!(status("/healthcheck//"), StatusCode::NOT_FOUND);
        assert_eq!(status("/healthcheck//history"), StatusCode::NOT_FOUND);
        assert_eq!(status("/healthcheck/db/history/x"), StatusCode::NOT_FOUND);
        assert_eq!(status("/healthcheck/.."), StatusCode::BAD_REQUEST);
        assert_eq!(status("/healthcheck/%2e%2e"), StatusCode::BAD_REQUEST);
        assert_eq!(status("/healthcheck/a%2Fb"), StatusCode::BAD_REQUEST);
        assert_eq!(status("/healthcheck/%zz"), StatusCode::BAD_REQUEST);
        assert_eq!(status("/healthcheck/%ff"), StatusCode::BAD_REQUEST);
        assert_eq!(status("/healthcheck/%4"), StatusCode::BAD_REQUEST);
    }

    #[test]
    fn reads_exclude_and_tag_strictly() {
        let parsed = query(Some("exclude=a,b&tag=db&exclude=c&tag=x%2Cy")).unwrap();
        assert_eq!(parsed.exclude, ["a", "b", "c"]);
        assert_eq!(parsed.tags, ["db", "x", "y"]);
        assert_eq!(query(Some("")).unwrap(), Query::default());
        assert_eq!(query(Some("exclude=")).unwrap(), Query::default());
        assert!(query(Some("verbose")).unwrap().verbose);
        assert!(!query(Some("verbose=false")).unwrap().verbose);
        assert_eq!(
            query(Some("format=ietf")).unwrap().format.as_deref(),
            Some("ietf")
        );

        let status = |q: &str| query(Some(q)).unwrap_err().status;
        assert_eq!(status("verbos=1"), StatusCode::BAD_REQUEST);
        assert_eq!(status("format"), StatusCode::BAD_REQUEST);
        assert_eq!(status("exclude"), StatusCode::BAD_REQUEST);
        assert_eq!(status("exclude=%zz"), StatusCode::BAD_REQUEST);
        assert_eq!(status("ex%clude=a"), StatusCode::BAD_REQUEST);
        assert_eq!(status(&"tag=a&".repeat(33)), StatusCode::BAD_REQUEST);
        assert_eq!(status(&"x".repeat(2049)), StatusCode::URI_TOO_LONG);
    }
}
