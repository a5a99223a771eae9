//! Prometheus exporter and alerting sidecar for AWS Direct Connect.
#![forbid(unsafe_code)]

pub mod duration;
pub mod simulator;
