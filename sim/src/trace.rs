//! The run trace: one stable, human-readable line per meaningful event.
//!
//! Format (a contract: snapshots are made of it):
//!
//! ```text
//! <time: seconds with 9 decimals> <element> <kind> <details>
//! 0.001250000 lan0 drop dir=h1>s1 reason=loss len=98
//! ```
//!
//! `element` is a host, switch or link name, or `host/part` for something
//! inside a host (an app); `kind` is one word; `details` is free text on the
//! same line (newlines are replaced by spaces). Lines come out in event order,
//! which is deterministic, so two runs of the same scenario and seed produce
//! identical traces.

use std::collections::BTreeSet;
use std::fmt::{self, Write as _};
use std::io::{self, BufWriter, Write};

use crate::time::SimTime;

/// Which lines to keep. An element filter `h1` keeps `h1` and all its parts
/// (`h1/http`); `h1/http` keeps only that part. Empty sets keep everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TraceFilter {
    elements: BTreeSet<String>,
    kinds: BTreeSet<String>,
}

impl TraceFilter {
    /// Keeps every line.
    pub fn all() -> Self {
        Self::default()
    }

    /// Keeps only lines of these elements (and their parts).
    pub fn elements<I: IntoIterator<Item = S>, S: Into<String>>(mut self, elements: I) -> Self {
        self.elements = elements.into_iter().map(Into::into).collect();
        self
    }

    /// Keeps only lines of these kinds.
    pub fn kinds<I: IntoIterator<Item = S>, S: Into<String>>(mut self, kinds: I) -> Self {
        self.kinds = kinds.into_iter().map(Into::into).collect();
        self
    }

    pub fn accepts(&self, element: &str, part: Option<&str>, kind: &str) -> bool {
        let element_ok = self.elements.is_empty()
            || self.elements.iter().any(|f| {
                f == element
                    || part.is_some_and(|p| {
                        f.strip_prefix(element).and_then(|r| r.strip_prefix('/')) == Some(p)
                    })
            });
        element_ok && (self.kinds.is_empty() || self.kinds.contains(kind))
    }
}

/// The trace writer. Disabled by default (no output, nothing formatted).
pub struct Trace {
    out: Option<BufWriter<Box<dyn Write>>>,
    filter: TraceFilter,
    line: String,
    lines: u64,
    error: Option<io::Error>,
}

impl Default for Trace {
    fn default() -> Self {
        Trace::disabled()
    }
}

impl Trace {
    /// A trace that records nothing.
    pub fn disabled() -> Self {
        Trace {
            out: None,
            filter: TraceFilter::all(),
            line: String::new(),
            lines: 0,
            error: None,
        }
    }

    /// A trace writing the lines `filter` accepts to `out` (buffered).
    pub fn new(out: Box<dyn Write>, filter: TraceFilter) -> Self {
        Trace {
            out: Some(BufWriter::new(out)),
            filter,
            ..Trace::disabled()
        }
    }

    /// Whether a line would be kept: check before building costly details.
    pub fn enabled(&self, element: &str, part: Option<&str>, kind: &str) -> bool {
        self.out.is_some() && self.error.is_none() && self.filter.accepts(element, part, kind)
    }

    /// Writes one line for `element` (or its `part`), if the filter keeps it.
    pub fn emit(
        &mut self,
        time: SimTime,
        element: &str,
        part: Option<&str>,
        kind: &str,
        details: fmt::Arguments<'_>,
    ) {
        if !self.enabled(element, part, kind) {
            return;
        }
        self.line.clear();
        let formatted = match part {
            Some(p) => write!(self.line, "{time} {element}/{p} {kind}"),
            None => write!(self.line, "{time} {element} {kind}"),
        };
        let start = self.line.len();
        let formatted = formatted.and_then(|()| write!(self.line, " {details}"));
        if formatted.is_err() {
            return;
        }
        if self.line.len() == start + 1 {
            self.line.truncate(start);
        }
        if self.line.contains(['\n', '\r']) {
            self.line = self.line.replace(['\n', '\r'], " ");
        }
        self.line.push('\n');
        self.write_line();
    }

    fn write_line(&mut self) {
        let Some(out) = self.out.as_mut() else { return };
        match out.write_all(self.line.as_bytes()) {
            Ok(()) => self.lines += 1,
            Err(e) => self.error = Some(e),
        }
    }

    /// Lines written so far.
    pub fn lines(&self) -> u64 {
        self.lines
    }

    /// Flushes buffered lines; reports the first write error of the run.
    pub fn flush(&mut self) -> io::Result<()> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.out.as_mut().map_or(Ok(()), Write::flush)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::buffer::SharedBuffer;

    #[test]
    fn lines_are_formatted_and_filtered() {
        let buf = SharedBuffer::new();
        let filter = TraceFilter::all()
            .elements(["h1", "s/app"])
            .kinds(["rx", "drop"]);
        let mut trace = Trace::new(Box::new(buf.clone()), filter);
        let t = SimTime::from_nanos(1_500_000_001);
        trace.emit(t, "h1", None, "rx", format_args!("len={}", 60));
        trace.emit(t, "h1", Some("http"), "drop", format_args!(""));
        trace.emit(t, "h2", None, "rx", format_args!("no"));
        trace.emit(t, "h1", None, "tx", format_args!("no"));
        trace.emit(t, "s", Some("app"), "rx", format_args!("two\nlines"));
        trace.emit(t, "s", Some("other"), "rx", format_args!("no"));
        trace.flush().expect("in memory");
        assert_eq!(
            buf.text(),
            "1.500000001 h1 rx len=60\n1.500000001 h1/http drop\n1.500000001 s/app rx two lines\n"
        );
        assert_eq!(trace.lines(), 3);
    }

    #[test]
    fn disabled_trace_keeps_nothing() {
        let mut trace = Trace::disabled();
        assert!(!trace.enabled("h1", None, "rx"));
        trace.emit(SimTime::ZERO, "h1", None, "rx", format_args!("x"));
        assert_eq!(trace.lines(), 0);
    }
}
