//! Prints a generated fleet (`Scenario::generate`) as simulator scenario YAML on stdout.
//!
//! ```sh
//! cargo run --example fleet-scenario -- --vifs 2000 --peers 2 > fleet.yaml
//! directconnect-exporter --simulator.only --simulator.scenario fleet.yaml \
//!   --simulator.listen-address 127.0.0.1:9999
//! ```
//!
//! For benchmarks against the standalone simulator (`scripts/bench-scrape`): the same
//! fleets the in-process benches build, as a file any process can load.

use std::io::{self, Write as _};
use std::process::ExitCode;

use clap::Parser;
use directconnect_exporter::simulator::{GenerateSpec, Scenario};

/// Prints a generated Direct Connect fleet as simulator scenario YAML.
#[derive(Debug, Parser)]
struct Args {
    /// Virtual interfaces per region.
    #[arg(long, default_value_t = 2000)]
    vifs: usize,
    /// Regions (1..=20), taken in order from the generator's fixed list.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=20))]
    regions: u8,
    /// BGP peers per VIF: 1 (IPv4) or 2 (IPv4 + IPv6).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u8).range(1..=2))]
    peers: u8,
    /// Connections per region that the VIFs are spread over.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..))]
    connections: u16,
    /// One Direct Connect gateway per region instead of one for the whole account.
    #[arg(long)]
    gateway_per_region: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let scenario = Scenario::generate(&GenerateSpec {
        regions: args.regions.into(),
        vifs_per_region: args.vifs,
        peers_per_vif: args.peers.into(),
        connections_per_region: args.connections.into(),
        gateway_per_region: args.gateway_per_region,
        ..GenerateSpec::default()
    });
    let yaml = match serde_yaml_ng::to_string(&scenario) {
        Ok(yaml) => yaml,
        Err(e) => {
            eprintln!("fleet-scenario: cannot serialize the scenario: {e}");
            return ExitCode::FAILURE;
        }
    };
    // A closed pipe (`| head`) is not an error worth a panic.
    match io::stdout().lock().write_all(yaml.as_bytes()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fleet-scenario: {e}");
            ExitCode::FAILURE
        }
    }
}
