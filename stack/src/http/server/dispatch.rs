//! Running a complete request through the route table into the staging
//! buffer, and the server's own error responses.

use super::connection::{Connection, Span};
use super::route::{allow, lookup, route_path, Lookup, Route};
use super::writer::{reason, Context, ResponseWriter, Stage};
use crate::http::{Header, Limits, Progress, RequestParser, Version, WriteError};

/// What became of one handler call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The response is staged; close afterwards if `close`.
    Done { close: bool },
    /// Part of a streamed response is staged; call the handler again.
    Again { close: bool, stage: Stage },
    /// A streamed response failed halfway: the connection must be dropped,
    /// since its framing can no longer be finished.
    Broken,
}

/// Serves `conn.inbox[..span.end]`: part `part` of its response, with the
/// head already written unless `stage` is `Empty`.
pub(crate) fn dispatch<C>(
    conn: &mut Connection<'_>,
    span: Span,
    part: u32,
    stage: Stage,
    close: bool,
    routes: &[Route<C>],
    ctx: &mut C,
) -> Outcome {
    let bytes = conn.inbox.bytes();
    let head = bytes.get(..span.head_len).unwrap_or_default();
    let body = bytes.get(span.head_len..span.end).unwrap_or_default();
    let mut headers = [Header::EMPTY; super::MAX_HEADERS];
    let mut parser = RequestParser::with_limits(Limits {
        max_head: usize::MAX,
    });
    let Ok(Progress::Done(request)) = parser.parse(head, &mut headers) else {
        return Outcome::Broken;
    };
    let cx = Context {
        head_only: request.method() == "HEAD",
        close: close || !request.keep_alive(),
        http10: request.version() == Version::Http10,
        part,
        stage,
    };
    let mut w = ResponseWriter::new(conn.outbox.space(), cx);
    let path = route_path(request.path());
    let result = match lookup(routes, request.method(), path) {
        Lookup::Found(handler) => handler(ctx, &request, body, &mut w),
        Lookup::WrongMethod => {
            let mut methods = [0u8; 64];
            let n = allow(routes, path, &mut methods);
            let allowed = methods.get(..n).unwrap_or_default();
            status_page(&mut w, 405, Some(allowed))
        }
        Lookup::NotFound => status_page(&mut w, 404, None),
    };
    let outcome = settle(&mut w, result);
    let len = w.len();
    match outcome {
        Some(outcome) => {
            conn.outbox.commit(len);
            outcome
        }
        None if stage == Stage::Empty => error(conn, 500),
        None => Outcome::Broken,
    }
}

/// Judges a handler's work: `None` when it failed or wrote nothing.
fn settle(w: &mut ResponseWriter<'_>, result: Result<(), WriteError>) -> Option<Outcome> {
    result.ok()?;
    match w.stage {
        Stage::Empty => None,
        Stage::Complete => Some(Outcome::Done { close: w.close }),
        Stage::Chunked | Stage::UntilClose if w.again => Some(Outcome::Again {
            close: w.close,
            stage: w.stage,
        }),
        Stage::Chunked | Stage::UntilClose => match w.finish() {
            Ok(()) => Some(Outcome::Done { close: w.close }),
            Err(_) => Some(Outcome::Broken),
        },
    }
}

/// Stages the server's own response for `status`, closing afterwards: after
/// a parse error the request's framing is not trustworthy (RFC 9112 §9.3).
pub(crate) fn error(conn: &mut Connection<'_>, status: u16) -> Outcome {
    let cx = Context {
        head_only: false,
        close: true,
        http10: false,
        part: 0,
        stage: Stage::Empty,
    };
    let mut w = ResponseWriter::new(conn.outbox.space(), cx);
    if status_page(&mut w, status, None).is_ok() {
        let len = w.len();
        conn.outbox.commit(len);
    }
    Outcome::Done { close: true }
}

/// A short plain-text page naming the status; 405 lists the `allow`ed
/// methods.
fn status_page(
    w: &mut ResponseWriter<'_>,
    status: u16,
    allow: Option<&[u8]>,
) -> Result<(), WriteError> {
    let text = reason(status);
    let plain: (&str, &[u8]) = ("Content-Type", b"text/plain");
    match allow {
        Some(methods) => w.send(status, text, &[plain, ("Allow", methods)], text.as_bytes()),
        None => w.send(status, text, &[plain], text.as_bytes()),
    }
}
