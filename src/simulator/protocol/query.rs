//! The AWS query protocol, STS's: the form-encoded input naming an `Action`, and the XML response and error documents.

use serde_json::{Map, Value};

use super::{ApiError, Outcome};
use crate::markup::escape;
use crate::simulator::server::{Reply, response};

/// Content type of the XML answers.
const CONTENT_TYPE: &str = "text/xml";
/// XML namespace of STS documents.
const NAMESPACE: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

/// The form body as a JSON object of strings (`Action`, `RoleArn`, ...).
pub(super) fn input(body: &[u8]) -> Value {
    let params: Map<String, Value> = form_urlencoded::parse(body)
        .into_owned()
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    Value::Object(params)
}

/// Puts the outcome of `action` on the wire: `<{action}Response>` with the output as
/// elements inside `<{action}Result>`, or the `ErrorResponse` document.
pub(super) fn reply(action: &str, outcome: Outcome, request_id: &str) -> Reply {
    let (status, body) = match outcome {
        Outcome::Ok(output) => (200, document(action, &output, request_id)),
        Outcome::Truncated(body) => (200, body.to_owned()),
        Outcome::Error(e) => (e.status, error_document(&e, request_id)),
        Outcome::Reset => return Reply::Reset,
    };
    Reply::Response(response(status, CONTENT_TYPE, body))
}

/// The response document of a successful `action` (a known action, so a safe name).
fn document(action: &str, output: &Value, request_id: &str) -> String {
    let mut result = String::new();
    elements(output, &mut result);
    format!(
        "<{action}Response xmlns=\"{NAMESPACE}\"><{action}Result>{result}</{action}Result><ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{action}Response>"
    )
}

/// Writes `value` as query-protocol XML: object members as elements named by their key,
/// list items as `<member>`, scalars as escaped text; nulls are left out.
fn elements(value: &Value, out: &mut String) {
    match value {
        Value::Null => {}
        Value::Object(members) => {
            for (name, v) in members.iter().filter(|(_, v)| !v.is_null()) {
                out.push_str(&format!("<{name}>"));
                elements(v, out);
                out.push_str(&format!("</{name}>"));
            }
        }
        Value::Array(items) => {
            for v in items {
                out.push_str("<member>");
                elements(v, out);
                out.push_str("</member>");
            }
        }
        Value::String(s) => out.push_str(&escape(s)),
        Value::Bool(_) | Value::Number(_) => out.push_str(&value.to_string()),
    }
}

/// The `ErrorResponse` document; `Receiver` faults are the service's (5xx).
fn error_document(e: &ApiError, request_id: &str) -> String {
    let kind = if e.status >= 500 {
        "Receiver"
    } else {
        "Sender"
    };
    format!(
        "<ErrorResponse xmlns=\"{NAMESPACE}\"><Error><Type>{kind}</Type><Code>{}</Code><Message>{}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>",
        e.code,
        escape(&e.message)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn error_documents_have_the_sts_shape_and_escape_the_message() {
        let xml = error_document(&ApiError::new(403, "AccessDenied", "a<b"), "r1");
        assert!(xml.contains("<Code>AccessDenied</Code>") && xml.contains("a&lt;b"));
        assert!(xml.contains("<Type>Sender</Type>") && xml.contains("<RequestId>r1</RequestId>"));
    }

    #[test]
    fn answers_are_named_after_the_action_with_the_output_as_elements() {
        let output =
            json!({"Credentials": {"AccessKeyId": "ASIA<1>"}, "PackedPolicySize": 6, "Gone": null});
        let xml = document("AssumeRole", &output, "r1");
        assert!(
            xml.starts_with(&format!(
                "<AssumeRoleResponse xmlns=\"{NAMESPACE}\"><AssumeRoleResult>"
            )),
            "{xml}"
        );
        assert!(
            xml.contains("<Credentials><AccessKeyId>ASIA&lt;1&gt;</AccessKeyId></Credentials>"),
            "{xml}"
        );
        assert!(
            xml.contains("<PackedPolicySize>6</PackedPolicySize>") && !xml.contains("Gone"),
            "{xml}"
        );
        assert!(
            xml.ends_with("<RequestId>r1</RequestId></ResponseMetadata></AssumeRoleResponse>"),
            "{xml}"
        );
    }

    #[test]
    fn the_form_body_becomes_an_object_of_strings() {
        let v = input(b"Action=AssumeRole&RoleSessionName=a%20b");
        assert_eq!(v, json!({"Action": "AssumeRole", "RoleSessionName": "a b"}));
    }
}
