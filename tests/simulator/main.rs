//! Black-box tests of the Direct Connect + STS simulator through the real AWS SDK clients, one module per surface.
//!
//! Every test starts its own simulator on 127.0.0.1:0, mostly with the bundled demo
//! fleet whose resources are named below.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/mod.rs"]
mod common;

mod cloudwatch;
mod control;
mod describe;
mod faults;
mod hardening;
mod paging;
mod rules;
mod scenario;
mod server;
mod sts;

use aws_sdk_directconnect as dx;
use aws_sdk_directconnect::error::SdkError;
use aws_sdk_directconnect::operation::allocate_private_virtual_interface::{
    AllocatePrivateVirtualInterfaceError, AllocatePrivateVirtualInterfaceOutput,
};
use aws_sdk_directconnect::operation::create_bgp_peer::{CreateBGPPeerError, CreateBgpPeerOutput};
use aws_sdk_directconnect::operation::create_private_virtual_interface::{
    CreatePrivateVirtualInterfaceError, CreatePrivateVirtualInterfaceOutput,
};
use aws_sdk_directconnect::operation::delete_virtual_interface::{
    DeleteVirtualInterfaceError, DeleteVirtualInterfaceOutput,
};
use aws_sdk_directconnect::types::builders::{
    NewBgpPeerBuilder, NewPrivateVirtualInterfaceBuilder,
};
use aws_sdk_directconnect::types::{
    AddressFamily, NewBgpPeer, NewPrivateVirtualInterface, VirtualInterfaceState,
};

use common::bounded;
use directconnect_exporter::simulator::{Scenario, SimulatorHandle};

/// The error code of every broken Direct Connect rule.
const CLIENT_ERROR: Option<&str> = Some("DirectConnectClientException");

/// The demo's second account, reached with its own keys or through AssumeRole.
const SECOND_ACCOUNT: &str = "222222222222";
/// Demo transit VIF (us-east-1) with IPv4 and IPv6 peers and a 4-byte ASN.
const TRANSIT_A: &str = "dxvif-ffhhk8ho";
/// Demo private VIF (us-east-1) on the LAG, whose IPv6 peer flaps.
const PRIVATE_VPC: &str = "dxvif-fg5xnjgk";
/// Demo public VIF (us-east-1).
const PUBLIC_VIF: &str = "dxvif-fgy8b9n8";
/// Demo public VIF in eu-west-1 with an IPv4 peer only.
const EU_PUBLIC_VIF: &str = "dxvif-fhq7p3zt";
/// Demo standalone connection (us-east-1).
const NYC_PRIMARY: &str = "dxcon-ffre0ec3";
/// Demo LAG (us-east-1) with two members.
const NYC_LAG: &str = "dxlag-ffrz71kw";
/// Demo Direct Connect gateway of the first account.
const CORE_GW: &str = "5f294f92-bafb-4011-916d-9b0bec0bd6ab";

/// The demo fleet on 127.0.0.1:0, and a Direct Connect client as its first account in
/// us-east-1.
async fn demo() -> (SimulatorHandle, dx::Client) {
    let h = common::start_simulator(Scenario::demo()).await;
    let c = common::sim_sdk(&h).direct_connect().await;
    (h, c)
}

/// The VIF `id` as DescribeVirtualInterfaces returns it.
async fn vif(c: &dx::Client, id: &str) -> dx::types::VirtualInterface {
    bounded(
        c.describe_virtual_interfaces()
            .virtual_interface_id(id)
            .send(),
    )
    .await
    .expect("describe vif")
    .virtual_interfaces()
    .first()
    .cloned()
    .expect("one vif")
}

/// The peer of `v` in address family `family`.
fn peer(v: &dx::types::VirtualInterface, family: &str) -> dx::types::BgpPeer {
    v.bgp_peers()
        .iter()
        .find(|p| p.address_family().map(|f| f.as_str()) == Some(family))
        .cloned()
        .expect("peer of that family")
}

/// A peer's `bgpStatus` as sent.
fn status(p: &dx::types::BgpPeer) -> &str {
    p.bgp_status().map(|s| s.as_str()).unwrap_or_default()
}

/// A VIF state as sent (`virtualInterfaceState`).
fn state(s: Option<&VirtualInterfaceState>) -> Option<&str> {
    s.map(VirtualInterfaceState::as_str)
}

/// A new private VIF `name` on `vlan` with customer ASN `asn`; add more and `build()`.
fn private_vif(name: &str, vlan: i32, asn: i32) -> NewPrivateVirtualInterfaceBuilder {
    NewPrivateVirtualInterface::builder()
        .virtual_interface_name(name)
        .vlan(vlan)
        .asn(asn)
}

/// A new BGP peer with customer ASN `asn` in `family`, addresses left to the service.
fn new_peer(asn: i32, family: AddressFamily) -> NewBgpPeerBuilder {
    NewBgpPeer::builder().asn(asn).address_family(family)
}

/// CreateBGPPeer on `vif`.
async fn create_peer(
    c: &dx::Client,
    vif: &str,
    peer: NewBgpPeerBuilder,
) -> Result<CreateBgpPeerOutput, SdkError<CreateBGPPeerError>> {
    bounded(
        c.create_bgp_peer()
            .virtual_interface_id(vif)
            .new_bgp_peer(peer.build())
            .send(),
    )
    .await
}

/// CreatePrivateVirtualInterface on `connection`.
async fn create_private_vif(
    c: &dx::Client,
    connection: &str,
    new: NewPrivateVirtualInterfaceBuilder,
) -> Result<CreatePrivateVirtualInterfaceOutput, SdkError<CreatePrivateVirtualInterfaceError>> {
    bounded(
        c.create_private_virtual_interface()
            .connection_id(connection)
            .new_private_virtual_interface(new.build().expect("name, vlan and asn are set"))
            .send(),
    )
    .await
}

/// A private VIF on the demo's NYC connection with one IPv4 peer.
async fn create_private(c: &dx::Client, vlan: i32) -> dx::types::VirtualInterface {
    let new = private_vif(&format!("test-{vlan}"), vlan, 65123).direct_connect_gateway_id(CORE_GW);
    let out = create_private_vif(c, NYC_PRIMARY, new)
        .await
        .expect("create private vif");
    vif(c, out.virtual_interface_id().unwrap()).await
}

/// AllocatePrivateVirtualInterface on the demo's NYC connection for account `owner`.
async fn allocate_private(
    c: &dx::Client,
    owner: &str,
    name: &str,
    vlan: i32,
    asn: i32,
) -> Result<AllocatePrivateVirtualInterfaceOutput, SdkError<AllocatePrivateVirtualInterfaceError>> {
    let new = dx::types::NewPrivateVirtualInterfaceAllocation::builder()
        .virtual_interface_name(name)
        .vlan(vlan)
        .asn(asn);
    bounded(
        c.allocate_private_virtual_interface()
            .connection_id(NYC_PRIMARY)
            .owner_account(owner)
            .new_private_virtual_interface_allocation(new.build().expect("name, vlan, asn"))
            .send(),
    )
    .await
}

/// STS AssumeRole of `role_arn` as session `session`.
async fn assume_role(
    sts: &aws_sdk_sts::Client,
    role_arn: &str,
    session: &str,
) -> Result<
    aws_sdk_sts::operation::assume_role::AssumeRoleOutput,
    aws_sdk_sts::error::SdkError<aws_sdk_sts::operation::assume_role::AssumeRoleError>,
> {
    let call = sts
        .assume_role()
        .role_arn(role_arn)
        .role_session_name(session);
    bounded(call.send()).await
}

/// DeleteVirtualInterface.
async fn delete_vif(
    c: &dx::Client,
    id: &str,
) -> Result<DeleteVirtualInterfaceOutput, SdkError<DeleteVirtualInterfaceError>> {
    bounded(c.delete_virtual_interface().virtual_interface_id(id).send()).await
}

/// Sends `request` exactly as written on a new connection and returns the status and
/// body of the first answer, read as far as its `Content-Length` (or the connection's
/// end). The server may answer before the request is complete.
async fn raw_http(addr: std::net::SocketAddr, request: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = bounded(tokio::net::TcpStream::connect(addr))
        .await
        .expect("connect");
    bounded(stream.write_all(request.as_bytes()))
        .await
        .expect("send");
    let mut answer = Vec::new();
    loop {
        let text = String::from_utf8_lossy(&answer).into_owned();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length = head
                .lines()
                .filter_map(|l| l.split_once(':'))
                .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
                .and_then(|(_, v)| v.trim().parse::<usize>().ok());
            if length.is_some_and(|n| body.len() >= n) {
                let status = head.split(' ').nth(1).and_then(|s| s.parse().ok());
                return (status.unwrap_or(0), body.to_owned());
            }
        }
        let mut chunk = [0u8; 16 * 1024];
        let n = bounded(stream.read(&mut chunk)).await.expect("read");
        if n == 0 {
            let status = text.split(' ').nth(1).and_then(|s| s.parse().ok());
            let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_owned());
            return (status.unwrap_or(0), body.unwrap_or_default());
        }
        answer.extend_from_slice(&chunk[..n]);
    }
}
