use std::io::Read;
use std::time::{Duration, SystemTime};

use super::*;
use crate::model::*;

fn fleet() -> CollectorSnapshot {
    let vif = VirtualInterface {
        id: "dxvif-1".into(),
        state: "flux".into(),
        asn: 4_200_000_000,
        tags: [("Name".to_owned(), "edge \"a\"".to_owned())].into(),
        bgp_peers: vec![BgpPeer {
            bgp_peer_id: "dxpeer-1".into(),
            asn: 4_200_000_000,
            address_family: "ipv6".into(),
            status: "down".into(),
            state: "available".into(),
            ..BgpPeer::default()
        }],
        ..VirtualInterface::default()
    };
    CollectorSnapshot {
        key: CollectorKey {
            account_id: "111111111111".into(),
            region: "us-east-1".into(),
            kind: CollectorKind::VirtualInterfaces,
        },
        success: true,
        duration: Duration::from_millis(1500),
        interval: Duration::from_secs(60),
        panics: 0,
        last_success: Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000)),
        data: Some(CollectorData::VirtualInterfaces(vec![vif])),
        last_error: None,
        peer_status_changes: [(
            PeerKey {
                virtual_interface_id: "dxvif-1".into(),
                bgp_peer_id: "dxpeer-1".into(),
            },
            3,
        )]
        .into(),
    }
}

fn pieces_of(c: &CollectorSnapshot, tags: &[TagLabel]) -> exposition::Pieces {
    let mut samples = Samples::new(tags);
    write_collector(c, &mut samples);
    exposition::Pieces::new(samples)
}

fn read_body(body: ResponseBody) -> Vec<u8> {
    use http_body_util::BodyExt;
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(body.collect()).unwrap().to_bytes().to_vec()
}

fn encode(c: &CollectorSnapshot) -> (Exposition, String, String) {
    let tags = [TagLabel::new("Name")];
    let pieces = pieces_of(c, &tags);
    let e = Exposition::assemble(&[&pieces]);
    let text = read_body(e.body(Format::Text, false, Samples::new(&[])));
    let om = read_body(e.body(Format::OpenMetrics, false, Samples::new(&[])));
    (
        e,
        String::from_utf8(text).unwrap(),
        String::from_utf8(om).unwrap(),
    )
}

#[test]
fn a_snapshot_encodes_state_sets_with_one_active_state() {
    let (_, text, om) = encode(&fleet());
    let active: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("aws_directconnect_virtual_interface_state{"))
        .filter(|l| l.rsplit(' ').next().and_then(|v| v.parse::<f64>().ok()) == Some(1.0))
        .collect();
    assert_eq!(active.len(), 1, "{text}");
    assert!(active[0].contains("state=\"unknown\""), "{text}");
    assert!(text.contains("aws_directconnect_bgp_peer_up{"), "{text}");
    assert!(text.contains("asn=\"4200000000\""), "{text}");
    assert!(
        text.contains("aws_directconnect_bgp_peer_status_changes_total{"),
        "{text}"
    );
    assert!(text.contains("tag_Name=\"edge \\\"a\\\"\""), "{text}");
    assert!(
        text.contains("# TYPE aws_directconnect_virtual_interface_info gauge"),
        "{text}"
    );
    assert!(text.contains(CACHED));
    assert!(om.ends_with("# EOF\n"), "{om}");
    assert!(
        om.contains("# TYPE aws_directconnect_virtual_interface info"),
        "{om}"
    );
    assert!(
        om.contains("aws_directconnect_virtual_interface_info{"),
        "{om}"
    );
}

#[test]
fn unknown_values_map_to_unknown_in_every_state_list() {
    assert_eq!(
        normalize("available", &VIRTUAL_INTERFACE_STATES),
        "available"
    );
    assert_eq!(normalize("flux", &VIRTUAL_INTERFACE_STATES), "unknown");
    for list in [
        &VIRTUAL_INTERFACE_STATES[..],
        &BGP_PEER_STATUSES,
        &BGP_PEER_STATES,
        &CONNECTION_STATES,
        &LAG_STATES,
        &GATEWAY_STATES,
        &GATEWAY_ATTACHMENT_STATES,
        &GATEWAY_ASSOCIATION_STATES,
    ] {
        assert_eq!(list.last(), Some(&UNKNOWN), "{list:?}");
        assert_eq!(normalize("flux", list), "unknown");
    }
}

#[test]
fn gzip_bodies_inflate_to_the_plain_bodies_with_their_tail() {
    let (e, text, om) = encode(&fleet());
    for (format, plain) in [(Format::Text, text), (Format::OpenMetrics, om)] {
        let gz = read_body(e.body(format, true, Samples::new(&[])));
        let mut out = String::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, plain, "{format:?}");
    }
}

#[test]
fn pieces_from_several_sources_keep_each_family_contiguous() {
    let a = fleet();
    let mut b = fleet();
    b.key.region = "eu-west-1".into();
    let tags = [TagLabel::new("Name")];
    let (pa, pb) = (pieces_of(&a, &tags), pieces_of(&b, &tags));
    let e = Exposition::assemble(&[&pa, &pb]);
    let text =
        String::from_utf8(read_body(e.body(Format::Text, false, Samples::new(&[])))).unwrap();
    let mut seen = Vec::<String>::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let name = line.split(['{', ' ']).next().unwrap().to_owned();
        if seen.last() != Some(&name) {
            assert!(!seen.contains(&name), "{name} split:\n{text}");
            seen.push(name);
        }
    }
    assert_eq!(text.matches("aws_directconnect_bgp_peer_up{").count(), 2);
    let gz = read_body(e.body(Format::Text, true, Samples::new(&[])));
    let mut out = String::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_string(&mut out)
        .unwrap();
    assert_eq!(out, text);
}

#[test]
fn every_family_name_appears_in_a_full_encoding() {
    let (_, text, _) = encode(&fleet());
    for family in families().filter(|f| !f.live) {
        let name = family.sample_name();
        assert!(text.contains(&format!("# TYPE {name} ")), "{name} missing");
    }
}

#[test]
fn help_texts_need_no_escaping_and_names_are_unique() {
    let mut names = std::collections::BTreeSet::new();
    for f in families() {
        assert!(!f.help.contains(['\\', '\n', '"']), "{}", f.name);
        assert!(names.insert(f.sample_name()), "duplicate {}", f.name);
        assert!(
            f.name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
            "{}",
            f.name
        );
    }
    assert_eq!(family_names().len(), names.len());
}

#[test]
fn live_families_come_last() {
    let live: Vec<bool> = families().map(|f| f.live).collect();
    let first_live = live.iter().position(|l| *l).unwrap_or(live.len());
    assert!(live[first_live..].iter().all(|l| *l), "{live:?}");
}

#[test]
fn values_are_written_as_both_formats_spell_them() {
    let mut buf = Vec::new();
    for v in [1.0, 0.0, 1.5, 1.25e9, f64::NAN, f64::INFINITY, -2.0] {
        write_value(&mut buf, v);
        buf.push(b' ');
    }
    assert_eq!(
        String::from_utf8(buf).unwrap(),
        "1 0 1.5 1250000000 NaN +Inf -2 "
    );
}
