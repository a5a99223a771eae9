//! STS: who the caller is, and AssumeRole into another account with temporary credentials whose key id selects that account.

use std::time::{Duration, SystemTime};

use serde_json::{Value, json};

use super::{State, random_lower, random_upper};
use crate::simulator::protocol::{ApiError, Caller, OpResult};
use crate::timefmt::rfc3339;

/// Temporary credentials remembered for GetCallerIdentity (forgotten all at once when
/// full, so memory stays bounded).
const ISSUED_KEYS_CAPACITY: usize = 10_000;
/// Lifetime of AssumeRole credentials when the call names none, in seconds.
const DEFAULT_SESSION_SECONDS: u64 = 3600;

/// Who a set of credentials belongs to, as GetCallerIdentity reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Identity {
    /// The user or assumed-role ARN.
    pub arn: String,
    /// The user id, or `<role id>:<session name>` for an assumed role.
    pub user_id: String,
}

impl State {
    /// GetCallerIdentity: the assumed role for credentials AssumeRole issued, else a
    /// simulator user in the caller's account.
    pub(crate) fn caller_identity(&self, caller: &Caller) -> Value {
        let Identity { arn, user_id } = self
            .issued
            .get(&caller.access_key_id)
            .cloned()
            .unwrap_or_else(|| Identity {
                arn: format!("arn:aws:iam::{}:user/simulator", caller.account),
                user_id: format!("AIDA{}SIMULATOR", caller.account),
            });
        json!({"Arn": arn, "UserId": user_id, "Account": caller.account})
    }

    /// AssumeRole into the account of `RoleArn`, unless that account denies it; the
    /// credentials' key id carries the account id.
    pub(crate) fn assume_role(&mut self, caller: &Caller, input: &Value) -> OpResult {
        let param = |name: &str| input.get(name).and_then(Value::as_str);
        let role_arn =
            param("RoleArn").ok_or_else(|| ApiError::validation("RoleArn is required"))?;
        let session = param("RoleSessionName")
            .filter(|s| !s.is_empty())
            .ok_or_else(|| ApiError::validation("RoleSessionName is required"))?;
        let (account, role_name) = parse_role_arn(role_arn)
            .ok_or_else(|| ApiError::validation(format!("{role_arn} is not a valid role ARN")))?;
        if self
            .accounts
            .get(account)
            .is_some_and(|a| a.deny_assume_role)
        {
            return Err(ApiError::new(
                403,
                "AccessDenied",
                format!(
                    "User: arn:aws:iam::{}:user/simulator is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
                    caller.account
                ),
            ));
        }
        let seconds: u64 = match param("DurationSeconds") {
            None => DEFAULT_SESSION_SECONDS,
            Some(s) => s
                .parse()
                .ok()
                .filter(|d| (900..=43_200).contains(d))
                .ok_or_else(|| {
                    ApiError::validation(format!("DurationSeconds {s} must be 900..=43200"))
                })?,
        };
        let role_id = format!("AROA{account}{}", random_upper(6));
        let access_key_id = format!("ASIA{account}{}", random_upper(4));
        let identity = Identity {
            arn: format!("arn:aws:sts::{account}:assumed-role/{role_name}/{session}"),
            user_id: format!("{role_id}:{session}"),
        };
        let output = json!({
            "Credentials": {
                "AccessKeyId": access_key_id,
                "SecretAccessKey": random_lower(40),
                "SessionToken": format!("FwoGZXIvYXdzE{}", random_lower(120)),
                "Expiration": rfc3339(SystemTime::now() + Duration::from_secs(seconds)),
            },
            "AssumedRoleUser": {"AssumedRoleId": identity.user_id, "Arn": identity.arn},
            "PackedPolicySize": 6,
        });
        if self.issued.len() >= ISSUED_KEYS_CAPACITY {
            self.issued.clear();
        }
        self.issued.insert(access_key_id, identity);
        Ok(output)
    }
}

/// The account and role name of `arn:aws:iam::<12 digits>:role/<path/>name`.
fn parse_role_arn(arn: &str) -> Option<(&str, &str)> {
    let parts: Vec<&str> = arn.split(':').collect();
    match parts.as_slice() {
        ["arn", _, "iam", "", account, resource]
            if account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()) =>
        {
            let role = resource.strip_prefix("role/")?;
            Some((account, role.rsplit('/').next().unwrap_or_default()))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arns_name_an_account_and_a_role_after_its_path() {
        assert_eq!(
            parse_role_arn("arn:aws:iam::222222222222:role/dx-read"),
            Some(("222222222222", "dx-read"))
        );
        assert_eq!(
            parse_role_arn("arn:aws:iam::222222222222:role/team/dx-read"),
            Some(("222222222222", "dx-read"))
        );
        assert_eq!(parse_role_arn("arn:aws:iam::2222:role/x"), None);
        assert_eq!(parse_role_arn("arn:aws:iam::222222222222:user/x"), None);
    }
}
