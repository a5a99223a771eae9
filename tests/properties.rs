//! Property tests of every parser that reads outside input: the config file, the web
//! config, durations, `Accept`/`Accept-Encoding` and simulator scenarios. Arbitrary input
//! never panics, and errors name the file and the field. Case counts are kept modest so
//! the suite stays fast.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::Duration;

use directconnect_exporter::config;
use directconnect_exporter::duration;
use directconnect_exporter::server::{accepts_gzip, prefers_openmetrics};
use directconnect_exporter::simulator::Scenario;
use directconnect_exporter::web_config::WebConfig;
use proptest::prelude::*;

fn cases(n: u32) -> ProptestConfig {
    ProptestConfig {
        cases: n,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Text made of YAML's building blocks (indentation, keys the parsers know, flow and
/// block collections, anchors, aliases, tags, quotes), so that the parsers get past the
/// first character more often than with random text.
fn yamlish() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("\n".to_owned()),
        Just("  ".to_owned()),
        Just("- ".to_owned()),
        Just(": ".to_owned()),
        Just(", ".to_owned()),
        Just("[".to_owned()),
        Just("]".to_owned()),
        Just("{".to_owned()),
        Just("}".to_owned()),
        Just("&a ".to_owned()),
        Just("*a".to_owned()),
        Just("<<: ".to_owned()),
        Just("!!str ".to_owned()),
        Just("!Tag ".to_owned()),
        Just("\"".to_owned()),
        Just("'".to_owned()),
        Just("? ".to_owned()),
        Just("| ".to_owned()),
        Just("# c".to_owned()),
        Just("---\n".to_owned()),
        Just("~".to_owned()),
        prop::sample::select(vec![
            "interval",
            "timeout",
            "max_staleness",
            "collectors",
            "tag_labels",
            "targets",
            "regions",
            "role_arn",
            "external_id",
            "tls_server_config",
            "cert_file",
            "key_file",
            "client_auth_type",
            "client_ca_file",
            "min_version",
            "basic_auth_users",
            "accounts",
            "id",
            "virtual_interfaces",
            "connections",
            "lags",
            "gateways",
            "peers",
            "timeline",
            "at",
            "peer",
            "family",
            "vlan",
            "us-east-1",
            "30s",
            "1h30m",
            "-5s",
            "0",
            "1e99",
            "é",
            "💥",
            "true",
            "null",
            "virtual_interfaces",
            "TLS13",
            "arn:aws:iam::222222222222:role/x",
            "\"111111111111\"",
        ])
        .prop_map(str::to_owned),
        "[a-z0-9_.-]{1,8}",
    ];
    prop::collection::vec(token, 0..48).prop_map(|t| t.concat())
}

/// Any text: YAML-ish or arbitrary Unicode.
fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![yamlish(), any::<String>()]
}

proptest! {
    #![proptest_config(cases(256))]

    #[test]
    fn config_text_never_panics_and_errors_name_the_file(text in any_text()) {
        if let Err(e) = config::parse(&text, Path::new("dx.yml")) {
            let e = e.to_string();
            prop_assert!(e.starts_with("dx.yml"), "{e}");
            prop_assert_eq!(e.lines().count(), 1, "{}", e);
        }
    }

    #[test]
    fn web_config_text_never_panics_and_errors_name_the_file(text in any_text()) {
        let dir = std::env::temp_dir().join("dx-proptest-web-missing");
        if let Err(e) = WebConfig::parse(&text, &dir.join("web.yml")) {
            let e = e.to_string();
            prop_assert!(e.contains("web.yml"), "{e}");
            prop_assert_eq!(e.lines().count(), 1, "{}", e);
        }
    }

    #[test]
    fn scenario_text_never_panics_and_errors_name_the_file(text in any_text()) {
        if let Err(e) = Scenario::from_yaml(&text, "x.yaml") {
            prop_assert!(e.to_string().starts_with("x.yaml"), "{e}");
        }
    }

    #[test]
    fn durations_never_panic_and_errors_quote_the_input(s in any_text()) {
        if let Err(e) = duration::parse(&s) {
            prop_assert!(e.to_string().contains(&format!("{s:?}")), "{e}");
        }
    }

    #[test]
    fn accept_headers_never_panic_and_ignore_case(s in "[ -~]{0,80}") {
        let om = prefers_openmetrics(&s);
        let gz = accepts_gzip(&s);
        prop_assert_eq!(om, prefers_openmetrics(&s.to_ascii_uppercase()));
        prop_assert_eq!(gz, accepts_gzip(&s.to_ascii_uppercase()));
        let _ = (prefers_openmetrics(&format!("{s}\u{1F4A5}")), accepts_gzip(&format!("é{s}")));
    }
}

proptest! {
    #![proptest_config(cases(128))]

    #[test]
    fn formatted_durations_parse_back(ms in 0u64..10_000_000_000_000) {
        let d = Duration::from_millis(ms);
        prop_assert_eq!(duration::parse(&duration::format(d)), Ok(d));
    }

    #[test]
    fn a_q_value_decides_whether_gzip_is_accepted(q in 0.0f32..=1.0, name in "(?i)(x-)?gzip", sp in " {0,2}") {
        let header = format!("identity, {name}{sp};{sp}Q={sp}{q}");
        prop_assert_eq!(accepts_gzip(&header), q > 0.0, "{}", header);
    }

    #[test]
    fn openmetrics_wins_only_when_ranked_at_least_as_high(om in 0u8..=10, text in 0u8..=10) {
        let header = format!(
            "application/openmetrics-text;version=1.0.0;q={},text/plain;version=0.0.4;q={}",
            f32::from(om) / 10.0,
            f32::from(text) / 10.0
        );
        prop_assert_eq!(prefers_openmetrics(&header), om > 0 && om >= text, "{}", header);
    }
}

/// A valid config, as (key, YAML value) pairs in file order.
fn valid_config() -> Vec<(&'static str, String)> {
    vec![
        ("interval", "30s".into()),
        ("timeout", "5s".into()),
        ("max_staleness", "5m".into()),
        ("collectors", "[virtual_interfaces, gateways]".into()),
        ("tag_labels", "[Name]".into()),
        (
            "targets",
            "[{regions: [us-east-1]}, {role_arn: 'arn:aws:iam::222222222222:role/dx', regions: [eu-west-1]}]"
                .into(),
        ),
    ]
}

fn render(pairs: &[(&str, String)]) -> String {
    pairs.iter().map(|(k, v)| format!("{k}: {v}\n")).collect()
}

proptest! {
    #![proptest_config(cases(64))]

    /// One field of a valid config replaced by a value of the wrong shape: the error names
    /// the file and that field.
    #[test]
    fn config_errors_name_the_broken_field(
        field in 0usize..6,
        junk in prop::sample::select(vec![
            "soon", "5 minutes", "-1s", "[1, 2]", "{a: b}", "''", "\"x\"", "[nope]",
            "[{regions: [mars]}]", "[{role_arn: bad}]", "[{regions: [us-east-1], extra: 1}]",
        ]),
    ) {
        let mut pairs = valid_config();
        prop_assert!(config::parse(&render(&pairs), Path::new("dx.yml")).is_ok());
        let key = pairs[field].0;
        pairs[field].1 = junk.to_owned();
        if let Err(e) = config::parse(&render(&pairs), Path::new("dx.yml")) {
            let e = e.to_string();
            prop_assert!(e.starts_with(&format!("dx.yml:{}:", field + 1)), "{e}");
            prop_assert!(e.contains(key), "{e} does not name {key}");
        }
    }

    /// A basic-auth user whose hash is not a usable bcrypt hash is named in the error.
    #[test]
    fn web_config_errors_name_the_user(user in "[a-z][a-z0-9_]{0,10}", hash in "[ -~]{0,70}") {
        let text = format!("basic_auth_users:\n  {user}: '{}'\n", hash.replace('\'', "''"));
        if let Err(e) = WebConfig::parse(&text, Path::new("/nonexistent/web.yml")) {
            let e = e.to_string();
            prop_assert!(e.contains(&format!("basic_auth_users.{user}")), "{e}");
        }
    }

    /// A scenario VIF with a field of the wrong type: the error names the file and field.
    #[test]
    fn scenario_errors_name_the_broken_field(
        field in prop::sample::select(vec!["vlan", "asn", "connection", "peers", "tags"]),
        junk in prop::sample::select(vec!["[1, 2]", "{a: [b]}", "-1", "99999999999999999999"]),
    ) {
        let text = format!(
            "accounts:\n  - id: \"111111111111\"\n    regions:\n      us-east-1:\n        \
             connections: [{{id: dxcon-a}}]\n        virtual_interfaces:\n          \
             - {{id: dxvif-a, connection: dxcon-a, vlan: 5, {field}: {junk}}}\n"
        );
        if let Err(e) = Scenario::from_yaml(&text, "x.yaml") {
            let e = e.to_string();
            prop_assert!(e.starts_with("x.yaml"), "{e}");
            prop_assert!(e.contains(field), "{e} does not name {field}");
        }
    }
}
