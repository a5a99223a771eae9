//! Who is calling: the account and region a request's SigV4 `Authorization` header names.

/// Account used when the access key id carries no 12-digit run.
pub const DEFAULT_ACCOUNT: &str = "111111111111";
/// Region used when a request carries no SigV4 credential scope.
pub const DEFAULT_REGION: &str = "us-east-1";

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
}
