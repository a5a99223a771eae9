//! AWS JSON 1.1, the Direct Connect protocol: the operation in `X-Amz-Target`, the input as a JSON object, and the response and error shapes.

use hyper::Method;
use hyper::header::{ALLOW, HeaderValue};
use serde_json::Value;

use super::{ApiError, Outcome};
use crate::simulator::server::{Reply, response};

/// Content type of AWS JSON 1.1 requests and responses.
pub(crate) const CONTENT_TYPE: &str = "application/x-amz-json-1.1";
/// The header naming the operation.
pub(super) const TARGET_HEADER: &str = "x-amz-target";
/// Prefix of the `X-Amz-Target` value for Direct Connect.
const TARGET_PREFIX: &str = "OvertureService.";

/// The Direct Connect operation named by an `X-Amz-Target` value, if well formed.
pub(super) fn operation(target: &str) -> Option<&str> {
    target
        .strip_prefix(TARGET_PREFIX)
        .filter(|op| !op.is_empty())
}

/// The JSON body as an object; an empty body counts as `{}`.
pub(super) fn input(body: &[u8]) -> Result<Value, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(serde_json::Map::new()));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(v @ Value::Object(_)) => Ok(v),
        Ok(_) => Err(ApiError::serialization(
            "the request body must be a JSON object",
        )),
        Err(e) => Err(ApiError::serialization(format!("malformed JSON: {e}"))),
    }
}

/// The error body: `{"__type": code, "message": ...}`.
fn error_body(e: &ApiError) -> String {
    serde_json::json!({"__type": e.code, "message": e.message}).to_string()
}

/// Puts `outcome` on the wire: the JSON body, `x-amzn-RequestId` always, and
/// `x-amzn-ErrorType` on errors.
pub(super) fn reply(outcome: Outcome, request_id: &str) -> Reply {
    let (status, body, error_code) = match outcome {
        Outcome::Ok(v) => (200, v.to_string(), None),
        Outcome::Truncated(body) => (200, body.to_owned(), None),
        Outcome::Error(e) => (e.status, error_body(&e), Some(e.code)),
        Outcome::Reset => return Reply::Reset,
    };
    let mut resp = response(status, CONTENT_TYPE, body);
    if let Ok(v) = HeaderValue::from_str(request_id) {
        resp.headers_mut().insert("x-amzn-requestid", v);
    }
    if let Some(code) = error_code {
        resp.headers_mut()
            .insert("x-amzn-errortype", HeaderValue::from_static(code));
    }
    Reply::Response(resp)
}

/// 405 with `Allow: POST`: every AWS API call is a POST.
pub(super) fn method_not_allowed(method: &Method, path: &str, request_id: &str) -> Reply {
    let err = ApiError::new(
        405,
        "UnknownOperationException",
        format!(
            "{method} {path}: the simulator answers POST / (AWS JSON 1.1 or STS query), POST /service/<Service>/operation/<Operation> (Smithy RPC v2 CBOR) and /_sim/"
        ),
    );
    let mut reply = reply(Outcome::Error(err), request_id);
    if let Reply::Response(resp) = &mut reply {
        resp.headers_mut()
            .insert(ALLOW, HeaderValue::from_static("POST"));
    }
    reply
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_name_direct_connect_operations() {
        assert_eq!(
            operation("OvertureService.DescribeLags"),
            Some("DescribeLags")
        );
        assert_eq!(operation("OvertureService."), None);
        assert_eq!(operation("Other.DescribeLags"), None);
    }

    #[test]
    fn error_bodies_have_the_json_shape() {
        let body = error_body(&ApiError::client("nope"));
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["__type"], "DirectConnectClientException");
        assert_eq!(v["message"], "nope");
    }

    #[test]
    fn an_empty_body_is_an_empty_object_and_a_list_is_refused() {
        assert_eq!(input(b" \n").unwrap(), serde_json::json!({}));
        assert_eq!(input(b"[]").unwrap_err().code, "SerializationException");
    }
}
