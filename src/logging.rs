//! Log setup: logfmt (`ts=… level=… msg=… key=value`) or JSON lines on stderr.
//!
//! `--log.level` applies to this crate; dependencies log at `warn` at most, so SDK debug
//! output (which can include wire details) never reaches the log.

use std::fmt;

use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

use crate::cli::{LogArgs, LogFormat};

/// The filter for a level: ours at `level`, everything else at `warn`.
pub fn filter(level: &str) -> EnvFilter {
    EnvFilter::new(format!("warn,directconnect_exporter={level}"))
}

/// Installs the global subscriber. Calling it twice is harmless (the second is ignored).
pub fn init(args: &LogArgs) {
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter(args.level.as_str()))
        .with_writer(std::io::stderr);
    let _ = match args.format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .try_init(),
        LogFormat::Logfmt => builder.event_format(Logfmt).try_init(),
    };
}

/// A logfmt event formatter.
pub struct Logfmt;

impl<S, N> FormatEvent<S, N> for Logfmt
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _ctx: &FmtContext<'_, S, N>,
        mut w: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let meta = event.metadata();
        let ts = crate::timefmt::rfc3339_millis(std::time::SystemTime::now());
        write!(
            w,
            "ts={ts} level={}",
            meta.level().as_str().to_ascii_lowercase()
        )?;
        let mut v = Fields::default();
        event.record(&mut v);
        if let Some(msg) = v.message.take() {
            write!(w, " msg={}", quote(&msg))?;
        }
        for (k, val) in v.fields {
            write!(w, " {k}={}", quote(&val))?;
        }
        if !meta.target().starts_with("directconnect_exporter") {
            write!(w, " source={}", quote(meta.target()))?;
        }
        writeln!(w)
    }
}

#[derive(Default)]
struct Fields {
    message: Option<String>,
    fields: Vec<(&'static str, String)>,
}

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let s = format!("{value:?}");
        if field.name() == "message" {
            self.message = Some(s);
        } else {
            self.fields.push((field.name(), s));
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message = Some(value.to_owned());
        } else {
            self.fields.push((field.name(), value.to_owned()));
        }
    }
}

/// Quotes a logfmt value when it needs it.
pub fn quote(s: &str) -> String {
    if !s.is_empty() && !s.contains([' ', '"', '=', '\\', '\n', '\t']) {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_quoted_only_when_needed() {
        assert_eq!(quote("plain"), "plain");
        assert_eq!(quote("two words"), "\"two words\"");
        assert_eq!(quote("a\"b"), "\"a\\\"b\"");
        assert_eq!(quote(""), "\"\"");
    }
}
