//! Wire formats: AWS JSON 1.1 and STS query requests, the caller identity taken from SigV4, and the real error shapes.

use std::collections::HashMap;

/// Content type of AWS JSON 1.1 requests and responses.
pub const JSON_CONTENT_TYPE: &str = "application/x-amz-json-1.1";
/// Account used when the access key id carries no 12-digit run.
pub const DEFAULT_ACCOUNT: &str = "111111111111";
/// Region used when a request carries no SigV4 credential scope.
pub const DEFAULT_REGION: &str = "us-east-1";
/// Prefix of the `X-Amz-Target` header for Direct Connect.
pub const TARGET_PREFIX: &str = "OvertureService.";

/// Who is calling, from the SigV4 `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The access key id (empty for unsigned requests).
    pub access_key_id: String,
    /// Account: first run of 12 digits in the access key id, else [`DEFAULT_ACCOUNT`].
    pub account: String,
    /// Region from the credential scope, else [`DEFAULT_REGION`].
    pub region: String,
}

impl Caller {
    /// Parses `AWS4-HMAC-SHA256 Credential=AKID/20261125/us-east-1/directconnect/aws4_request, ...`.
    /// Signatures are not verified.
    pub fn from_authorization(header: Option<&str>) -> Caller {
        let scope = header
            .and_then(|h| h.split("Credential=").nth(1))
            .map(|rest| rest.split([',', ' ']).next().unwrap_or_default())
            .unwrap_or_default();
        let mut parts = scope.split('/');
        let key = parts.next().unwrap_or_default().to_owned();
        let region = parts
            .nth(1)
            .filter(|r| !r.is_empty())
            .unwrap_or(DEFAULT_REGION)
            .to_owned();
        Caller {
            account: account_from_access_key(&key),
            access_key_id: key,
            region,
        }
    }
}

/// The first run of 12 consecutive ASCII digits in `key`, else [`DEFAULT_ACCOUNT`].
pub fn account_from_access_key(key: &str) -> String {
    let bytes = key.as_bytes();
    let mut run = 0;
    for (i, b) in bytes.iter().enumerate() {
        if b.is_ascii_digit() {
            run += 1;
            if run == 12 {
                return key[i + 1 - 12..=i].to_owned();
            }
        } else {
            run = 0;
        }
    }
    DEFAULT_ACCOUNT.to_owned()
}

/// An API error in the Direct Connect JSON 1.1 shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// The `__type` / `x-amzn-ErrorType` code.
    pub code: &'static str,
    /// Human-readable message.
    pub message: String,
}

impl ApiError {
    /// `DirectConnectClientException` (400): the request breaks a rule.
    pub fn client(message: impl Into<String>) -> ApiError {
        ApiError {
            status: 400,
            code: "DirectConnectClientException",
            message: message.into(),
        }
    }
    /// `DirectConnectServerException` (500).
    pub fn server(message: impl Into<String>) -> ApiError {
        ApiError {
            status: 500,
            code: "DirectConnectServerException",
            message: message.into(),
        }
    }
    /// `ThrottlingException` (400).
    pub fn throttling() -> ApiError {
        ApiError {
            status: 400,
            code: "ThrottlingException",
            message: "Rate exceeded".into(),
        }
    }
    /// `AccessDeniedException` (403).
    pub fn access_denied(operation: &str) -> ApiError {
        ApiError {
            status: 403,
            code: "AccessDeniedException",
            message: format!("User is not authorized to perform: directconnect:{operation}"),
        }
    }
    /// `UnknownOperationException` (400).
    pub fn unknown_operation(operation: &str) -> ApiError {
        ApiError {
            status: 400,
            code: "UnknownOperationException",
            message: format!("The simulator does not support operation {operation:?}"),
        }
    }
    /// `SerializationException` (400): the body is not a JSON object.
    pub fn serialization(message: impl Into<String>) -> ApiError {
        ApiError {
            status: 400,
            code: "SerializationException",
            message: message.into(),
        }
    }

    /// The JSON 1.1 body: `{"__type": code, "message": ...}`.
    pub fn json_body(&self) -> Vec<u8> {
        serde_json::json!({"__type": self.code, "message": self.message})
            .to_string()
            .into_bytes()
    }
}

/// The Direct Connect operation named by an `X-Amz-Target` value, if well formed.
pub fn dx_operation(target: &str) -> Option<&str> {
    target
        .strip_prefix(TARGET_PREFIX)
        .filter(|op| !op.is_empty())
}

/// Decodes an `application/x-www-form-urlencoded` body (STS query protocol).
pub fn parse_form(body: &[u8]) -> HashMap<String, String> {
    form_urlencoded::parse(body).into_owned().collect()
}

pub use crate::markup::escape as xml_escape;

const STS_NS: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

/// An STS error (`ErrorResponse` XML).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StsError {
    /// HTTP status.
    pub status: u16,
    /// Error code, e.g. `AccessDenied`.
    pub code: &'static str,
    /// Human-readable message.
    pub message: String,
}

impl StsError {
    /// The `ErrorResponse` document.
    pub fn xml_body(&self, request_id: &str) -> String {
        let kind = if self.status >= 500 {
            "Receiver"
        } else {
            "Sender"
        };
        format!(
            "<ErrorResponse xmlns=\"{STS_NS}\"><Error><Type>{kind}</Type><Code>{}</Code><Message>{}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>",
            self.code,
            xml_escape(&self.message)
        )
    }
}

/// `GetCallerIdentityResponse` XML.
pub fn caller_identity_xml(arn: &str, user_id: &str, account: &str, request_id: &str) -> String {
    format!(
        "<GetCallerIdentityResponse xmlns=\"{STS_NS}\"><GetCallerIdentityResult><Arn>{}</Arn><UserId>{}</UserId><Account>{}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></GetCallerIdentityResponse>",
        xml_escape(arn),
        xml_escape(user_id),
        xml_escape(account)
    )
}

/// Temporary credentials returned by AssumeRole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssumedRole {
    /// `ASIA<account><suffix>`.
    pub access_key_id: String,
    /// Secret access key.
    pub secret_access_key: String,
    /// Session token.
    pub session_token: String,
    /// Expiration, RFC 3339.
    pub expiration: String,
    /// `AROA...:<session name>`.
    pub assumed_role_id: String,
    /// `arn:aws:sts::<account>:assumed-role/<role>/<session>`.
    pub arn: String,
}

/// `AssumeRoleResponse` XML.
pub fn assume_role_xml(role: &AssumedRole, request_id: &str) -> String {
    format!(
        "<AssumeRoleResponse xmlns=\"{STS_NS}\"><AssumeRoleResult><Credentials><AccessKeyId>{}</AccessKeyId><SecretAccessKey>{}</SecretAccessKey><SessionToken>{}</SessionToken><Expiration>{}</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>{}</AssumedRoleId><Arn>{}</Arn></AssumedRoleUser><PackedPolicySize>6</PackedPolicySize></AssumeRoleResult><ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></AssumeRoleResponse>",
        xml_escape(&role.access_key_id),
        xml_escape(&role.secret_access_key),
        xml_escape(&role.session_token),
        xml_escape(&role.expiration),
        xml_escape(&role.assumed_role_id),
        xml_escape(&role.arn)
    )
}

pub use crate::timefmt::rfc3339;

/// A random id such as a request id (UUID v4 shape).
pub fn request_id() -> String {
    let a: u128 = rand::random();
    let h = format!("{a:032x}");
    format!(
        "{}-{}-4{}-8{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

/// `n` random characters from `[a-z0-9]` (resource id suffixes).
pub fn random_suffix(n: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    (0..n)
        .map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// `n` random characters from `[A-Z]` (access key suffixes that add no digits).
pub fn random_upper(n: usize) -> String {
    (0..n)
        .map(|_| (b'A' + rand::random_range(0..26u8)) as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_account_is_the_first_run_of_twelve_digits() {
        assert_eq!(
            account_from_access_key("AKIA111111111111SIM"),
            "111111111111"
        );
        assert_eq!(
            account_from_access_key("ASIA222222222222ABCD"),
            "222222222222"
        );
        assert_eq!(
            account_from_access_key("AKIA12X3456789012345"),
            "345678901234"
        );
        assert_eq!(account_from_access_key("AKIAEXAMPLE"), DEFAULT_ACCOUNT);
    }

    #[test]
    fn the_region_comes_from_the_credential_scope() {
        let c = Caller::from_authorization(Some(
            "AWS4-HMAC-SHA256 Credential=AKIA222222222222X/20261125/eu-west-1/directconnect/aws4_request, SignedHeaders=host, Signature=abc",
        ));
        assert_eq!(c.account, "222222222222");
        assert_eq!(c.region, "eu-west-1");
        assert_eq!(c.access_key_id, "AKIA222222222222X");
        let none = Caller::from_authorization(None);
        assert_eq!(
            (none.account.as_str(), none.region.as_str()),
            (DEFAULT_ACCOUNT, DEFAULT_REGION)
        );
    }

    #[test]
    fn targets_name_direct_connect_operations() {
        assert_eq!(
            dx_operation("OvertureService.DescribeLags"),
            Some("DescribeLags")
        );
        assert_eq!(dx_operation("OvertureService."), None);
        assert_eq!(dx_operation("Other.DescribeLags"), None);
    }

    #[test]
    fn error_bodies_have_the_real_shapes() {
        let body = ApiError::client("nope").json_body();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["__type"], "DirectConnectClientException");
        let xml = StsError {
            status: 403,
            code: "AccessDenied",
            message: "a<b".into(),
        }
        .xml_body("r1");
        assert!(xml.contains("<Code>AccessDenied</Code>") && xml.contains("a&lt;b"));
    }
}
