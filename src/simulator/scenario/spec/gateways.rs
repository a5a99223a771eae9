//! Direct Connect gateways and their associations (global per account) as a scenario declares them.

use serde::{Deserialize, Serialize};

/// A Direct Connect gateway (global per account).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GatewaySpec {
    /// UUID-style id.
    pub id: String,
    /// directConnectGatewayName
    pub name: String,
    /// amazonSideAsn
    pub amazon_side_asn: u64,
    /// directConnectGatewayState (any string)
    pub state: String,
    /// Owner (filled from the account).
    pub owner_account: String,
}

impl Default for GatewaySpec {
    fn default() -> Self {
        GatewaySpec {
            id: String::new(),
            name: String::new(),
            amazon_side_asn: 64512,
            state: "available".into(),
            owner_account: String::new(),
        }
    }
}

/// The gateway on the other side of an association.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AssociatedGatewaySpec {
    /// `vgw-...` or `tgw-...`
    pub id: String,
    /// virtualPrivateGateway | transitGateway
    #[serde(rename = "type")]
    pub gateway_type: String,
    /// Owner; the association's account when empty.
    pub owner_account: String,
    /// Region of the associated gateway.
    pub region: String,
}

/// A gateway association.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AssociationSpec {
    /// associationId
    pub id: String,
    /// directConnectGatewayId
    pub gateway_id: String,
    /// associationState (any string)
    pub state: String,
    /// The associated virtual private or transit gateway.
    pub associated_gateway: AssociatedGatewaySpec,
    /// allowedPrefixesToDirectConnectGateway
    pub allowed_prefixes: Vec<String>,
    /// stateChangeError: why the last state change failed.
    pub state_change_error: Option<String>,
    /// directConnectGatewayOwnerAccount (filled from the account).
    pub gateway_owner_account: String,
}

impl Default for AssociationSpec {
    fn default() -> Self {
        AssociationSpec {
            id: String::new(),
            gateway_id: String::new(),
            state: "associated".into(),
            associated_gateway: AssociatedGatewaySpec::default(),
            allowed_prefixes: Vec::new(),
            state_change_error: None,
            gateway_owner_account: String::new(),
        }
    }
}
