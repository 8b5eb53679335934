//! `webwx-sim`: the simulator as a program. Prints `listening on http://127.0.0.1:PORT` as its
//! first line and serves until killed.

use clap::Parser;
use std::io::Write;
use webwx_sim::{Scenario, Simulator};

/// A fake Web WeChat server on loopback. By default its phone scans and confirms every QR code
/// after a short delay, so any client can log in unattended.
#[derive(Parser, Debug)]
#[command(name = "webwx-sim", version)]
struct Args {
    /// The port (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Friends of each account (overrides the scenario).
    #[arg(long)]
    contacts: Option<usize>,
    /// Messages each account receives after login (overrides the scenario).
    #[arg(long)]
    messages: Option<usize>,
    /// A scenario file (JSON; see fixtures/scenarios/).
    #[arg(long)]
    scenario: Option<std::path::PathBuf>,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let mut scenario = match &args.scenario {
        Some(path) => Scenario::from_json(&std::fs::read_to_string(path)?)?,
        None => Scenario::default(),
    };
    if let Some(n) = args.contacts {
        scenario.contacts.friends = n;
    }
    if let Some(n) = args.messages {
        scenario.messages.count = n;
    }
    let sim = Simulator::start_on(scenario, args.port).await?;
    let mut out = std::io::stdout();
    writeln!(out, "listening on {}", sim.base_url())?;
    out.flush()?;
    tokio::signal::ctrl_c().await?;
    Ok(())
}
