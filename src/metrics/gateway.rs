//! Direct Connect gateway families (global: `aws_account_id` but no `aws_region`).

use super::{Family, Samples, num_label};
use crate::model::{CollectorKey, GatewayData};

/// `state` values of `gateway_state`.
pub const GATEWAY_STATES: [&str; 5] = ["pending", "available", "deleting", "deleted", "unknown"];
/// `state` values of `gateway_attachment_state`.
pub const GATEWAY_ATTACHMENT_STATES: [&str; 5] =
    ["attaching", "attached", "detaching", "detached", "unknown"];
/// `state` values of `gateway_association_state`.
pub const GATEWAY_ASSOCIATION_STATES: [&str; 6] = [
    "associating",
    "associated",
    "disassociating",
    "disassociated",
    "updating",
    "unknown",
];

pub static INFO: Family = Family::info(
    "gateway",
    "Direct Connect gateway (global; no aws_region label).",
    &[
        "aws_account_id",
        "direct_connect_gateway_id",
        "direct_connect_gateway_name",
        "amazon_side_asn",
        "owner_account",
    ],
);
pub static STATE: Family = Family::state_set(
    "gateway_state",
    "State of the Direct Connect gateway (1 for the current state).",
    &["aws_account_id", "direct_connect_gateway_id"],
    "state",
);
pub static ATTACHMENT_STATE: Family = Family::state_set(
    "gateway_attachment_state",
    "State of a virtual interface's attachment to a Direct Connect gateway (1 for the current state).",
    &[
        "aws_account_id",
        "direct_connect_gateway_id",
        "virtual_interface_id",
    ],
    "state",
);
pub static ASSOCIATION_STATE: Family = Family::state_set(
    "gateway_association_state",
    "State of a gateway association to a Direct Connect gateway (1 for the current state).",
    &[
        "aws_account_id",
        "direct_connect_gateway_id",
        "association_id",
        "associated_gateway_id",
        "associated_gateway_type",
    ],
    "state",
);

/// Longest `error` label of the state change error families, in characters.
pub const MAX_ERROR_CHARS: usize = 200;

pub static ATTACHMENT_STATE_CHANGE_ERROR: Family = Family::info(
    "gateway_attachment_state_change_error",
    "Why the last state change of a virtual interface's attachment to a Direct Connect gateway failed (stateChangeError, at most 200 characters); present while AWS reports one.",
    &[
        "aws_account_id",
        "direct_connect_gateway_id",
        "virtual_interface_id",
        "error",
    ],
);
pub static ASSOCIATION_STATE_CHANGE_ERROR: Family = Family::info(
    "gateway_association_state_change_error",
    "Why the last state change of a gateway association failed (stateChangeError, at most 200 characters); present while AWS reports one.",
    &[
        "aws_account_id",
        "direct_connect_gateway_id",
        "association_id",
        "associated_gateway_id",
        "associated_gateway_type",
        "error",
    ],
);

pub static PREFIX_POOL_ALLOCATIONS: Family = Family::gauge(
    "gateway_prefix_pool_allocations",
    "Prefixes allocated to the VIFs attached to the Direct Connect gateway (totalPrefixPoolAllocations; AWS limit 10,000).",
    &["aws_account_id", "direct_connect_gateway_id"],
);

/// This domain's families, in exposition order.
pub static FAMILIES: &[&Family] = &[
    &INFO,
    &STATE,
    &ATTACHMENT_STATE,
    &ASSOCIATION_STATE,
    &PREFIX_POOL_ALLOCATIONS,
    &ATTACHMENT_STATE_CHANGE_ERROR,
    &ASSOCIATION_STATE_CHANGE_ERROR,
];

/// A `stateChangeError` as a label value: on one line, at most [`MAX_ERROR_CHARS`]
/// characters (cut on a character boundary); `None` when there is none.
///
/// ```
/// use directconnect_exporter::metrics::error_label;
/// assert_eq!(error_label(""), None);
/// assert_eq!(error_label(" quota\nexceeded ").as_deref(), Some("quota exceeded"));
/// assert_eq!(error_label(&"é".repeat(300)).map(|e| e.chars().count()), Some(200));
/// ```
pub fn error_label(error: &str) -> Option<String> {
    let one_line = error.trim().replace(['\n', '\r'], " ");
    (!one_line.is_empty()).then(|| one_line.chars().take(MAX_ERROR_CHARS).collect())
}

/// Writes the samples of one account's gateways.
pub fn write(key: &CollectorKey, g: &GatewayData, out: &mut Samples<'_>) {
    let acct = key.account_id.as_str();
    let mut info = out.family(&INFO);
    for x in &g.gateways {
        let asn = num_label(x.amazon_side_asn);
        info.sample(&[acct, &x.id, &x.name, &asn, &x.owner_account], 1.0);
    }
    let mut state = out.family(&STATE);
    for x in &g.gateways {
        state.state_set(&[acct, &x.id], &x.state, &GATEWAY_STATES);
    }
    let mut attachment = out.family(&ATTACHMENT_STATE);
    for a in &g.attachments {
        attachment.state_set(
            &[acct, &a.gateway_id, &a.virtual_interface_id],
            &a.state,
            &GATEWAY_ATTACHMENT_STATES,
        );
    }
    let mut allocations = out.family(&PREFIX_POOL_ALLOCATIONS);
    for x in &g.gateways {
        if let Some(n) = x.prefix_pool_allocations {
            allocations.sample(&[acct, &x.id], n as f64);
        }
    }
    let mut errors = out.family(&ATTACHMENT_STATE_CHANGE_ERROR);
    for a in &g.attachments {
        if let Some(error) = error_label(&a.state_change_error) {
            errors.sample(&[acct, &a.gateway_id, &a.virtual_interface_id, &error], 1.0);
        }
    }
    let mut errors = out.family(&ASSOCIATION_STATE_CHANGE_ERROR);
    for a in &g.associations {
        if let Some(error) = error_label(&a.state_change_error) {
            errors.sample(
                &[
                    acct,
                    &a.gateway_id,
                    &a.association_id,
                    &a.associated_gateway_id,
                    &a.associated_gateway_type,
                    &error,
                ],
                1.0,
            );
        }
    }
    let mut association = out.family(&ASSOCIATION_STATE);
    for a in &g.associations {
        association.state_set(
            &[
                acct,
                &a.gateway_id,
                &a.association_id,
                &a.associated_gateway_id,
                &a.associated_gateway_type,
            ],
            &a.state,
            &GATEWAY_ASSOCIATION_STATES,
        );
    }
}
