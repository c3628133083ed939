//! The route table: method and path to a handler function.

use super::writer::ResponseWriter;
use crate::http::{Request, WriteError};

/// Serves one request: reads the parsed head and the whole (decoded) body,
/// writes the response through the writer. `C` is the application's state,
/// handed to [`Server::poll`](super::Server::poll), so handlers are plain
/// functions and the table needs no heap.
pub type Handler<C> =
    fn(&mut C, &Request<'_, '_>, &[u8], &mut ResponseWriter<'_>) -> Result<(), WriteError>;

/// One entry of the route table.
#[derive(Debug)]
pub struct Route<C> {
    /// Method token, case-sensitive (`GET`, `POST`, ...). A `GET` route
    /// also answers `HEAD`, without the body.
    pub method: &'static str,
    /// Exact path, query excluded (`/led`).
    pub path: &'static str,
    pub handler: Handler<C>,
}

impl<C> Route<C> {
    pub const fn new(method: &'static str, path: &'static str, handler: Handler<C>) -> Self {
        Route {
            method,
            path,
            handler,
        }
    }
}

/// What the table says about a method and path.
pub(crate) enum Lookup<C> {
    Found(Handler<C>),
    /// The path exists under other methods (405 with `Allow`).
    WrongMethod,
    NotFound,
}

/// The path of a request target: an absolute-form target
/// (`http://host/path`, RFC 9112 §3.2.2) is routed by its path.
pub(crate) fn route_path(path: &str) -> &str {
    let Some(rest) = path
        .strip_prefix("http://")
        .or_else(|| path.strip_prefix("https://"))
    else {
        return path;
    };
    rest.find('/').map_or("/", |i| rest.get(i..).unwrap_or("/"))
}

pub(crate) fn lookup<C>(routes: &[Route<C>], method: &str, path: &str) -> Lookup<C> {
    let mut path_known = false;
    let mut get = None;
    for route in routes.iter().filter(|r| r.path == path) {
        path_known = true;
        if route.method == method {
            return Lookup::Found(route.handler);
        }
        if route.method == "GET" {
            get = Some(route.handler);
        }
    }
    match get {
        Some(handler) if method == "HEAD" => Lookup::Found(handler),
        _ if path_known => Lookup::WrongMethod,
        _ => Lookup::NotFound,
    }
}

/// The `Allow` value for `path`: its methods, comma-separated, written into
/// `out`; returns the length (methods that do not fit are left out).
pub(crate) fn allow<C>(routes: &[Route<C>], path: &str, out: &mut [u8]) -> usize {
    let mut len = 0;
    for route in routes.iter().filter(|r| r.path == path) {
        let sep: &[u8] = if len == 0 { b"" } else { b", " };
        let end = len + sep.len() + route.method.len();
        let Some(dst) = out.get_mut(len..end) else {
            break;
        };
        let (a, b) = dst.split_at_mut(sep.len());
        a.copy_from_slice(sep);
        b.copy_from_slice(route.method.as_bytes());
        len = end;
    }
    len
}
