//! The baseline of the memory measurement, in a process of its own: what `webwx-hyper`'s
//! transport alone (hyper's pooled HTTP/1.1 client) holds for N requests kept open by the
//! simulator (`/__sim/hold/<ms>`), with no session, no core and no driver. Every idle session
//! holds one such request (its synccheck), so this is the floor under the memory of an idle
//! session with this transport.
//!
//! Then, with those still held, the CPU the transport alone spends on one request: requests
//! that the simulator answers at once (`/__sim/hold/0`), paced at the rate the load will need,
//! so a delivered message can be compared with the bare requests it costs at least.

use crate::procfs;
use bytes::Bytes;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use webwx_hyper::Transport;
use webwx_sim::LoadStatus;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn get(url: String) -> Result<http::Request<Bytes>, http::Error> {
    http::Request::get(url).body(Bytes::new())
}

/// What the baseline process measured.
#[derive(Debug)]
pub(crate) struct Floor {
    /// Resident memory per held request, in bytes.
    pub(crate) bytes_per_held_request: u64,
    /// CPU per bare request, in microseconds.
    pub(crate) cpu_us_per_request: f64,
}

/// Sends `rate` requests a second for `seconds` (each answered at once), waits for every
/// answer, and returns how many were answered.
async fn paced(transport: &Transport, base_url: &str, rate: u32, seconds: u64) -> u64 {
    let total = u64::from(rate) * seconds;
    let started = Instant::now();
    let mut ticks = tokio::time::interval(Duration::from_millis(1));
    let mut tasks = tokio::task::JoinSet::new();
    let mut sent = 0;
    while sent < total {
        ticks.tick().await;
        let due = (started.elapsed().as_micros() * u128::from(rate) / 1_000_000) as u64;
        while sent < due.min(total) {
            let (transport, url) = (transport.clone(), format!("{base_url}/__sim/hold/0"));
            tasks.spawn(async move {
                match get(url) {
                    Ok(r) => transport.execute(r, Duration::from_secs(30)).await.is_ok(),
                    Err(_) => false,
                }
            });
            sent += 1;
        }
    }
    let mut answered = 0;
    while let Some(done) = tasks.join_next().await {
        answered += u64::from(matches!(done, Ok(true)));
    }
    answered
}

/// The child's side: hold `n` requests, print the resident memory they cost in bytes, then the
/// CPU per bare request at `rate` per second, and exit.
pub(crate) fn measure(n: usize, base_url: &str, rate: u32, seconds: u64) -> Result<(), BoxError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let admin = Transport::new();
        let transport = Transport::new();
        // Warm up: TLS roots, the pool, the runtime's timers.
        transport
            .execute(get(format!("{base_url}/"))?, Duration::from_secs(10))
            .await?;
        let me = std::process::id();
        let before = procfs::rss_kib(me)?;
        for _ in 0..n {
            let (transport, url) = (transport.clone(), format!("{base_url}/__sim/hold/600000"));
            tokio::spawn(async move {
                if let Ok(request) = get(url) {
                    let _ = transport.execute(request, Duration::from_secs(700)).await;
                }
            });
        }
        let started = Instant::now();
        loop {
            let status = admin
                .execute(
                    get(format!("{base_url}/__sim/load"))?,
                    Duration::from_secs(10),
                )
                .await?;
            let status: LoadStatus = serde_json::from_slice(status.body())?;
            if status.long_polls >= n {
                break;
            }
            if started.elapsed() > Duration::from_secs(120) {
                return Err("the held requests did not all arrive".into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
        let after = procfs::rss_kib(me)?;
        println!("{}", after.saturating_sub(before) * 1024 / n.max(1) as u64);
        // Warm the pool up for the paced requests, then measure.
        paced(&transport, base_url, rate, 1).await;
        let cpu_before = procfs::cpu_ms(me)?;
        let answered = paced(&transport, base_url, rate, seconds.max(1)).await;
        let cpu = procfs::cpu_ms(me)? - cpu_before;
        println!("{}", cpu as f64 * 1000.0 / answered.max(1) as f64);
        Ok::<(), BoxError>(())
    })?;
    // Leave at once: the held requests end with the process.
    std::process::exit(0)
}

/// The parent's side: runs the measurement in a child.
/// `message_rate` is the load's; the child paces its bare requests at twice that.
pub(crate) fn run(
    n: usize,
    base_url: &str,
    message_rate: u32,
    seconds: u64,
) -> Result<Floor, BoxError> {
    let out = Command::new(std::env::current_exe()?)
        .args(["--transport-floor", &n.to_string(), "--sim-url", base_url])
        .args(["--rate", &message_rate.to_string()])
        .args(["--baseline-seconds", &seconds.to_string()])
        .stderr(Stdio::inherit())
        .output()?;
    if !out.status.success() {
        return Err(format!("the baseline process failed: {}", out.status).into());
    }
    let out = String::from_utf8_lossy(&out.stdout);
    let mut lines = out.lines();
    let mut next = || lines.next().ok_or("the baseline process said too little");
    Ok(Floor {
        bytes_per_held_request: next()?.trim().parse()?,
        cpu_us_per_request: next()?.trim().parse()?,
    })
}
