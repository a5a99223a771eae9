//! The AWS side of the port: which service and operation a request names, the path every call takes (faults, operation, request log, delay), and one table of operations per service.
//!
//! Operations take a JSON object and return one, whatever the wire: a protocol module
//! only decodes the request into that object and encodes the [`Outcome`]. Today:
//! - Direct Connect over AWS JSON 1.1 (`json.rs`): `POST /` with
//!   `X-Amz-Target: OvertureService.<Operation>`, operations in [`direct_connect`];
//! - STS over the AWS query protocol (`query.rs`): `POST /` with a form body naming the
//!   `Action`, XML answers, actions in [`sts`];
//! - Smithy RPC v2 CBOR (`cbor.rs`): `POST /service/<Service>/operation/<Operation>`,
//!   for the services [`Service::from_smithy_name`] knows, each with its own table
//!   (CloudWatch: [`cloudwatch`], AWS Health: [`health`]).
//!
//! A new Direct Connect operation is one line in [`direct_connect`] and its handler in
//! `state/`. A new service over CBOR (e.g. AWS Health, `AWSHealth_20160804`) is a
//! [`Service`] variant, its Smithy shape name in [`Service::from_smithy_name`], its
//! namespace and query compatibility beside it, a table like [`cloudwatch`] that
//! [`cbor_operation`] dispatches to, and its error answers in
//! [`crate::simulator::faults`]. A new wire protocol is a codec module beside `json.rs`
//! and a branch in [`answer`] that recognises its requests.

mod caller;
pub(crate) mod cbor;
mod json;
mod query;

use std::sync::Mutex;

use hyper::Method;
use hyper::header::AUTHORIZATION;
use hyper::http::request::Parts;
use serde_json::Value;

pub(crate) use caller::Caller;

use super::server::Reply;
use super::state::{self, State, VifType};

/// An API the simulator answers; each speaks one wire protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Service {
    /// Direct Connect, over AWS JSON 1.1.
    DirectConnect,
    /// STS, over the AWS query protocol.
    Sts,
    /// CloudWatch (`GraniteServiceVersion20100801`), over Smithy RPC v2 CBOR.
    CloudWatch,
    /// AWS Health (`AWSHealth_20160804`), over Smithy RPC v2 CBOR.
    Health,
}

impl Service {
    /// The service a Smithy RPC v2 CBOR route names by its service shape name.
    pub(crate) fn from_smithy_name(name: &str) -> Option<Service> {
        match name {
            "GraniteServiceVersion20100801" => Some(Service::CloudWatch),
            "AWSHealth_20160804" => Some(Service::Health),
            _ => None,
        }
    }

    /// The Smithy namespace of the service's shapes: the prefix of `__type` in CBOR errors.
    pub(crate) fn smithy_namespace(self) -> &'static str {
        match self {
            Service::DirectConnect => "com.amazonaws.directconnect",
            Service::Sts => "com.amazonaws.sts",
            Service::CloudWatch => "com.amazonaws.cloudwatch",
            Service::Health => "com.amazonaws.health",
        }
    }

    /// Whether the service was an AWS query service and so, over CBOR, also names its
    /// errors' query codes in `x-amzn-query-error` (the `awsQueryCompatible` trait).
    pub(crate) fn query_compatible(self) -> bool {
        matches!(self, Service::CloudWatch)
    }
}

/// One API call as faults and the request log see it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Call<'a> {
    /// The API called.
    pub service: Service,
    /// The operation (or, for an ill-formed `X-Amz-Target`, the header's whole value).
    pub operation: &'a str,
    /// Who calls, and in which region.
    pub caller: &'a Caller,
}

/// A service error; each protocol puts it in its own shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// Error code (`__type` in JSON 1.1, `<Code>` in query XML).
    pub code: &'static str,
    /// Human-readable message.
    pub message: String,
}

impl ApiError {
    /// An error with this status, code and message.
    pub(crate) fn new(status: u16, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    /// `DirectConnectClientException` (400): the request breaks a Direct Connect rule.
    pub(crate) fn client(message: impl Into<String>) -> ApiError {
        ApiError::new(400, "DirectConnectClientException", message)
    }

    /// `UnknownOperationException` (400).
    pub(crate) fn unknown_operation(operation: &str) -> ApiError {
        ApiError::new(
            400,
            "UnknownOperationException",
            format!("The simulator does not support operation {operation:?}"),
        )
    }

    /// `SerializationException` (400): the body is not the operation's input.
    pub(crate) fn serialization(message: impl Into<String>) -> ApiError {
        ApiError::new(400, "SerializationException", message)
    }

    /// `ValidationError` (400): an STS parameter is missing or malformed.
    pub(crate) fn validation(message: impl Into<String>) -> ApiError {
        ApiError::new(400, "ValidationError", message)
    }
}

/// What an operation returns: its output object, or the service error.
pub(crate) type OpResult = Result<Value, ApiError>;

/// What one API call produced, before its protocol puts it on the wire.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Outcome {
    /// Success (200) with the operation's output.
    Ok(Value),
    /// The service error, in the protocol's error shape.
    Error(ApiError),
    /// 200 with this cut-off body (the `malformed` fault).
    Truncated(&'static str),
    /// The connection is closed without an answer (the `reset` fault).
    Reset,
}

impl Outcome {
    /// HTTP status for the request log; 0 for a reset connection.
    fn status(&self) -> u16 {
        match self {
            Outcome::Ok(_) | Outcome::Truncated(_) => 200,
            Outcome::Error(e) => e.status,
            Outcome::Reset => 0,
        }
    }

    /// Error code for the request log.
    fn error_code(&self) -> Option<&'static str> {
        match self {
            Outcome::Ok(_) | Outcome::Truncated(_) => None,
            Outcome::Error(e) => Some(e.code),
            Outcome::Reset => Some("reset"),
        }
    }
}

impl From<OpResult> for Outcome {
    fn from(result: OpResult) -> Outcome {
        match result {
            Ok(v) => Outcome::Ok(v),
            Err(e) => Outcome::Error(e),
        }
    }
}

/// Why the server could not read a request body; answered in the Direct Connect error
/// shape whatever the path, since the body is read before routing.
#[derive(Debug)]
pub(crate) enum BodyError {
    /// Larger than this many bytes (413).
    TooLarge(usize),
    /// Not all there within this time (408).
    TimedOut(std::time::Duration),
    /// The client stopped sending (400).
    Broken(String),
}

/// The answer to a request whose body could not be read.
pub(crate) fn unreadable_body(error: BodyError, request_id: &str) -> Reply {
    let err = match error {
        BodyError::TooLarge(limit) => ApiError::new(
            413,
            "SerializationException",
            format!("request body exceeds {limit} bytes"),
        ),
        BodyError::TimedOut(limit) => ApiError::new(
            408,
            "RequestTimeoutException",
            format!("request body not received within {limit:?}"),
        ),
        BodyError::Broken(e) => ApiError::serialization(format!("cannot read request body: {e}")),
    };
    json::reply(Outcome::Error(err), request_id)
}

/// Answers one AWS API request (anything outside `/_sim/`).
pub(crate) async fn answer(
    state: &Mutex<State>,
    head: &Parts,
    body: &[u8],
    request_id: &str,
) -> Reply {
    if head.method != Method::POST {
        return json::method_not_allowed(&head.method, head.uri.path(), request_id);
    }
    let header = |name: &str| head.headers.get(name).and_then(|v| v.to_str().ok());
    let caller = Caller::from_authorization(header(AUTHORIZATION.as_str()));
    if let Some((service, operation)) = cbor::route(head.uri.path()) {
        let protocol = header(cbor::PROTOCOL_HEADER);
        return answer_cbor(
            state,
            (service, operation),
            protocol,
            body,
            &caller,
            request_id,
        )
        .await;
    }
    if let Some(target) = header(json::TARGET_HEADER) {
        let call = Call {
            service: Service::DirectConnect,
            operation: json::operation(target).unwrap_or(target),
            caller: &caller,
        };
        let outcome = run(state, call, |st| match json::operation(target) {
            None => Outcome::Error(ApiError::unknown_operation(target)),
            Some(op) => json::input(body)
                .and_then(|input| direct_connect(st, &caller, op, &input))
                .into(),
        })
        .await;
        return json::reply(outcome, request_id);
    }
    let input = query::input(body);
    if let Some(action) = input.get("Action").and_then(Value::as_str) {
        let call = Call {
            service: Service::Sts,
            operation: action,
            caller: &caller,
        };
        let outcome = run(state, call, |st| sts(st, &caller, action, &input).into()).await;
        return query::reply(action, outcome, request_id);
    }
    let err = ApiError::unknown_operation("(missing X-Amz-Target header and STS Action)");
    state::lock(state).record("unknown", &caller, err.status, Some(err.code));
    json::reply(Outcome::Error(err), request_id)
}

/// Answers a Smithy RPC v2 CBOR request to `operation` of the service shape `service`,
/// whose `smithy-protocol` header is `protocol`.
async fn answer_cbor(
    state: &Mutex<State>,
    (service, operation): (&str, &str),
    protocol: Option<&str>,
    body: &[u8],
    caller: &Caller,
    request_id: &str,
) -> Reply {
    let Some(known) = Service::from_smithy_name(service) else {
        let err = ApiError::new(
            404,
            "UnknownOperationException",
            format!("The simulator does not serve service {service:?} over CBOR"),
        );
        state::lock(state).record(operation, caller, err.status, Some(err.code));
        return cbor::reply(None, Outcome::Error(err), request_id);
    };
    let call = Call {
        service: known,
        operation,
        caller,
    };
    let outcome = run(state, call, |st| {
        if protocol != Some(cbor::PROTOCOL) {
            return Outcome::Error(ApiError::serialization(format!(
                "missing header {}: {}",
                cbor::PROTOCOL_HEADER,
                cbor::PROTOCOL
            )));
        }
        cbor::input(body)
            .and_then(|input| cbor_operation(st, known, caller, operation, &input))
            .into()
    })
    .await;
    cbor::reply(Some(known), outcome, request_id)
}

/// The path of every API call: due changes applied and faults taken, the operation run
/// unless a fault answers instead, the call logged, all under one short lock; then the
/// faults' delay waited out with the lock released.
async fn run(
    state: &Mutex<State>,
    call: Call<'_>,
    operation: impl FnOnce(&mut State) -> Outcome,
) -> Outcome {
    let (latency, outcome) = {
        let mut st = state::lock(state);
        let effect = st.take_faults(&call);
        let outcome = match effect
            .kind
            .and_then(|kind| kind.outcome(call.service, call.operation))
        {
            Some(fault) => fault,
            None => operation(&mut st),
        };
        st.record(
            call.operation,
            call.caller,
            outcome.status(),
            outcome.error_code(),
        );
        (effect.latency, outcome)
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    outcome
}

/// Every Direct Connect operation the simulator answers, by name.
fn direct_connect(st: &mut State, caller: &Caller, operation: &str, input: &Value) -> OpResult {
    let capped = st.capped_page_input(input);
    let input = capped.as_ref().unwrap_or(input);
    match operation {
        "DescribeVirtualInterfaces" => st.describe_vifs(caller, input),
        "DescribeConnections" => st.describe_connections(caller, input),
        "DescribeLags" => st.describe_lags(caller, input),
        "DescribeDirectConnectGateways" => st.describe_gateways(caller, input),
        "DescribeDirectConnectGatewayAttachments" => st.describe_attachments(caller, input),
        "DescribeDirectConnectGatewayAssociations" => st.describe_associations(caller, input),
        "ListVirtualInterfaceRoutes" => st.list_routes(caller, input),
        "ListVirtualInterfaceTestHistory" => st.list_test_history(caller, input),
        "CreateBGPPeer" => st.create_bgp_peer(caller, input),
        "DeleteBGPPeer" => st.delete_bgp_peer(caller, input),
        "AllocatePrivateVirtualInterface" => st.allocate_vif(caller, input, VifType::Private),
        "AllocatePublicVirtualInterface" => st.allocate_vif(caller, input, VifType::Public),
        "CreatePrivateVirtualInterface" => st.create_vif(caller, input, VifType::Private),
        "CreatePublicVirtualInterface" => st.create_vif(caller, input, VifType::Public),
        "ConfirmPrivateVirtualInterface" => st.confirm_vif(caller, input, VifType::Private),
        "ConfirmPublicVirtualInterface" => st.confirm_vif(caller, input, VifType::Public),
        "DeleteVirtualInterface" => st.delete_vif(caller, input),
        other => Err(ApiError::unknown_operation(other)),
    }
}

/// Every operation the simulator answers over CBOR, by service.
fn cbor_operation(
    st: &mut State,
    service: Service,
    caller: &Caller,
    operation: &str,
    input: &Value,
) -> OpResult {
    match service {
        Service::CloudWatch => cloudwatch(st, caller, operation, input),
        Service::Health => health(st, caller, operation, input),
        Service::DirectConnect | Service::Sts => Err(ApiError::unknown_operation(operation)),
    }
}

/// Every CloudWatch operation the simulator answers, by name.
fn cloudwatch(st: &mut State, caller: &Caller, operation: &str, input: &Value) -> OpResult {
    match operation {
        "GetMetricData" => st.get_metric_data(caller, input),
        other => Err(ApiError::unknown_operation(other)),
    }
}

/// Every AWS Health operation the simulator answers, by name.
fn health(st: &mut State, caller: &Caller, operation: &str, input: &Value) -> OpResult {
    match operation {
        "DescribeEvents" => st.describe_health_events(caller, input),
        "DescribeAffectedEntities" => st.describe_affected_entities(caller, input),
        other => Err(ApiError::unknown_operation(other)),
    }
}

/// Every STS action the simulator answers, by name.
fn sts(st: &mut State, caller: &Caller, action: &str, input: &Value) -> OpResult {
    match action {
        "GetCallerIdentity" => Ok(st.caller_identity(caller)),
        "AssumeRole" => st.assume_role(caller, input),
        other => Err(ApiError::new(
            400,
            "InvalidAction",
            format!("The simulator does not support STS action {other:?}"),
        )),
    }
}

/// A random request id in the UUID v4 shape.
pub(crate) fn request_id() -> String {
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
