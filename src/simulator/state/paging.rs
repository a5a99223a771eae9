//! Pagination shared by every listing: `maxResults` and `nextToken`, tokens bound to their listing, one page at a time.

use std::collections::BTreeMap;
use std::ops::Bound;

use serde_json::Value;

use crate::simulator::protocol::ApiError;

/// Default and maximum page size of every listing.
pub const MAX_PAGE: usize = 100;

/// A paginated listing. Its tokens are valid only for itself; its items sit under
/// [`Listing::key`] in the response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Listing {
    /// DescribeVirtualInterfaces.
    VirtualInterfaces,
    /// DescribeConnections.
    Connections,
    /// DescribeLags.
    Lags,
    /// DescribeDirectConnectGateways.
    Gateways,
    /// DescribeDirectConnectGatewayAttachments.
    Attachments,
    /// DescribeDirectConnectGatewayAssociations.
    Associations,
    /// ListVirtualInterfaceRoutes.
    Routes,
    /// ListVirtualInterfaceTestHistory.
    TestHistory,
    /// AWS Health DescribeEvents.
    HealthEvents,
    /// AWS Health DescribeAffectedEntities.
    AffectedEntities,
}

impl Listing {
    /// The tag inside this listing's tokens.
    fn token_tag(self) -> &'static str {
        match self {
            Listing::VirtualInterfaces => "vifs",
            Listing::Connections => "connections",
            Listing::Lags => "lags",
            Listing::Gateways => "gateways",
            Listing::Attachments => "attachments",
            Listing::Associations => "associations",
            Listing::Routes => "routes",
            Listing::TestHistory => "tests",
            Listing::HealthEvents => "events",
            Listing::AffectedEntities => "entities",
        }
    }

    /// The response member holding the items.
    pub(crate) fn key(self) -> &'static str {
        match self {
            Listing::VirtualInterfaces => "virtualInterfaces",
            Listing::Connections => "connections",
            Listing::Lags => "lags",
            Listing::Gateways => "directConnectGateways",
            Listing::Attachments => "directConnectGatewayAttachments",
            Listing::Associations => "directConnectGatewayAssociations",
            Listing::Routes => "routes",
            Listing::TestHistory => "virtualInterfaceTestHistory",
            Listing::HealthEvents => "events",
            Listing::AffectedEntities => "entities",
        }
    }
}

/// `maxResults` and the cursor decoded from `nextToken`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PageParams {
    /// Items per page, 1..=[`MAX_PAGE`].
    max: usize,
    /// The last key of the previous page.
    after: Option<String>,
}

/// One page of items and the token for the next, set only when more items follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Page<T> {
    /// The items, in key order.
    pub items: Vec<T>,
    /// `nextToken` for the following page.
    pub next_token: Option<String>,
}

impl<T> Page<T> {
    /// `{"<listing key>": [items rendered], "nextToken"?: token}`.
    pub(crate) fn into_json(self, listing: Listing, render: impl FnMut(T) -> Value) -> Value {
        let items: Vec<Value> = self.items.into_iter().map(render).collect();
        let mut out = serde_json::json!({ listing.key(): items });
        if let Some(t) = self.next_token {
            out["nextToken"] = Value::String(t);
        }
        out
    }
}

fn encode_token(listing: Listing, last: &str) -> String {
    let raw = format!("{}|{last}", listing.token_tag());
    let hex: String = raw.bytes().map(|b| format!("{b:02x}")).collect();
    format!("v1.{hex}")
}

fn decode_token(token: &str, listing: Listing) -> Option<String> {
    let hex = token.strip_prefix("v1.")?;
    if hex.len() % 2 != 0 {
        return None;
    }
    let bytes = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect::<Option<Vec<u8>>>()?;
    let raw = String::from_utf8(bytes).ok()?;
    let (tag, last) = raw.split_once('|')?;
    (tag == listing.token_tag()).then(|| last.to_owned())
}

/// `maxResults` (1..=100, default 100).
fn max_results(input: &Value) -> Result<usize, ApiError> {
    match input.get("maxResults") {
        None | Some(Value::Null) => Ok(MAX_PAGE),
        Some(v) => match v.as_i64() {
            Some(n) if (1..=MAX_PAGE as i64).contains(&n) => Ok(n as usize),
            _ => Err(ApiError::client(format!(
                "maxResults must be between 1 and {MAX_PAGE}, got {v}"
            ))),
        },
    }
}

/// Reads `maxResults` (1..=100, default 100) and `nextToken` (opaque, per listing).
fn page_params(input: &Value, listing: Listing) -> Result<PageParams, ApiError> {
    let invalid_token = || ApiError::client("The nextToken provided is invalid");
    let max = max_results(input)?;
    let after = match input.get("nextToken") {
        None | Some(Value::Null) => None,
        Some(Value::String(t)) if t.is_empty() => None,
        Some(Value::String(t)) => Some(decode_token(t, listing).ok_or_else(invalid_token)?),
        Some(_) => return Err(invalid_token()),
    };
    Ok(PageParams { max, after })
}

/// `input` with `maxResults` lowered to `cap` when it is absent or a valid size above it;
/// `None` when `input` stays as it is (an invalid `maxResults` keeps its error).
pub(crate) fn cap_max_results(input: &Value, cap: usize) -> Option<Value> {
    let cap = cap.clamp(1, MAX_PAGE);
    if max_results(input).ok()? <= cap || !input.is_object() {
        return None;
    }
    let mut capped = input.clone();
    capped["maxResults"] = Value::from(cap);
    Some(capped)
}

/// One page of `items` (sorted by a unique key) after the cursor in `input`.
pub(crate) fn paginate<K: AsRef<str>, R>(
    items: impl Iterator<Item = (K, R)>,
    input: &Value,
    listing: Listing,
) -> Result<Page<R>, ApiError> {
    let PageParams { max, after } = page_params(input, listing)?;
    let mut out = Vec::new();
    let mut last: Option<String> = None;
    let mut more = false;
    for (key, item) in items {
        if after.as_deref().is_some_and(|a| key.as_ref() <= a) {
            continue;
        }
        if out.len() == max {
            more = true;
            break;
        }
        last = Some(key.as_ref().to_owned());
        out.push(item);
    }
    let next_token = match (more, last) {
        (true, Some(last)) => Some(encode_token(listing, &last)),
        _ => None,
    };
    Ok(Page {
        items: out,
        next_token,
    })
}

/// One page of the values of `map` (keyed by id) that `keep` accepts. It starts at the
/// cursor, so a page costs O(page + log n) rather than a scan from the start.
pub(crate) fn page_of<'a, V>(
    map: &'a BTreeMap<String, V>,
    input: &Value,
    listing: Listing,
    keep: impl Fn(&V) -> bool,
) -> Result<Page<&'a V>, ApiError> {
    let PageParams { after, .. } = page_params(input, listing)?;
    let range = match &after {
        Some(a) => map.range::<str, _>((Bound::Excluded(a.as_str()), Bound::Unbounded)),
        None => map.range::<str, _>(..),
    };
    paginate(range.filter(|(_, v)| keep(v)), input, listing)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_page_cap_lowers_large_or_absent_sizes_and_keeps_invalid_ones() {
        assert_eq!(
            cap_max_results(&json!({}), 25),
            Some(json!({"maxResults": 25}))
        );
        assert_eq!(
            cap_max_results(&json!({"maxResults": 100, "nextToken": "t"}), 25),
            Some(json!({"maxResults": 25, "nextToken": "t"}))
        );
        assert_eq!(cap_max_results(&json!({"maxResults": 10}), 25), None);
        assert_eq!(cap_max_results(&json!({"maxResults": 500}), 25), None);
        assert_eq!(cap_max_results(&json!({}), MAX_PAGE), None);
    }

    #[test]
    fn tokens_round_trip_and_are_bound_to_their_listing() {
        let t = encode_token(Listing::VirtualInterfaces, "dxvif-abc");
        assert_eq!(
            decode_token(&t, Listing::VirtualInterfaces).as_deref(),
            Some("dxvif-abc")
        );
        assert_eq!(decode_token(&t, Listing::Lags), None);
        assert_eq!(decode_token("garbage", Listing::VirtualInterfaces), None);
        assert_eq!(decode_token("v1.zz", Listing::VirtualInterfaces), None);
    }

    #[test]
    fn pages_cover_every_item_once() {
        let items: Vec<String> = (0..250).map(|i| format!("k{i:04}")).collect();
        let mut input = json!({"maxResults": 100});
        let mut seen = Vec::new();
        loop {
            let keyed = items.iter().map(|k| (k.as_str(), k.clone()));
            let page = paginate(keyed, &input, Listing::Connections).unwrap();
            seen.extend(page.items);
            match page.next_token {
                Some(t) => input["nextToken"] = json!(t),
                None => break,
            }
        }
        assert_eq!(seen, items);
    }

    #[test]
    fn out_of_range_page_sizes_are_client_errors() {
        for bad in [
            json!({"maxResults": 0}),
            json!({"maxResults": 101}),
            json!({"maxResults": "x"}),
        ] {
            assert_eq!(
                page_params(&bad, Listing::Connections).unwrap_err().code,
                "DirectConnectClientException"
            );
        }
    }

    #[test]
    fn a_page_of_a_map_starts_after_the_cursor_and_keeps_only_what_is_asked() {
        let map: BTreeMap<String, u32> = (0..10).map(|i| (format!("k{i}"), i)).collect();
        let first = page_of(&map, &json!({"maxResults": 2}), Listing::Lags, |v| {
            v % 2 == 0
        })
        .unwrap();
        assert_eq!(first.items, vec![&0, &2]);
        let input = json!({"maxResults": 2, "nextToken": first.next_token});
        let second = page_of(&map, &input, Listing::Lags, |v| v % 2 == 0).unwrap();
        assert_eq!(second.items, vec![&4, &6]);
    }
}
