//! The scale benchmark: many sessions in one process.
//!
//! N sessions (default 10,000) log in through `webwx-hyper` against one simulator process on
//! loopback and long-poll; then the simulator delivers text messages at a fixed rate, spread over
//! every session, each stamped with the moment it was queued. It reports:
//!
//! - client memory per idle session (resident memory after every session is long-polling, minus
//!   resident memory before the first session, over N) and its peak (the login storm included);
//! - CPU per delivered message, client and simulator, beside the baseline of the same run: the CPU
//!   both burn over an idle window of the same sessions;
//! - delivery latency (queued in the simulator → `Event::Message` in the client) p50, p99, max;
//! - losses and duplicates (every load message must arrive exactly once).
//!
//! ```sh
//! ulimit -n 20000   # each process holds one socket per session
//! cargo run --release -p webwx-tests --bin scale -- --sessions 10000 --rate 1000 --seconds 30
//! ```
//!
//! Linux only (it reads `/proc`).

#![forbid(unsafe_code)]

mod fleet;
mod floor;
use webwx_tests::procfs;
mod sim_process;

use clap::Parser;
use sim_process::SimProcess;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use webwx_sim::LoadSpec;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Many webwx sessions in one process against one simulator process.
#[derive(Parser, Debug)]
#[command(name = "scale")]
struct Args {
    /// Sessions to log in.
    #[arg(long, default_value_t = 10_000)]
    sessions: usize,
    /// Messages per second the simulator delivers, over all sessions.
    #[arg(long, default_value_t = 1_000)]
    rate: u32,
    /// How long the simulator delivers messages.
    #[arg(long, default_value_t = 30)]
    seconds: u64,
    /// The idle window that gives the CPU baseline (longer than the synccheck hold, so every
    /// session re-polls in it; at least 1).
    #[arg(long, default_value_t = 30)]
    idle_seconds: u64,
    /// Sessions logging in at the same time.
    #[arg(long, default_value_t = 256)]
    concurrent_logins: usize,
    /// How long the simulator holds a synccheck with nothing new (the real server: ~25 s).
    #[arg(long, default_value_t = 25_000)]
    synccheck_hold_ms: u64,
    /// How long the baseline sends bare requests for its CPU figure.
    #[arg(long, default_value_t = 5)]
    baseline_seconds: u64,
    /// Runs as the simulator process (used by the benchmark itself).
    #[arg(long, hide = true)]
    serve_sim: bool,
    /// Runs as the baseline process: holds this many bare requests (used by the benchmark).
    #[arg(long, hide = true)]
    transport_floor: Option<usize>,
    /// The size of the answer that warms each connection of the baseline process up (0: cold).
    #[arg(long, hide = true, default_value_t = 0)]
    floor_warm_bytes: usize,
    /// The simulator of the baseline process.
    #[arg(long, hide = true, default_value = "")]
    sim_url: String,
}

fn main() -> Result<(), BoxError> {
    let args = Args::parse();
    if args.serve_sim {
        return sim_process::serve(args.synccheck_hold_ms);
    }
    if let Some(n) = args.transport_floor {
        return floor::measure(
            n,
            &args.sim_url,
            args.floor_warm_bytes,
            args.rate.saturating_mul(2),
            args.baseline_seconds,
        );
    }
    let needed = args.sessions as u64 + 512;
    let limit = procfs::open_file_limit()?;
    if limit < needed {
        return Err(format!(
            "the open-file limit is {limit}; {} sessions need about {needed} in each process: \
             raise it first (`ulimit -n {needed}`)",
            args.sessions
        )
        .into());
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(bench(args))
}

/// Polls `check` every 100 ms until it holds, or fails after `limit` with `what`.
async fn wait_for(
    limit: Duration,
    what: &str,
    mut check: impl AsyncFnMut() -> Result<bool, BoxError>,
) -> Result<Duration, BoxError> {
    let started = Instant::now();
    loop {
        if check().await? {
            return Ok(started.elapsed());
        }
        if started.elapsed() > limit {
            return Err(format!("{what}: not within {limit:?}").into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn kib(bytes_kib: u64, n: usize) -> f64 {
    bytes_kib as f64 / n.max(1) as f64
}

fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted
        .get(rank.clamp(1, sorted.len()) - 1)
        .copied()
        .unwrap_or(0)
}

async fn bench(args: Args) -> Result<(), BoxError> {
    let me = std::process::id();
    let sim = SimProcess::spawn(args.synccheck_hold_ms)?;
    let n = args.sessions;
    eprintln!("simulator at {} (pid {})", sim.base_url, sim.pid());

    // The baseline: the transport alone, holding one request per session.
    // A delivered message costs the client at least two requests (the synccheck it answers and
    // the webwxsync that fetches it), so the bare requests are paced at twice the message rate.
    let floor = floor::run(n, &sim.base_url, args.rate, args.baseline_seconds)?;
    eprintln!("baseline: {floor:?}");

    // Memory before the first session: the runtime, the transport, the program.
    let transport = webwx_hyper::Transport::new();
    let rss_before = procfs::rss_kib(me)?;

    // The login storm.
    let started = Instant::now();
    let stats = fleet::start(&sim.base_url, n, args.concurrent_logins, &transport);
    let login_limit = Duration::from_secs(120 + n as u64 / 20);
    wait_for(login_limit, "every session ready", async || {
        if let Some(e) = stats.first_error() {
            return Err(e.into());
        }
        Ok(stats.ready.load(Ordering::Relaxed) >= n)
    })
    .await?;
    let login_time = started.elapsed();
    eprintln!("{n} sessions ready in {login_time:.1?}");

    // Every session long-polling.
    wait_for(
        Duration::from_secs(60),
        "every session long-polling",
        async || Ok(sim.load_status().await?.long_polls >= n),
    )
    .await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_idle = procfs::rss_kib(me)?;
    let peak = procfs::peak_rss_kib(me)?;
    let files_idle = procfs::open_files(me)?;

    // Baseline: the same sessions, idle.
    let idle = Duration::from_secs(args.idle_seconds.max(1));
    let (c0, s0) = (procfs::cpu_ms(me)?, procfs::cpu_ms(sim.pid())?);
    tokio::time::sleep(idle).await;
    let (c1, s1) = (procfs::cpu_ms(me)?, procfs::cpu_ms(sim.pid())?);
    let idle_client_ms_per_s = (c1 - c0) as f64 / idle.as_secs_f64();
    let idle_sim_ms_per_s = (s1 - s0) as f64 / idle.as_secs_f64();
    eprintln!("idle window done; delivering {} messages/s", args.rate);

    // The load.
    let spec = LoadSpec {
        rate_per_s: args.rate,
        duration_ms: args.seconds * 1000,
        seed: 1,
    };
    let load_started = Instant::now();
    sim.start_load(spec).await?;
    wait_for(
        Duration::from_secs(args.seconds + 60),
        "the load run",
        async || Ok(!sim.load_status().await?.running),
    )
    .await?;
    let status = sim.load_status().await?;
    let _ = wait_for(
        Duration::from_secs(10),
        "every message delivered",
        async || Ok(stats.deliveries().seen.len() as u64 >= status.queued),
    )
    .await;
    let load_time = load_started.elapsed();
    let (c2, s2) = (procfs::cpu_ms(me)?, procfs::cpu_ms(sim.pid())?);
    let peak_after = procfs::peak_rss_kib(me)?;
    let rss_after = procfs::rss_kib(me)?;
    let files_after = procfs::open_files(me)?;

    let (mut latencies, delivered, duplicates) = {
        let d = stats.deliveries();
        (d.latencies_us.clone(), d.seen.len() as u64, d.duplicates)
    };
    latencies.sort_unstable();
    let lost = status.queued.saturating_sub(delivered);
    let secs = load_time.as_secs_f64();
    let client_ms = (c2 - c1) as f64;
    let sim_ms = (s2 - s1) as f64;
    let per_msg = |total_ms: f64, idle_ms_per_s: f64| {
        let net = (total_ms - idle_ms_per_s * secs).max(0.0);
        (
            total_ms * 1000.0 / delivered.max(1) as f64,
            net * 1000.0 / delivered.max(1) as f64,
        )
    };
    let (client_raw, client_net) = per_msg(client_ms, idle_client_ms_per_s);
    let (sim_raw, sim_net) = per_msg(sim_ms, idle_sim_ms_per_s);
    let ms = |us: u64| us as f64 / 1000.0;

    println!("# webwx scale benchmark");
    println!();
    println!(
        "sessions {n}, load {} messages/s for {} s, synccheck held {} ms, {} CPUs",
        args.rate,
        args.seconds,
        args.synccheck_hold_ms,
        std::thread::available_parallelism().map_or(0, usize::from)
    );
    println!();
    println!("| measure | value |");
    println!("|---|---|");
    println!(
        "| logins | {n} in {:.1} s ({:.0}/s) |",
        login_time.as_secs_f64(),
        n as f64 / login_time.as_secs_f64()
    );
    println!(
        "| client memory before the first session | {:.1} MiB |",
        rss_before as f64 / 1024.0
    );
    println!(
        "| client memory per idle session | **{:.1} KiB** ({:.1} MiB for {n}) |",
        kib(rss_idle.saturating_sub(rss_before), n),
        rss_idle.saturating_sub(rss_before) as f64 / 1024.0
    );
    let per_idle = kib(rss_idle.saturating_sub(rss_before), n);
    let cold_kib = floor.cold_bytes_per_held_request as f64 / 1024.0;
    let warm_kib = floor.warm_bytes_per_held_request as f64 / 1024.0;
    println!(
        "| baseline: the transport alone, one held request on a fresh connection (cold) | {cold_kib:.1} KiB |"
    );
    println!(
        "| baseline: the same, its connection first carrying one {} KiB answer (warm) | {warm_kib:.1} KiB ({} sockets for {n}) |",
        floor::WARM_ANSWER_BYTES / 1024,
        floor.warm_sockets
    );
    println!(
        "| webwx's own part of an idle session (core, driver, channels), against the warm baseline | **{:.1} KiB** (against the cold one: {:.1} KiB) |",
        per_idle - warm_kib,
        per_idle - cold_kib
    );
    println!(
        "| peak client memory per session (login storm) | {:.1} KiB |",
        kib(peak.saturating_sub(rss_before), n)
    );
    println!(
        "| client memory per session after the load | {:.1} KiB (peak {:.1} KiB) |",
        kib(rss_after.saturating_sub(rss_before), n),
        kib(peak_after.saturating_sub(rss_before), n)
    );
    println!("| client open files (sockets) | {files_idle} idle, {files_after} after the load |");
    println!(
        "| baseline: CPU of {n} idle sessions | client {:.1} ms/s, simulator {:.1} ms/s |",
        idle_client_ms_per_s, idle_sim_ms_per_s
    );
    println!(
        "| baseline: CPU of one bare request through the transport | {:.0} µs |",
        floor.cpu_us_per_request
    );
    println!(
        "| CPU per delivered message, client | **{client_net:.0} µs** above the idle baseline ({client_raw:.0} µs in all) = {:.1} bare requests |",
        client_net / floor.cpu_us_per_request.max(1.0)
    );
    println!(
        "| CPU per delivered message, simulator | {sim_net:.0} µs above the baseline ({sim_raw:.0} µs in all) |"
    );
    println!(
        "| CPU busy during the load (% of one core; {} cores) | client {:.0}%, simulator {:.0}% |",
        std::thread::available_parallelism().map_or(0, usize::from),
        client_ms / secs / 10.0,
        sim_ms / secs / 10.0
    );
    println!(
        "| messages | {} queued, {delivered} delivered, {lost} lost, {duplicates} duplicated, {} skipped |",
        status.queued, status.skipped
    );
    println!(
        "| delivery latency | p50 **{:.2} ms**, p99 **{:.2} ms**, max {:.2} ms |",
        ms(percentile(&latencies, 50.0)),
        ms(percentile(&latencies, 99.0)),
        ms(latencies.last().copied().unwrap_or(0))
    );
    let ended = stats.ended.load(Ordering::Relaxed);
    if ended > 0 || lost > 0 || duplicates > 0 {
        return Err(format!(
            "{ended} sessions ended, {lost} messages lost, {duplicates} duplicated; first: {:?}",
            stats.first_error()
        )
        .into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::percentile;

    #[test]
    fn percentiles_by_nearest_rank() {
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&v, 50.0), 50);
        assert_eq!(percentile(&v, 99.0), 99);
        assert_eq!(percentile(&v, 100.0), 100);
        assert_eq!(percentile(&[7], 99.0), 7);
        assert_eq!(percentile(&[], 99.0), 0);
    }
}
