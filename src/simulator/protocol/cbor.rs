//! Smithy RPC v2 CBOR, the protocol of CloudWatch and AWS Health in current SDKs: the route `POST /service/<Service>/operation/<Operation>`, CBOR bodies as JSON-like values, and the response and error shapes.
//!
//! The wire, as [the Smithy spec](https://smithy.io/2.0/additional-specs/protocols/smithy-rpc-v2.html)
//! and the SDK's parser (`aws-smithy-cbor`, `aws-sdk-cloudwatch` 1.140) have it:
//! - requests: `POST /service/<ServiceShapeName>/operation/<OperationName>`, header
//!   `smithy-protocol: rpc-v2-cbor` (required; a request without it is refused),
//!   `Content-Type: application/cbor`, the input structure as one CBOR map (an empty
//!   body is an empty input);
//! - answers carry `smithy-protocol: rpc-v2-cbor`, `Content-Type: application/cbor`
//!   and `x-amzn-RequestId`; a success is 200 with the output structure as a CBOR map;
//! - an error has the error's HTTP status and a map `{"__type": "<namespace>#<Code>",
//!   "message": ...}`; the SDK keeps what follows the `#` as the error code. Services
//!   that were AWS query services (CloudWatch) are *query compatible*: they also send
//!   `x-amzn-query-error: <Code>;Sender` (`Receiver` for 5xx), and the SDK takes the code
//!   from that header — the one the query protocol used (`Throttling`, not
//!   `ThrottlingException`).
//!
//! Operations see plain JSON values whatever the wire ([`decode`] and [`encode`]): CBOR
//! maps with text keys are objects, arrays are arrays, text is a string, integers and
//! floats are numbers (a float stays a float: the SDK refuses an integer where it
//! expects a `double`, so an operation returning a `double` must put an `f64` in its
//! output, e.g. `json!(0.0)`, never `json!(0)`), booleans are booleans, `null` and
//! `undefined` are null. Two CBOR items have no JSON equivalent and travel as one-key
//! objects, both ways:
//! - a timestamp, CBOR tag 1 over epoch seconds: `{"$timestamp": 1767225600.0}` — build
//!   it with [`timestamp`], read it with [`epoch_seconds`] (which also accepts a plain
//!   number, as AWS JSON 1.1 sends timestamps);
//! - a blob, a CBOR byte string: `{"$blob": "<base64>"}`.
//!
//! Non-finite floats decode to the strings Smithy's JSON protocols use (`"NaN"`,
//! `"Infinity"`, `"-Infinity"`). Other tags (bignums, decimals), simple values, integers
//! outside the 64-bit range, non-text map keys, nesting deeper than [`MAX_DEPTH`] and
//! bytes after the top-level item are refused with a `SerializationException`.
//!
//! To serve a service over it: a [`super::Service`] variant with its Smithy shape name,
//! namespace and query compatibility (`Service::from_smithy_name` and the methods beside
//! it), a table of operations like `cloudwatch` in `protocol/mod.rs`, and its error
//! codes in `faults.rs`.

use std::convert::Infallible;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hyper::header::HeaderValue;
use minicbor::data::{IanaTag, Tag, Type};
use minicbor::{Decoder, Encoder};
use serde_json::{Map, Number, Value};

use super::{ApiError, Outcome, Service};
use crate::simulator::server::{Reply, response};

/// Content type of requests and answers.
pub(crate) const CONTENT_TYPE: &str = "application/cbor";
/// The header naming the protocol, on requests and answers.
pub(super) const PROTOCOL_HEADER: &str = "smithy-protocol";
/// The value of [`PROTOCOL_HEADER`].
pub(super) const PROTOCOL: &str = "rpc-v2-cbor";
/// The header a query-compatible service names the query error code in.
const QUERY_ERROR_HEADER: &str = "x-amzn-query-error";
/// Key of the one-key object standing for a CBOR timestamp (tag 1).
pub(crate) const TIMESTAMP_KEY: &str = "$timestamp";
/// Key of the one-key object standing for a CBOR byte string (base64 inside).
pub(crate) const BLOB_KEY: &str = "$blob";
/// Deepest nesting of maps and arrays accepted in a request body.
pub(crate) const MAX_DEPTH: usize = 32;
/// Namespace of errors about a service the simulator does not know.
const FRAMEWORK_NAMESPACE: &str = "smithy.framework";

/// The service and operation names of `/service/<Service>/operation/<Operation>`, if
/// `path` has that shape.
///
/// ```ignore
/// assert_eq!(
///     route("/service/GraniteServiceVersion20100801/operation/GetMetricData"),
///     Some(("GraniteServiceVersion20100801", "GetMetricData"))
/// );
/// ```
pub(super) fn route(path: &str) -> Option<(&str, &str)> {
    let rest = path.strip_prefix("/service/")?;
    let (service, operation) = rest.split_once("/operation/")?;
    // Smithy shape names: letters, digits and `_` (`AWSHealth_20160804`).
    let name_ok =
        |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    (name_ok(service) && name_ok(operation)).then_some((service, operation))
}

/// A timestamp (epoch seconds) as operations put it in their output: CBOR tag 1 on the
/// wire.
pub(crate) fn timestamp(epoch_seconds: f64) -> Value {
    let mut m = Map::new();
    m.insert(TIMESTAMP_KEY.to_owned(), float(epoch_seconds));
    Value::Object(m)
}

/// The epoch seconds of a timestamp input member: a decoded tag 1 (`{"$timestamp": n}`)
/// or a plain number (AWS JSON 1.1).
pub(crate) fn epoch_seconds(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::Object(m) if m.len() == 1 => m.get(TIMESTAMP_KEY).and_then(Value::as_f64),
        _ => None,
    }
}

/// Why a body is not a valid CBOR input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed CBOR at byte {at}: {reason}")]
pub(crate) struct DecodeError {
    /// Offset of the offending item.
    pub at: usize,
    /// What is wrong with it.
    pub reason: String,
}

impl DecodeError {
    fn new(at: usize, reason: impl Into<String>) -> DecodeError {
        DecodeError {
            at,
            reason: reason.into(),
        }
    }
}

impl From<minicbor::decode::Error> for DecodeError {
    fn from(e: minicbor::decode::Error) -> DecodeError {
        DecodeError::new(e.position().unwrap_or(0), e.to_string())
    }
}

/// The request body as the operation's input object; an empty body is `{}`.
pub(super) fn input(body: &[u8]) -> Result<Value, ApiError> {
    if body.is_empty() {
        return Ok(Value::Object(Map::new()));
    }
    match decode(body) {
        Ok(v @ Value::Object(_)) => Ok(v),
        Ok(_) => Err(ApiError::serialization(
            "the request body must be a CBOR map",
        )),
        Err(e) => Err(ApiError::serialization(e.to_string())),
    }
}

/// Decodes one CBOR item, the whole of `bytes`, into a JSON value (mapping in the module
/// doc).
pub(crate) fn decode(bytes: &[u8]) -> Result<Value, DecodeError> {
    let mut d = Decoder::new(bytes);
    let value = item(&mut d, 0)?;
    if d.position() != bytes.len() {
        return Err(DecodeError::new(
            d.position(),
            "bytes after the top-level item",
        ));
    }
    Ok(value)
}

/// Decodes the item at the decoder's position, `depth` containers deep.
fn item(d: &mut Decoder<'_>, depth: usize) -> Result<Value, DecodeError> {
    let at = d.position();
    if depth > MAX_DEPTH {
        return Err(DecodeError::new(
            at,
            format!("nested deeper than {MAX_DEPTH}"),
        ));
    }
    Ok(match d.datatype()? {
        Type::Bool => Value::Bool(d.bool()?),
        Type::Null => {
            d.null()?;
            Value::Null
        }
        Type::Undefined => {
            d.undefined()?;
            Value::Null
        }
        Type::U8 | Type::U16 | Type::U32 | Type::U64 => Value::from(d.u64()?),
        Type::I8 | Type::I16 | Type::I32 | Type::I64 => Value::from(d.i64()?),
        Type::Int => return Err(DecodeError::new(at, "integer outside the 64-bit range")),
        Type::F16 | Type::F32 | Type::F64 => float(d.f64()?),
        Type::String | Type::StringIndef => {
            let mut s = String::new();
            for chunk in d.str_iter()? {
                s.push_str(chunk?);
            }
            Value::String(s)
        }
        Type::Bytes | Type::BytesIndef => {
            let mut b = Vec::new();
            for chunk in d.bytes_iter()? {
                b.extend_from_slice(chunk?);
            }
            one_key(BLOB_KEY, Value::String(BASE64.encode(b)))
        }
        Type::Array | Type::ArrayIndef => {
            let mut items = Vec::new();
            match d.array()? {
                Some(n) => {
                    for _ in 0..n {
                        items.push(item(d, depth + 1)?);
                    }
                }
                None => {
                    while d.datatype()? != Type::Break {
                        items.push(item(d, depth + 1)?);
                    }
                    d.skip()?;
                }
            }
            Value::Array(items)
        }
        Type::Map | Type::MapIndef => {
            let mut members = Map::new();
            match d.map()? {
                Some(n) => {
                    for _ in 0..n {
                        member(d, depth, &mut members)?;
                    }
                }
                None => {
                    while d.datatype()? != Type::Break {
                        member(d, depth, &mut members)?;
                    }
                    d.skip()?;
                }
            }
            Value::Object(members)
        }
        Type::Tag => {
            let tag = d.tag()?;
            if tag != Tag::from(IanaTag::Timestamp) {
                return Err(DecodeError::new(
                    at,
                    format!("unsupported tag {}", u64::from(tag)),
                ));
            }
            let seconds = match item(d, depth + 1)? {
                Value::Number(n) => Value::Number(n),
                _ => return Err(DecodeError::new(at, "a timestamp (tag 1) must be a number")),
            };
            one_key(TIMESTAMP_KEY, seconds)
        }
        Type::Break => return Err(DecodeError::new(at, "unexpected break")),
        Type::Simple | Type::Unknown(_) => {
            return Err(DecodeError::new(at, "unsupported simple value"));
        }
    })
}

/// Decodes one map entry (a text key and its value) into `members`.
fn member(
    d: &mut Decoder<'_>,
    depth: usize,
    members: &mut Map<String, Value>,
) -> Result<(), DecodeError> {
    let at = d.position();
    let Value::String(key) = item(d, depth + 1)? else {
        return Err(DecodeError::new(at, "map keys must be text"));
    };
    let value = item(d, depth + 1)?;
    members.insert(key, value);
    Ok(())
}

/// A float as a JSON value; non-finite ones as Smithy's JSON protocols spell them.
fn float(x: f64) -> Value {
    match Number::from_f64(x) {
        Some(n) => Value::Number(n),
        None if x.is_nan() => Value::String("NaN".into()),
        None if x > 0.0 => Value::String("Infinity".into()),
        None => Value::String("-Infinity".into()),
    }
}

fn one_key(key: &str, value: Value) -> Value {
    let mut m = Map::new();
    m.insert(key.to_owned(), value);
    Value::Object(m)
}

/// Encodes a JSON value as CBOR (mapping in the module doc): definite lengths, the
/// shortest integer heads, floats as 64-bit floats, `{"$timestamp": n}` as tag 1 and
/// `{"$blob": base64}` as a byte string (an invalid base64 text stays an object).
pub(crate) fn encode(value: &Value) -> Vec<u8> {
    let mut e = Encoder::new(Vec::new());
    // Writing into a Vec cannot fail: its error type is `Infallible`.
    let _ = write(&mut e, value);
    e.into_writer()
}

type WriteResult = Result<(), minicbor::encode::Error<Infallible>>;

fn write(e: &mut Encoder<Vec<u8>>, value: &Value) -> WriteResult {
    match value {
        Value::Null => {
            e.null()?;
        }
        Value::Bool(b) => {
            e.bool(*b)?;
        }
        Value::Number(n) => number(e, n)?,
        Value::String(s) => {
            e.str(s)?;
        }
        Value::Array(items) => {
            e.array(items.len() as u64)?;
            for v in items {
                write(e, v)?;
            }
        }
        Value::Object(members) => {
            if let Some(done) = special(e, members) {
                return done;
            }
            e.map(members.len() as u64)?;
            for (k, v) in members {
                e.str(k)?;
                write(e, v)?;
            }
        }
    }
    Ok(())
}

fn number(e: &mut Encoder<Vec<u8>>, n: &Number) -> WriteResult {
    if let Some(u) = n.as_u64() {
        e.u64(u)?;
    } else if let Some(i) = n.as_i64() {
        e.i64(i)?;
    } else {
        e.f64(n.as_f64().unwrap_or(f64::NAN))?;
    }
    Ok(())
}

/// Writes a `$timestamp` or `$blob` object as its CBOR item; `None` for any other object.
fn special(e: &mut Encoder<Vec<u8>>, members: &Map<String, Value>) -> Option<WriteResult> {
    if members.len() != 1 {
        return None;
    }
    if let Some(Value::Number(n)) = members.get(TIMESTAMP_KEY) {
        return Some(e.tag(IanaTag::Timestamp).and_then(|e| number(e, n)));
    }
    if let Some(Value::String(b64)) = members.get(BLOB_KEY)
        && let Ok(bytes) = BASE64.decode(b64)
    {
        return Some(e.bytes(&bytes).map(|_| ()));
    }
    None
}

/// The error body: `{"__type": "<namespace>#<code>", "message": ...}`.
fn error_body(namespace: &str, e: &ApiError) -> Vec<u8> {
    encode(&serde_json::json!({
        "__type": format!("{namespace}#{}", e.code),
        "message": e.message,
    }))
}

/// Puts `outcome` on the wire for `service` (`None`: a service the simulator does not
/// know): the CBOR body, `smithy-protocol` and `x-amzn-RequestId` always, and
/// `x-amzn-query-error` on the errors of a query-compatible service.
pub(super) fn reply(service: Option<Service>, outcome: Outcome, request_id: &str) -> Reply {
    let namespace = service.map_or(FRAMEWORK_NAMESPACE, Service::smithy_namespace);
    let (status, body, query_error) = match outcome {
        Outcome::Ok(v) => (200, encode(&v), None),
        Outcome::Truncated(body) => (200, body.as_bytes().to_vec(), None),
        Outcome::Error(e) => {
            let query_error = service.is_some_and(Service::query_compatible).then(|| {
                let kind = if e.status >= 500 {
                    "Receiver"
                } else {
                    "Sender"
                };
                format!("{};{kind}", e.code)
            });
            (e.status, error_body(namespace, &e), query_error)
        }
        Outcome::Reset => return Reply::Reset,
    };
    let mut resp = response(status, CONTENT_TYPE, body);
    let headers = resp.headers_mut();
    headers.insert(PROTOCOL_HEADER, HeaderValue::from_static(PROTOCOL));
    if let Ok(v) = HeaderValue::from_str(request_id) {
        headers.insert("x-amzn-requestid", v);
    }
    if let Some(v) = query_error.and_then(|q| HeaderValue::from_str(&q).ok()) {
        headers.insert(QUERY_ERROR_HEADER, v);
    }
    Reply::Response(resp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn round_trip(v: Value) {
        let bytes = encode(&v);
        assert_eq!(decode(&bytes).unwrap(), v, "{bytes:02x?}");
    }

    #[test]
    fn values_survive_a_round_trip() {
        round_trip(json!({
            "MetricDataQueries": [{"Id": "q0", "Period": 300, "ReturnData": true}],
            "Negative": -7,
            "Big": u64::MAX,
            "Double": 0.0,
            "Fraction": -2.5,
            "Nothing": null,
            "Empty": {},
            "Text": "ünïcode",
        }));
    }

    #[test]
    fn floats_stay_floats_and_integers_stay_integers() {
        // 0.0 as a 64-bit float, 0 as the one-byte integer: the SDK tells them apart.
        assert_eq!(encode(&json!(0.0)), [0xfb, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(encode(&json!(0)), [0x00]);
        assert_eq!(encode(&json!(-1)), [0x20]);
        assert_eq!(encode(&json!(500)), [0x19, 0x01, 0xf4]);
    }

    #[test]
    fn timestamps_are_tag_1_over_epoch_seconds() {
        let ts = timestamp(1_767_225_600.5);
        let bytes = encode(&ts);
        assert_eq!(&bytes[..2], [0xc1, 0xfb], "tag 1, then a 64-bit float");
        assert_eq!(decode(&bytes).unwrap(), ts);
        assert_eq!(epoch_seconds(&ts), Some(1_767_225_600.5));
        // An integer under tag 1, as some clients send it, keeps its value.
        let int = decode(&[0xc1, 0x1a, 0x69, 0x55, 0xb9, 0x00]).unwrap();
        assert_eq!(epoch_seconds(&int), Some(1_767_225_600.0));
        assert_eq!(
            epoch_seconds(&json!(12)),
            Some(12.0),
            "AWS JSON 1.1 numbers"
        );
        assert_eq!(epoch_seconds(&json!("12")), None);
    }

    #[test]
    fn blobs_are_byte_strings() {
        let blob = json!({"$blob": BASE64.encode([0u8, 1, 255])});
        let bytes = encode(&blob);
        assert_eq!(bytes, [0x43, 0, 1, 255]);
        round_trip(blob);
    }

    #[test]
    fn indefinite_lengths_and_half_floats_decode() {
        // {_ "a": [_ 1, 1.5 (f16)], "b": (_ "x" "y")}
        let bytes = [
            0xbf, 0x61, b'a', 0x9f, 0x01, 0xf9, 0x3e, 0x00, 0xff, 0x61, b'b', 0x7f, 0x61, b'x',
            0x61, b'y', 0xff, 0xff,
        ];
        assert_eq!(decode(&bytes).unwrap(), json!({"a": [1, 1.5], "b": "xy"}));
    }

    #[test]
    fn non_finite_floats_decode_as_smithy_json_strings() {
        let nan = [0xfb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0];
        assert_eq!(decode(&nan).unwrap(), json!("NaN"));
        let neg_inf = [0xf9, 0xfc, 0x00];
        assert_eq!(decode(&neg_inf).unwrap(), json!("-Infinity"));
    }

    #[test]
    fn malformed_or_unsupported_input_is_refused_with_its_offset() {
        for (bytes, reason) in [
            (&[0xa1, 0x01, 0x02][..], "map keys must be text"),
            (&[0xc2, 0x41, 0x01][..], "unsupported tag 2"),
            (&[0xc1, 0x61, b'x'][..], "must be a number"),
            (&[0xa0, 0x00][..], "bytes after the top-level item"),
            (&[0xf0][..], "unsupported simple value"),
            (&[0xff][..], "unexpected break"),
            (
                &[0x3b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff][..],
                "64-bit",
            ),
            (&[0xa1, 0x61, b'a'][..], "end of input"),
        ] {
            let err = decode(bytes).unwrap_err();
            assert!(err.reason.contains(reason), "{bytes:02x?}: {err}");
        }
        let deep = [vec![0x81; MAX_DEPTH + 2], vec![0x00]].concat();
        assert!(decode(&deep).unwrap_err().reason.contains("nested deeper"));
    }

    #[test]
    fn an_input_must_be_a_map_and_an_empty_body_is_an_empty_input() {
        assert_eq!(input(b"").unwrap(), json!({}));
        let err = input(&[0x80]).unwrap_err();
        assert_eq!(err.code, "SerializationException");
        assert_eq!(input(&[0x61]).unwrap_err().status, 400);
    }

    #[test]
    fn routes_name_a_service_and_an_operation() {
        assert_eq!(
            route("/service/GraniteServiceVersion20100801/operation/GetMetricData"),
            Some(("GraniteServiceVersion20100801", "GetMetricData"))
        );
        assert_eq!(
            route("/service/AWSHealth_20160804/operation/DescribeEvents"),
            Some(("AWSHealth_20160804", "DescribeEvents"))
        );
        assert_eq!(route("/service/X/operation/"), None);
        assert_eq!(route("/service//operation/Op"), None);
        assert_eq!(route("/service/X/operation/Op/extra"), None);
        assert_eq!(route("/"), None);
    }

    #[test]
    fn errors_carry_the_namespaced_type_and_the_query_code_when_compatible() {
        let err = ApiError::new(400, "Throttling", "Rate exceeded");
        let Reply::Response(resp) =
            reply(Some(Service::CloudWatch), Outcome::Error(err.clone()), "r1")
        else {
            panic!("an error is answered");
        };
        assert_eq!(resp.status(), 400);
        let h = resp.headers();
        assert_eq!(h["smithy-protocol"], "rpc-v2-cbor");
        assert_eq!(h["content-type"], "application/cbor");
        assert_eq!(h["x-amzn-requestid"], "r1");
        assert_eq!(h["x-amzn-query-error"], "Throttling;Sender");
        let body = decode(&error_body("com.amazonaws.cloudwatch", &err)).unwrap();
        assert_eq!(
            body,
            json!({"__type": "com.amazonaws.cloudwatch#Throttling", "message": "Rate exceeded"})
        );
        let server = ApiError::new(500, "InternalServiceError", "boom");
        let Reply::Response(resp) = reply(Some(Service::CloudWatch), Outcome::Error(server), "r")
        else {
            panic!("an error is answered");
        };
        assert_eq!(
            resp.headers()["x-amzn-query-error"],
            "InternalServiceError;Receiver"
        );
        let Reply::Response(resp) = reply(None, Outcome::Error(err), "r") else {
            panic!("an error is answered");
        };
        assert!(resp.headers().get("x-amzn-query-error").is_none());
    }
}
