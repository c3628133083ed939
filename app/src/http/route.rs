//! The application's URL space, read from a parsed request.

use seqs::http::{Body, Request};

/// How `/led` answers: JSON unless the client asks for plain text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Json,
    Text,
}

/// What a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Route {
    /// `GET /`: the HTML status page.
    StatusPage,
    /// `GET /led`.
    Led(Format),
    /// `POST /led/on`, `POST /led/off`.
    SetLed(bool, Format),
    NotFound,
    /// A known path with another method; the value is the `Allow` field.
    MethodNotAllowed(&'static str),
}

/// A request reduced to what the server acts on, free of the receive
/// buffer's borrow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Exchange {
    pub route: Route,
    /// HEAD: the same head as GET, no body.
    pub head_only: bool,
    pub keep_alive: bool,
    /// Bytes of the request (head and body) to consume once answered.
    pub len: usize,
}

impl Exchange {
    /// `None` for a body framing the server does not take (chunked).
    pub fn of(request: &Request<'_, '_>) -> Option<Exchange> {
        let body = match request.body() {
            Body::None => 0,
            Body::Length(n) => usize::try_from(n).ok()?,
            Body::Chunked | Body::UntilClose => return None,
        };
        let method = request.method();
        let head_only = method == "HEAD";
        let get = method == "GET" || head_only;
        let format = format(request);
        let route = match request.path() {
            "/" if get => Route::StatusPage,
            "/" => Route::MethodNotAllowed("GET, HEAD"),
            "/led" if get => Route::Led(format),
            "/led" => Route::MethodNotAllowed("GET, HEAD"),
            "/led/on" | "/led/off" if method == "POST" => {
                Route::SetLed(request.path() == "/led/on", format)
            }
            "/led/on" | "/led/off" => Route::MethodNotAllowed("POST"),
            _ => Route::NotFound,
        };
        Some(Exchange {
            route,
            head_only,
            keep_alive: request.keep_alive(),
            len: request.head_len().checked_add(body)?,
        })
    }
}

fn format(request: &Request<'_, '_>) -> Format {
    let accepts = |what: &[u8]| {
        request
            .headers()
            .get_all("accept")
            .any(|v| v.windows(what.len()).any(|w| w.eq_ignore_ascii_case(what)))
    };
    if accepts(b"text/plain") && !accepts(b"application/json") {
        Format::Text
    } else {
        Format::Json
    }
}
