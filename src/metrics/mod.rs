//! Metric families and how they are written. Each family (name, type, HELP, labels) is
//! declared once, in the file of its domain, and listed in that file's `FAMILIES`; this
//! module holds the family type, the sample writer, the per-collector encoding and the
//! exposition formats (see [`exposition`] for assembly and compression).
//!
//! Adding a metric: declare a `static` [`Family`] in its domain file, list it in that
//! file's `FAMILIES`, and write its samples in that file's `write` function.

mod cloudwatch;
mod connection;
pub(crate) mod exporter;
pub mod exposition;
mod failover_tests;
mod gateway;
mod lag;
mod maintenance;
mod routes;
mod virtual_interface;

use std::sync::LazyLock;

pub use connection::{
    CONNECTION_STATES, ENCRYPTION_STATUSES, MACSEC_KEY_STATES, encryption_status, has_macsec,
    parse_bandwidth,
};
pub use exporter::{LiveState, write_live};
pub use exposition::{Exposition, Format, ResponseBody};
pub use failover_tests::FAILOVER_TEST_STATUSES;
pub use gateway::{
    GATEWAY_ASSOCIATION_STATES, GATEWAY_ATTACHMENT_STATES, GATEWAY_STATES, MAX_ERROR_CHARS,
    error_label,
};
pub use lag::LAG_STATES;
pub use virtual_interface::{BGP_PEER_STATES, BGP_PEER_STATUSES, VIRTUAL_INTERFACE_STATES};

use crate::model::{CollectorData, CollectorSnapshot};

/// Prefix of every metric name.
pub const PREFIX: &str = "aws_directconnect_";

/// Appended to the HELP of every family served from the cached snapshot.
pub const CACHED: &str = "Refreshed every collection interval and served from cache.";

/// The state every state-set ends with: a value outside the API's enums.
pub const UNKNOWN: &str = "unknown";

/// Labels every regional family starts with.
pub const REGIONAL: [&str; 2] = ["aws_account_id", "aws_region"];

/// The type of a family, as the exposition formats name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A value that goes up and down.
    Gauge,
    /// A count that only goes up (samples end in `_total`).
    Counter,
    /// Written as a gauge named `<name>_info` with value 1 in the text format.
    Info,
}

/// One metric family: everything needed to write its HELP, TYPE and samples.
#[derive(Debug)]
pub struct Family {
    /// The OpenMetrics family name without [`PREFIX`] and without the `_total` / `_info`
    /// suffix of its samples.
    pub name: &'static str,
    /// The family's type.
    pub kind: Kind,
    /// One or two sentences; [`CACHED`] is appended for cached families.
    pub help: &'static str,
    /// Label names in the order they are written; the state label of a state-set, then
    /// the configured `tag_*` labels (when `tagged` is set) follow them.
    pub labels: &'static [&'static str],
    /// For a state-set: the label that takes each state in turn.
    pub state: Option<&'static str>,
    /// Whether the configured `tag_*` labels follow.
    pub tagged: bool,
    /// Written at request time from live server state instead of from the snapshot; such
    /// families come last in [`families`].
    pub live: bool,
}

impl Family {
    /// A cached gauge.
    pub const fn gauge(
        name: &'static str,
        help: &'static str,
        labels: &'static [&'static str],
    ) -> Family {
        Family {
            name,
            kind: Kind::Gauge,
            help,
            labels,
            state: None,
            tagged: false,
            live: false,
        }
    }

    /// A cached state-set: one gauge series per state, labelled `state_label`, 1 for the
    /// current state and 0 for the others.
    pub const fn state_set(
        name: &'static str,
        help: &'static str,
        labels: &'static [&'static str],
        state_label: &'static str,
    ) -> Family {
        Family {
            state: Some(state_label),
            ..Family::gauge(name, help, labels)
        }
    }

    /// A cached counter (samples end in `_total`).
    pub const fn counter(
        name: &'static str,
        help: &'static str,
        labels: &'static [&'static str],
    ) -> Family {
        Family {
            kind: Kind::Counter,
            ..Family::gauge(name, help, labels)
        }
    }

    /// A cached info family (samples end in `_info`, value 1).
    pub const fn info(
        name: &'static str,
        help: &'static str,
        labels: &'static [&'static str],
    ) -> Family {
        Family {
            kind: Kind::Info,
            ..Family::gauge(name, help, labels)
        }
    }

    /// The same family with the configured `tag_*` labels after its own.
    pub const fn tagged(self) -> Family {
        Family {
            tagged: true,
            ..self
        }
    }

    /// The same family, written from live state at request time.
    pub const fn live(self) -> Family {
        Family { live: true, ..self }
    }

    /// The name its samples carry (and the text format's family name).
    pub fn sample_name(&self) -> String {
        let suffix = match self.kind {
            Kind::Gauge => "",
            Kind::Counter => "_total",
            Kind::Info => "_info",
        };
        format!("{PREFIX}{}{suffix}", self.name)
    }

    /// The `# HELP` and `# TYPE` lines of this family in `format`.
    pub fn header(&self, format: Format) -> String {
        let (name, kind) = match (format, self.kind) {
            (Format::Text, Kind::Info) => (self.sample_name(), "gauge"),
            (Format::Text, Kind::Counter) => (self.sample_name(), "counter"),
            (Format::Text, Kind::Gauge) => (self.sample_name(), "gauge"),
            (Format::OpenMetrics, Kind::Gauge) => (format!("{PREFIX}{}", self.name), "gauge"),
            (Format::OpenMetrics, Kind::Counter) => (format!("{PREFIX}{}", self.name), "counter"),
            (Format::OpenMetrics, Kind::Info) => (format!("{PREFIX}{}", self.name), "info"),
        };
        let cached = if self.live { "" } else { CACHED };
        let sep = if self.live { "" } else { " " };
        format!(
            "# HELP {name} {}{sep}{cached}\n# TYPE {name} {kind}\n",
            self.help
        )
    }
}

/// Every family in exposition order: the domains, then the exporter's own.
pub fn families() -> impl Iterator<Item = &'static Family> {
    [
        virtual_interface::FAMILIES,
        connection::FAMILIES,
        lag::FAMILIES,
        gateway::FAMILIES,
        routes::FAMILIES,
        failover_tests::FAMILIES,
        maintenance::FAMILIES,
        cloudwatch::FAMILIES,
        exporter::FAMILIES,
    ]
    .into_iter()
    .flatten()
    .copied()
}

/// All families in exposition order, indexed once.
static INDEX: LazyLock<Vec<&'static Family>> = LazyLock::new(|| families().collect());

/// Position of `family` in [`families`]. Every family a domain writes is listed, which
/// the tests check; an unlisted one would be a programming error, so it maps to `None`.
fn index_of(family: &'static Family) -> Option<usize> {
    INDEX.iter().position(|f| std::ptr::eq(*f, family))
}

/// Every metric family name this exporter can emit, as it appears in the text format.
pub fn family_names() -> Vec<String> {
    families().map(Family::sample_name).collect()
}

/// The value of `current` mapped onto `states`: itself if listed, else [`UNKNOWN`] (which
/// every state list ends with).
pub fn normalize<'a>(current: &str, states: &[&'a str]) -> &'a str {
    states
        .iter()
        .find(|s| **s == current)
        .copied()
        .unwrap_or(UNKNOWN)
}

/// A configured tag: the tag key read from resources, and the label it becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagLabel {
    /// The tag key on the resource.
    pub key: String,
    /// The label name, `tag_<key>` made safe.
    pub label: String,
}

impl TagLabel {
    /// The label for tag `key` (see [`crate::config::tag_label_name`]).
    pub fn new(key: &str) -> TagLabel {
        TagLabel {
            key: key.to_owned(),
            label: crate::config::tag_label_name(key),
        }
    }
}

/// The sample lines of one source (a collector, or the publisher), one buffer per family.
#[derive(Debug)]
pub struct Samples<'t> {
    buffers: Vec<Vec<u8>>,
    tags: &'t [TagLabel],
}

impl<'t> Samples<'t> {
    /// Empty buffers for every family; `tags` are the `tag_*` labels of tagged families.
    pub fn new(tags: &'t [TagLabel]) -> Self {
        Samples {
            buffers: vec![Vec::new(); INDEX.len()],
            tags,
        }
    }

    /// A writer for the samples of `family`.
    pub fn family(&mut self, family: &'static Family) -> Writer<'_> {
        let slot = index_of(family);
        debug_assert!(slot.is_some(), "family {} is not listed", family.name);
        let name = family.sample_name();
        Writer {
            family,
            name,
            buf: slot.and_then(|i| self.buffers.get_mut(i)),
            tags: self.tags,
        }
    }

    /// The buffers, indexed like [`families`].
    pub fn into_buffers(self) -> Vec<Vec<u8>> {
        self.buffers
    }
}

/// Writes the sample lines of one family.
#[derive(Debug)]
pub struct Writer<'a> {
    family: &'static Family,
    name: String,
    buf: Option<&'a mut Vec<u8>>,
    tags: &'a [TagLabel],
}

impl Writer<'_> {
    /// One sample; `values` match the family's label names one for one.
    pub fn sample(&mut self, values: &[&str], value: f64) {
        self.line(values, None, None, value);
    }

    /// One sample of a tagged family: its labels, then one `tag_*` label per configured tag
    /// (empty when the resource lacks the tag).
    pub fn tagged(&mut self, values: &[&str], tags: &crate::model::Tags, value: f64) {
        self.line(values, None, Some(tags), value);
    }

    /// One series per state of `states`, the family's state label taking each in turn;
    /// 1 for `current` (mapped with [`normalize`]), 0 for the others.
    pub fn state_set(&mut self, values: &[&str], current: &str, states: &[&'static str]) {
        let current = normalize(current, states);
        for state in states {
            let v = if *state == current { 1.0 } else { 0.0 };
            self.line(values, Some(state), None, v);
        }
    }

    fn line(
        &mut self,
        values: &[&str],
        last: Option<&str>,
        tags: Option<&crate::model::Tags>,
        value: f64,
    ) {
        let Some(buf) = self.buf.as_deref_mut() else {
            return;
        };
        let family = self.family;
        debug_assert_eq!(
            values.len(),
            family.labels.len(),
            "labels of {}",
            family.name
        );
        debug_assert_eq!(
            last.is_some(),
            family.state.is_some(),
            "state of {}",
            family.name
        );
        buf.extend_from_slice(self.name.as_bytes());
        let names = family.labels.iter().chain(family.state.as_ref()).copied();
        let pairs = names.zip(values.iter().copied().chain(last));
        let tag_pairs = tags.map(|t| {
            self.tags
                .iter()
                .map(|tl| (tl.label.as_str(), t.get(&tl.key).map_or("", String::as_str)))
        });
        let mut first = true;
        let open = |buf: &mut Vec<u8>, first: &mut bool| {
            buf.push(if *first { b'{' } else { b',' });
            *first = false;
        };
        for (k, v) in pairs {
            open(buf, &mut first);
            write_label(buf, k, v);
        }
        if let Some(tag_pairs) = tag_pairs {
            for (k, v) in tag_pairs {
                open(buf, &mut first);
                write_label(buf, k, v);
            }
        }
        if !first {
            buf.push(b'}');
        }
        buf.push(b' ');
        write_value(buf, value);
        buf.push(b'\n');
    }
}

/// `name="value"` with the value escaped as both formats require (`\\`, `\"`, `\n`).
fn write_label(buf: &mut Vec<u8>, name: &str, value: &str) {
    buf.extend_from_slice(name.as_bytes());
    buf.extend_from_slice(b"=\"");
    for &b in value.as_bytes() {
        match b {
            b'\\' => buf.extend_from_slice(b"\\\\"),
            b'"' => buf.extend_from_slice(b"\\\""),
            b'\n' => buf.extend_from_slice(b"\\n"),
            b => buf.push(b),
        }
    }
    buf.push(b'"');
}

/// A sample value: integers without a fraction, others in Rust's shortest round-trip
/// form, and the special values as both formats spell them.
fn write_value(buf: &mut Vec<u8>, value: f64) {
    use std::io::Write as _;
    if value.is_nan() {
        buf.extend_from_slice(b"NaN");
    } else if value.is_infinite() {
        buf.extend_from_slice(if value > 0.0 { b"+Inf" } else { b"-Inf" });
    } else if value.fract() == 0.0 && value.abs() < 9.0e15 {
        let _ = write!(buf, "{}", value as i64);
    } else {
        let _ = write!(buf, "{value}");
    }
}

/// Writes the samples one collector contributes: its data's families and its health.
pub fn write_collector(c: &CollectorSnapshot, out: &mut Samples<'_>) {
    exporter::write_collector(c, out);
    match &c.data {
        None => {}
        Some(CollectorData::VirtualInterfaces(vifs)) => {
            virtual_interface::write(&c.key, vifs, &c.peer_status_changes, out)
        }
        Some(CollectorData::Connections(conns)) => connection::write(&c.key, conns, out),
        Some(CollectorData::Lags(lags)) => lag::write(&c.key, lags, out),
        Some(CollectorData::Gateways(g)) => gateway::write(&c.key, g, out),
        Some(CollectorData::Routes(r)) => routes::write(&c.key, r, out),
        Some(CollectorData::FailoverTests(t)) => failover_tests::write(&c.key, t, out),
        Some(CollectorData::Maintenance(m)) => maintenance::write(&c.key, m, out),
        Some(CollectorData::Cloudwatch(d)) => cloudwatch::write(&c.key, d, out),
    }
}

/// Encodes a whole snapshot at once (the store does it per collector as cycles arrive;
/// this is for tools and benchmarks).
pub fn encode(snapshot: &crate::model::Snapshot) -> Exposition {
    let tags: Vec<TagLabel> = snapshot
        .tag_labels
        .iter()
        .map(|k| TagLabel::new(k))
        .collect();
    let mut sources: Vec<exposition::Pieces> = snapshot
        .collectors
        .iter()
        .map(|c| {
            let mut samples = Samples::new(&tags);
            write_collector(c, &mut samples);
            exposition::Pieces::new(samples)
        })
        .collect();
    let mut own = Samples::new(&[]);
    exporter::write_published(snapshot, &mut own);
    sources.push(exposition::Pieces::new(own));
    let refs: Vec<&exposition::Pieces> = sources.iter().collect();
    Exposition::assemble(&refs)
}

/// `Some(true)` → `true`, `Some(false)` → `false`, `None` → empty.
fn bool_label(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "true",
        Some(false) => "false",
        None => "",
    }
}

/// A point in time as a sample value: Unix seconds (fractions kept; 0 before 1970).
fn unix_seconds(t: std::time::SystemTime) -> f64 {
    t.duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// A number as a label value; empty when absent.
fn num_label<T: ToString>(v: Option<T>) -> String {
    v.map(|n| n.to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests;
