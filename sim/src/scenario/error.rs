//! Scenario errors that point into the file: `file:line:column: message`.

use std::fmt;
use std::ops::Range;

/// One problem with a scenario, located in its source text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file name as given (or `<quickstart>` for built-in text).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

/// Every problem found in a scenario (at least one), in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    pub diagnostics: Vec<Diagnostic>,
}

impl ScenarioError {
    /// The first problem (there is always one).
    pub fn first(&self) -> &Diagnostic {
        &self.diagnostics[0]
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioError {}

impl From<Diagnostic> for ScenarioError {
    fn from(d: Diagnostic) -> Self {
        ScenarioError {
            diagnostics: vec![d],
        }
    }
}

/// Turns byte spans of one source text into located diagnostics.
#[derive(Debug, Clone)]
pub struct Source<'a> {
    pub file: &'a str,
    pub text: &'a str,
}

impl Source<'_> {
    /// A diagnostic at the start of `span` (clamped to the text).
    pub fn at(&self, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        let mut offset = span.start.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        Diagnostic {
            file: self.file.to_owned(),
            line,
            column,
            message: message.into(),
        }
    }
}

/// Collects diagnostics during validation, keeping them in file order.
#[derive(Debug)]
pub struct Diagnostics<'a> {
    source: Source<'a>,
    found: Vec<(usize, Diagnostic)>,
}

impl<'a> Diagnostics<'a> {
    pub fn new(source: Source<'a>) -> Self {
        Diagnostics {
            source,
            found: Vec::new(),
        }
    }

    pub fn error(&mut self, span: Range<usize>, message: impl Into<String>) {
        let start = span.start;
        self.found.push((start, self.source.at(span, message)));
    }

    pub fn is_empty(&self) -> bool {
        self.found.is_empty()
    }

    /// `Ok(value)` if nothing was reported, else every diagnostic.
    pub fn finish<T>(mut self, value: T) -> Result<T, ScenarioError> {
        if self.found.is_empty() {
            return Ok(value);
        }
        self.found.sort_by_key(|(start, _)| *start);
        Err(ScenarioError {
            diagnostics: self.found.into_iter().map(|(_, d)| d).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_are_one_based_characters() {
        let source = Source {
            file: "x.toml",
            text: "a = 1\nµ = \"é\"\n",
        };
        let d = source.at(0..1, "m");
        assert_eq!((d.line, d.column), (1, 1));
        let at_quote = "a = 1\nµ = ".len();
        let d = source.at(at_quote..at_quote + 1, "m");
        assert_eq!((d.line, d.column), (2, 5));
        assert_eq!(d.to_string(), "x.toml:2:5: m");
        let d = source.at(1000..1001, "end");
        assert_eq!(d.line, 3);
    }
}
