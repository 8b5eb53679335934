//! The `webwx serve` benchmark (issue 18): the service's own cost, beside the bare library's
//! (the scale benchmark, `tests/src/bin/scale/`, run in the same run as the floor).
//!
//! ```sh
//! ulimit -n 20000      # the node and the simulator each hold a socket per account
//! cargo bench -p webwx-server --bench serve                       # 10,000 accounts
//! cargo bench -p webwx-server --bench serve -- --accounts 2000 --postgres URL
//! ```
//!
//! It builds the release `webwx` binary (and the `scale` benchmark) first with
//! `cargo build --release` (`--no-build`: use what `target/release/` holds), then, each program in
//! a process of its own, with the simulator (`webwx-sim`) in a child process:
//!
//! 1. **Memory.** One node (`webwx serve`, SQLite in a temporary directory) logs in N accounts
//!    through `POST /v1/accounts` (64 at a time); once every account is `online` and every
//!    session long-polls (synccheck held 25 s, as the real server does), the node's resident
//!    memory minus its resident memory with no account, over N. Then the CPU of the idle node.
//! 2. **Events per second.** The simulator delivers `load <n> <micros>` messages at a rate
//!    stepped up (500, 1,000, 2,000, ...) for 10 s a step; (a) one SSE stream (`GET /v1/events`)
//!    on that node, then (b) a webhook receiver in this program, after the node is restarted
//!    (SIGTERM, then the same node id and database with `--webhook-url`: its accounts come back
//!    without a scan). Per step: delivered against queued, latency from the simulator's stamp to
//!    the arrival here, the node's CPU. A step is sustained when every message arrived within
//!    2 s of the run's end, the latency's p99 is at most 2 s, and the latency of the last fifth
//!    of the messages is not above the first fifth's by more than 250 ms; the ladder stops at
//!    the first step that is not.
//! 3. **Takeover** (with `--postgres URL`, an empty database): three nodes; M accounts (3,000)
//!    logged in through the first; SIGKILL it; the time until all M are `online` on the two
//!    others (`GET /v1/accounts`), and until each has written its `resumed` event. It includes
//!    the lease period (`--lease-seconds`, 5).
//!
//! Linux only (it reads `/proc`). The nodes run without `--test-timing` unless asked (its
//! 10 s long-poll timeout would make idle sessions poll again before the 25 s hold ends).

#![forbid(unsafe_code)]

mod api;
mod collect;
mod floor;
mod hook;
mod node;
use webwx_tests::procfs;
mod sim;
mod sse;

use api::Api;
use clap::Parser;
use collect::{Collector, unix_micros};
use node::{ADMIN_TOKEN, NodeProcess, NodeSpec};
use sim::SimProcess;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};
use webwx_sim::LoadSpec;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The `webwx serve` benchmark.
#[derive(Parser, Debug)]
#[command(name = "serve-bench")]
struct Args {
    /// Accounts on the one node (memory, events per second).
    #[arg(long, default_value_t = 10_000)]
    accounts: usize,
    /// Logins started at the same time (`POST /v1/accounts` in flight).
    #[arg(long, default_value_t = 64)]
    parallel: usize,
    /// Friends of each simulated account (the scale benchmark's accounts have 1).
    #[arg(long, default_value_t = 1)]
    friends: usize,
    /// How long the simulator holds a synccheck with nothing new (the real server: ~25 s).
    #[arg(long, default_value_t = 25_000)]
    synccheck_hold_ms: u64,
    /// The load rates stepped through, messages per second over all accounts.
    #[arg(long, value_delimiter = ',', default_value = "500,1000,2000,4000,8000")]
    rates: Vec<u32>,
    /// How long each step's load runs.
    #[arg(long, default_value_t = 10)]
    step_seconds: u64,
    /// The idle window in which the idle node's CPU is measured.
    #[arg(long, default_value_t = 30)]
    idle_seconds: u64,
    /// `--lease-seconds` of the one node (default: the node's own default, 15 s).
    #[arg(long)]
    node_lease_seconds: Option<u64>,
    /// `--lease-seconds` of the restarted node: its accounts come back in rounds of 200 every
    /// third of the lease.
    #[arg(long, default_value_t = 3)]
    restart_lease_seconds: u64,
    /// PostgreSQL for the takeover (an empty database), e.g.
    /// `postgres://postgres@localhost:5444/bench?host=/tmp/pgb`. Without it, no takeover.
    #[arg(long)]
    postgres: Option<String>,
    /// Accounts logged in through the node that is killed.
    #[arg(long, default_value_t = 3_000)]
    takeover_accounts: usize,
    /// `--lease-seconds` of the takeover's nodes.
    #[arg(long, default_value_t = 5)]
    lease_seconds: u64,
    /// The message rate of the floor (the scale benchmark).
    #[arg(long, default_value_t = 2_000)]
    floor_rate: u32,
    /// How long the floor's load runs.
    #[arg(long, default_value_t = 10)]
    floor_seconds: u64,
    /// Skip the floor (the scale benchmark).
    #[arg(long)]
    skip_floor: bool,
    /// Skip the webhook half of the events.
    #[arg(long)]
    skip_webhook: bool,
    /// Skip the restart of the node (its accounts coming back without a scan).
    #[arg(long)]
    skip_restart: bool,
    /// Do not build: use the binaries in target/release/.
    #[arg(long)]
    no_build: bool,
    /// Start the nodes with `--test-timing` (short timeouts; a 10 s long-poll timeout).
    #[arg(long)]
    test_timing: bool,
    /// Keep the temporary directory (databases, node logs).
    #[arg(long)]
    keep: bool,
    /// Runs as the simulator process (used by the benchmark itself).
    #[arg(long, hide = true)]
    serve_sim: bool,
    /// Given by `cargo bench`; without it (as under `cargo test`) nothing runs.
    #[arg(long, hide = true)]
    bench: bool,
}

fn main() -> Result<(), BoxError> {
    let args = Args::parse();
    if args.serve_sim {
        return sim::serve(args.friends, args.synccheck_hold_ms);
    }
    if !args.bench {
        eprintln!("the serve benchmark runs under `cargo bench -p webwx-server --bench serve`");
        return Ok(());
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(bench(args))
}

/// What the parts measured (each `None` when skipped or failed).
#[derive(Debug, Default)]
struct Report {
    floor: Option<floor::Floor>,
    memory: Option<Memory>,
    sse: Vec<Step>,
    restart: Option<Restart>,
    webhook: Vec<Step>,
    webhook_idle_ms_per_s: Option<f64>,
    bad_signatures: u64,
    takeover: Option<Takeover>,
    notes: Vec<String>,
}

#[derive(Debug)]
struct Memory {
    accounts: usize,
    posts: Duration,
    online: Duration,
    rss_empty_kib: u64,
    rss_idle_kib: u64,
    peak_kib: u64,
    files: usize,
    db_bytes: u64,
    idle_node_ms_per_s: f64,
    idle_sim_ms_per_s: f64,
}

#[derive(Debug)]
struct Restart {
    stop: Duration,
    back: Duration,
    lease_seconds: u64,
    rss_kib: u64,
    idle_node_ms_per_s: f64,
}

#[derive(Debug)]
struct Step {
    rate: u32,
    queued: u64,
    delivered: u64,
    in_time: u64,
    duplicates: u64,
    achieved_per_s: f64,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    first_p50_ms: f64,
    last_p50_ms: f64,
    node_cpu_pct: f64,
    sim_cpu_pct: f64,
    bench_cpu_pct: f64,
    /// What other programs on the machine took meanwhile (% of one core).
    others_cpu_pct: f64,
    node_us_per_event: f64,
    sustained: bool,
}

#[derive(Debug)]
struct Takeover {
    accounts: usize,
    lease_seconds: u64,
    login: Duration,
    first_moved: Option<Duration>,
    all_online: Duration,
    all_resumed: Option<Duration>,
    resumed: usize,
    per_node: Vec<(String, usize)>,
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

/// `target/release/` (this program is `target/release/deps/serve-<hash>`).
fn release_dir() -> Result<PathBuf, BoxError> {
    let exe = std::env::current_exe()?;
    let dir = exe.parent().ok_or("no directory of the benchmark")?;
    let dir = if dir.ends_with("deps") {
        dir.parent().ok_or("no target directory")?
    } else {
        dir
    };
    Ok(dir.to_path_buf())
}

/// Builds the release `webwx` (required) and `scale` (the floor; skipped when it cannot be
/// built) binaries, unless `--no-build`; their paths.
fn build(args: &Args) -> Result<(PathBuf, Option<PathBuf>), BoxError> {
    let dir = release_dir()?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let cargo_build = |package: &str, bin: &str| -> Result<bool, BoxError> {
        eprintln!("== cargo build --release -p {package} --bin {bin}");
        Ok(Command::new(&cargo)
            .args(["build", "--release", "-p", package, "--bin", bin])
            .status()?
            .success())
    };
    if !args.no_build && !cargo_build("webwx-cli", "webwx")? {
        return Err("cannot build the webwx binary".into());
    }
    let webwx = dir.join("webwx");
    if !webwx.exists() {
        return Err(format!(
            "no {}: build it first (cargo build --release -p webwx-cli)",
            webwx.display()
        )
        .into());
    }
    let mut scale = None;
    if !args.skip_floor {
        if !args.no_build && !cargo_build("webwx-tests", "scale")? {
            eprintln!("cannot build the scale benchmark: no floor this run");
        }
        let path = dir.join("scale");
        if path.exists() {
            scale = Some(path);
        }
    }
    Ok((webwx, scale))
}

async fn bench(args: Args) -> Result<(), BoxError> {
    let needed = args.accounts.max(args.takeover_accounts) as u64 + 1024;
    let limit = procfs::open_file_limit()?;
    if limit < needed {
        return Err(format!(
            "the open-file limit is {limit}; {} accounts need about {needed} in the node and in \
             the simulator: raise it first (`ulimit -n {needed}`)",
            args.accounts.max(args.takeover_accounts)
        )
        .into());
    }
    let (webwx, scale) = build(&args)?;
    let tmp = std::env::temp_dir().join(format!("webwx-serve-bench-{}", std::process::id()));
    std::fs::create_dir_all(&tmp)?;
    eprintln!("== working in {}", tmp.display());
    let mut report = Report::default();
    let mut failure: Option<BoxError> = None;

    if args.skip_floor {
        report.notes.push("floor skipped (--skip-floor)".into());
    } else if let Some(scale) = scale {
        eprintln!(
            "== floor: the scale benchmark, {} sessions, {} messages/s for {} s",
            args.accounts, args.floor_rate, args.floor_seconds
        );
        let limit = Duration::from_secs(600 + args.accounts as u64 / 20);
        match floor::run(
            &scale,
            args.accounts,
            args.floor_rate,
            args.floor_seconds,
            limit,
        ) {
            Ok(f) => report.floor = Some(f),
            Err(e) => report.notes.push(format!("the floor failed: {e}")),
        }
    } else {
        report
            .notes
            .push("no floor: the scale benchmark could not be built".into());
    }

    if let Err(e) = single_node(&args, &webwx, &tmp, &mut report).await {
        report.notes.push(format!("the one-node part failed: {e}"));
        failure = Some(e);
    }

    match &args.postgres {
        Some(url) if failure.is_none() => match takeover(&args, &webwx, &tmp, url).await {
            Ok(t) => report.takeover = Some(t),
            Err(e) => {
                report.notes.push(format!("the takeover failed: {e}"));
                failure = Some(e);
            }
        },
        Some(_) => {}
        None => {
            eprintln!("== takeover skipped: no --postgres URL");
            report
                .notes
                .push("takeover skipped: no --postgres URL given".into());
        }
    }

    print_report(&args, &report);
    if args.keep || failure.is_some() {
        eprintln!("(kept {})", tmp.display());
    } else {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    match failure {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// The bytes of the SQLite database (with its WAL) in `dir`.
fn db_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.file_name().to_string_lossy().starts_with("serve.db"))
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

/// CPU ms per s of `pid` over `window`.
async fn idle_cpu(pids: &[u32], window: Duration) -> Result<Vec<f64>, BoxError> {
    let before: Vec<u64> = pids
        .iter()
        .map(|p| procfs::cpu_ms(*p))
        .collect::<Result<_, _>>()?;
    tokio::time::sleep(window).await;
    let mut out = Vec::new();
    for (p, b) in pids.iter().zip(before) {
        let after = procfs::cpu_ms(*p)?;
        out.push(after.saturating_sub(b) as f64 / window.as_secs_f64());
    }
    Ok(out)
}

/// Parts 1 and 2: one node on SQLite.
async fn single_node(
    args: &Args,
    webwx: &Path,
    tmp: &Path,
    report: &mut Report,
) -> Result<(), BoxError> {
    let n = args.accounts;
    let sim = SimProcess::spawn(args.friends, args.synccheck_hold_ms)?;
    eprintln!(
        "== one node on SQLite, {n} accounts; simulator at {} (pid {})",
        sim.base_url,
        sim.pid()
    );
    let database = format!("sqlite://{}", tmp.join("serve.db").display());
    let node_id = "bench-sqlite";
    let mut node = NodeProcess::spawn(&NodeSpec {
        webwx,
        id: node_id,
        database: &database,
        sim_url: &sim.base_url,
        lease_seconds: args.node_lease_seconds,
        webhook_url: None,
        test_timing: args.test_timing,
        log: tmp.join("node-sqlite.log"),
    })?;
    let pid = node.pid();
    let api = Api::new(&node.base_url);
    // Warm up: the token check, the database, the JSON path.
    api.accounts().await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_empty = procfs::rss_kib(pid)?;
    eprintln!(
        "node {node_id} at {} (pid {pid}): {:.1} MiB resident with no account",
        node.base_url,
        rss_empty as f64 / 1024.0
    );

    let started = Instant::now();
    let ids: Vec<String> = (0..n).map(|i| format!("acc{i:06}")).collect();
    let posts = api::create_all(&api, ids, args.parallel).await?;
    eprintln!("{n} logins started in {posts:.1?}");
    api::wait_accounts(
        &api,
        n,
        Duration::from_secs(2),
        Duration::from_secs(300 + n as u64 / 10),
        "accounts online",
        |a| a.state == "online",
    )
    .await?;
    let online = started.elapsed();
    eprintln!("{n} accounts online after {online:.1?}");
    wait_for(
        Duration::from_secs(120),
        "every session long-polling",
        async || Ok(sim.load_status().await?.long_polls >= n),
    )
    .await?;
    tokio::time::sleep(Duration::from_secs(5)).await;
    let rss_idle = procfs::rss_kib(pid)?;
    let peak = procfs::peak_rss_kib(pid)?;
    let files = procfs::open_files(pid)?;
    eprintln!(
        "idle: {:.1} MiB resident ({:.1} KiB per account); measuring idle CPU for {} s",
        rss_idle as f64 / 1024.0,
        rss_idle.saturating_sub(rss_empty) as f64 / n.max(1) as f64,
        args.idle_seconds
    );
    let idle = idle_cpu(
        &[pid, sim.pid()],
        Duration::from_secs(args.idle_seconds.max(1)),
    )
    .await?;
    let idle_node = idle.first().copied().unwrap_or(0.0);
    report.memory = Some(Memory {
        accounts: n,
        posts,
        online,
        rss_empty_kib: rss_empty,
        rss_idle_kib: rss_idle,
        peak_kib: peak,
        files,
        db_bytes: db_bytes(tmp),
        idle_node_ms_per_s: idle_node,
        idle_sim_ms_per_s: idle.get(1).copied().unwrap_or(0.0),
    });

    // Events through one SSE stream.
    eprintln!("== events through one SSE stream");
    let collector = Arc::new(Collector::default());
    let stream = sse::open(&node.base_url, ADMIN_TOKEN, Arc::clone(&collector)).await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    report.sse = ladder(args, &sim, pid, &collector, idle_node).await?;
    stream.abort();

    // The same node restarted: its accounts come back without a scan.
    if args.skip_restart {
        report.notes.push("restart skipped (--skip-restart)".into());
    } else {
        eprintln!(
            "== restart (SIGTERM, then the same node id and database, --lease-seconds {})",
            args.restart_lease_seconds
        );
        let stop = node.terminate(Duration::from_secs(60))?;
        drop(node);
        let restarted = Instant::now();
        let node = NodeProcess::spawn(&NodeSpec {
            webwx,
            id: node_id,
            database: &database,
            sim_url: &sim.base_url,
            lease_seconds: Some(args.restart_lease_seconds),
            webhook_url: None,
            test_timing: args.test_timing,
            log: tmp.join("node-sqlite-restarted.log"),
        })?;
        let api = Api::new(&node.base_url);
        api::wait_accounts(
            &api,
            n,
            Duration::from_secs(1),
            Duration::from_secs(120 + n as u64 / 10),
            "accounts back after the restart",
            |a| a.state == "online" && a.node.as_deref() == Some(node_id),
        )
        .await?;
        let back = restarted.elapsed();
        eprintln!("{n} accounts back on the restarted node after {back:.1?}");
        if let Err(e) = wait_for(
            Duration::from_secs(120),
            "every session long-polling after the restart",
            async || Ok(sim.load_status().await?.long_polls >= n),
        )
        .await
        {
            report.notes.push(format!("{e}"));
        }
        tokio::time::sleep(Duration::from_secs(5)).await;
        let pid = node.pid();
        let rss = procfs::rss_kib(pid)?;
        let idle = idle_cpu(&[pid], Duration::from_secs(args.idle_seconds.clamp(1, 10))).await?;
        report.restart = Some(Restart {
            stop,
            back,
            lease_seconds: args.restart_lease_seconds,
            rss_kib: rss,
            idle_node_ms_per_s: idle.first().copied().unwrap_or(0.0),
        });
    }
    drop(sim);

    if args.skip_webhook {
        report.notes.push("webhook skipped (--skip-webhook)".into());
        return Ok(());
    }
    // The webhook: a new simulator, a new node (default lease) on a new database, the same
    // number of accounts logged in again (a restarted node would bring them back only 200 per
    // lease/3, and with a short lease its heartbeat would weigh on the figures).
    let sim = SimProcess::spawn(args.friends, args.synccheck_hold_ms)?;
    let hooks = Arc::new(Collector::default());
    let (hook_url, receiver) = hook::start(Arc::clone(&hooks)).await?;
    eprintln!("== events to a webhook: a new node with --webhook-url {hook_url}, {n} accounts");
    let database = format!("sqlite://{}", tmp.join("serve-webhook.db").display());
    let node = NodeProcess::spawn(&NodeSpec {
        webwx,
        id: "bench-sqlite-webhook",
        database: &database,
        sim_url: &sim.base_url,
        lease_seconds: args.node_lease_seconds,
        webhook_url: Some(&hook_url),
        test_timing: args.test_timing,
        log: tmp.join("node-sqlite-webhook.log"),
    })?;
    let pid = node.pid();
    let api = Api::new(&node.base_url);
    let ids: Vec<String> = (0..n).map(|i| format!("hook{i:06}")).collect();
    api::create_all(&api, ids, args.parallel).await?;
    api::wait_accounts(
        &api,
        n,
        Duration::from_secs(2),
        Duration::from_secs(300 + n as u64 / 10),
        "accounts online (webhook node)",
        |a| a.state == "online",
    )
    .await?;
    wait_for(
        Duration::from_secs(120),
        "every session long-polling (webhook node)",
        async || Ok(sim.load_status().await?.long_polls >= n),
    )
    .await?;
    // The login events are delivered first.
    tokio::time::sleep(Duration::from_secs(10)).await;
    let idle = idle_cpu(&[pid], Duration::from_secs(args.idle_seconds.clamp(1, 10))).await?;
    let idle_node = idle.first().copied().unwrap_or(0.0);
    report.webhook_idle_ms_per_s = Some(idle_node);
    report.webhook = ladder(args, &sim, pid, &hooks, idle_node).await?;
    report.bad_signatures = hooks.bad_signatures();
    receiver.abort();
    Ok(())
}

fn ms(us: u64) -> f64 {
    us as f64 / 1000.0
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

/// The median latency of `deliveries` (µs).
fn median_latency(deliveries: &[collect::Delivery]) -> u64 {
    let mut l: Vec<u64> = deliveries
        .iter()
        .map(|d| d.arrival_us.saturating_sub(d.stamp_us))
        .collect();
    l.sort_unstable();
    percentile(&l, 50.0)
}

/// Steps the load up through `args.rates` while each step is sustained.
async fn ladder(
    args: &Args,
    sim: &SimProcess,
    node_pid: u32,
    collector: &Collector,
    idle_node_ms_per_s: f64,
) -> Result<Vec<Step>, BoxError> {
    let me = std::process::id();
    let step_time = Duration::from_secs(args.step_seconds.max(1));
    let mut steps = Vec::new();
    for &rate in &args.rates {
        let start_us = unix_micros();
        collector.reset(start_us);
        let cpu = || -> Result<(u64, u64, u64, u64), BoxError> {
            Ok((
                procfs::cpu_ms(node_pid)?,
                procfs::cpu_ms(sim.pid())?,
                procfs::cpu_ms(me)?,
                procfs::machine_busy_ms()?,
            ))
        };
        let (c0, s0, b0, m0) = cpu()?;
        let t0 = Instant::now();
        sim.start_load(LoadSpec {
            rate_per_s: rate,
            duration_ms: step_time.as_millis() as u64,
            seed: u64::from(rate),
        })
        .await?;
        wait_for(
            step_time + Duration::from_secs(60),
            "the load run",
            async || Ok(!sim.load_status().await?.running),
        )
        .await?;
        let end_us = unix_micros();
        let queued = sim.load_status().await?.queued;
        let drain = Instant::now();
        while (collector.count() as u64) < queued && drain.elapsed() < Duration::from_secs(30) {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let elapsed = t0.elapsed().as_secs_f64();
        let (c1, s1, b1, m1) = cpu()?;
        let (mut deliveries, duplicates) = collector.deliveries();
        let delivered = deliveries.len() as u64;
        let mut latencies: Vec<u64> = deliveries
            .iter()
            .map(|d| d.arrival_us.saturating_sub(d.stamp_us))
            .collect();
        latencies.sort_unstable();
        let in_time = deliveries
            .iter()
            .filter(|d| d.arrival_us <= end_us + 2_000_000)
            .count() as u64;
        deliveries.sort_by_key(|d| d.n);
        let fifth = (deliveries.len() / 5).max(1).min(deliveries.len());
        let first_p50 = median_latency(deliveries.get(..fifth).unwrap_or_default());
        let last_p50 = median_latency(
            deliveries
                .get(deliveries.len() - fifth..)
                .unwrap_or_default(),
        );
        let last_arrival = deliveries.iter().map(|d| d.arrival_us).max().unwrap_or(0);
        let span_s = last_arrival.saturating_sub(start_us) as f64 / 1e6;
        let node_ms = c1.saturating_sub(c0) as f64;
        let net_ms = (node_ms - idle_node_ms_per_s * elapsed).max(0.0);
        let sustained = queued > 0
            && delivered == queued
            && in_time == queued
            && last_p50 <= first_p50 + 250_000
            && percentile(&latencies, 99.0) <= 2_000_000;
        let step = Step {
            rate,
            queued,
            delivered,
            in_time,
            duplicates,
            achieved_per_s: if span_s > 0.0 {
                delivered as f64 / span_s
            } else {
                0.0
            },
            p50_ms: ms(percentile(&latencies, 50.0)),
            p99_ms: ms(percentile(&latencies, 99.0)),
            max_ms: ms(latencies.last().copied().unwrap_or(0)),
            first_p50_ms: ms(first_p50),
            last_p50_ms: ms(last_p50),
            node_cpu_pct: node_ms / elapsed / 10.0,
            sim_cpu_pct: s1.saturating_sub(s0) as f64 / elapsed / 10.0,
            bench_cpu_pct: b1.saturating_sub(b0) as f64 / elapsed / 10.0,
            others_cpu_pct: m1.saturating_sub(m0).saturating_sub(
                c1.saturating_sub(c0) + s1.saturating_sub(s0) + b1.saturating_sub(b0),
            ) as f64
                / elapsed
                / 10.0,
            node_us_per_event: net_ms * 1000.0 / delivered.max(1) as f64,
            sustained,
        };
        eprintln!(
            "  {rate}/s: {queued} queued, {delivered} delivered ({in_time} within 2 s of the end), \
             {:.0}/s, p50 {:.1} ms, p99 {:.1} ms, node CPU {:.0}%, other programs {:.0}%: {}",
            step.achieved_per_s,
            step.p50_ms,
            step.p99_ms,
            step.node_cpu_pct,
            step.others_cpu_pct,
            if sustained {
                "sustained"
            } else {
                "NOT sustained"
            }
        );
        steps.push(step);
        if !sustained {
            // Let the backlog drain before anything else is measured.
            let more = Instant::now();
            while (collector.count() as u64) < queued && more.elapsed() < Duration::from_secs(120) {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            break;
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    Ok(steps)
}

/// Part 3: three nodes on PostgreSQL; the first one killed with its accounts.
async fn takeover(args: &Args, webwx: &Path, tmp: &Path, url: &str) -> Result<Takeover, BoxError> {
    let m = args.takeover_accounts;
    let sim = SimProcess::spawn(args.friends, args.synccheck_hold_ms)?;
    eprintln!(
        "== takeover on PostgreSQL: 3 nodes, {m} accounts, lease {} s; simulator at {}",
        args.lease_seconds, sim.base_url
    );
    let ids = ["bench-n1", "bench-n2", "bench-n3"];
    let mut nodes = Vec::new();
    for id in ids {
        nodes.push(NodeProcess::spawn(&NodeSpec {
            webwx,
            id,
            database: url,
            sim_url: &sim.base_url,
            lease_seconds: Some(args.lease_seconds),
            webhook_url: None,
            test_timing: args.test_timing,
            log: tmp.join(format!("{id}.log")),
        })?);
    }
    let first = nodes.first().ok_or("no node")?;
    let api1 = Api::new(&first.base_url);
    let api2 = Api::new(&nodes.get(1).ok_or("no second node")?.base_url);
    let existing = api1.accounts().await?.len();
    if existing > 0 {
        return Err(format!(
            "the database at --postgres holds {existing} accounts already: give an empty one \
             (drop the database and create it again)"
        )
        .into());
    }
    let started = Instant::now();
    let accounts: Vec<String> = (0..m).map(|i| format!("tko{i:05}")).collect();
    api::create_all(&api1, accounts, args.parallel).await?;
    api::wait_accounts(
        &api1,
        m,
        Duration::from_secs(1),
        Duration::from_secs(300 + m as u64 / 10),
        "accounts online on the first node",
        |a| a.state == "online" && a.node.as_deref() == Some(ids[0]),
    )
    .await?;
    let login = started.elapsed();
    eprintln!("{m} accounts online on {} after {login:.1?}", ids[0]);
    wait_for(
        Duration::from_secs(120),
        "every session long-polling",
        async || Ok(sim.load_status().await?.long_polls >= m),
    )
    .await?;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let collector = Arc::new(Collector::default());
    let stream = sse::open(
        &nodes.get(1).ok_or("no second node")?.base_url,
        ADMIN_TOKEN,
        Arc::clone(&collector),
    )
    .await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    collector.reset_resumed();

    eprintln!("SIGKILL {}", ids[0]);
    let kill_us = unix_micros();
    let killed = Instant::now();
    if let Some(n1) = nodes.first_mut() {
        n1.kill();
    }
    let others = [ids[1], ids[2]];
    let mut first_moved = None;
    let mut said = Instant::now();
    let (all_online, per_node) = loop {
        let accounts = api2.accounts().await?;
        let moved: Vec<&api::Account> = accounts
            .iter()
            .filter(|a| {
                a.state == "online" && a.node.as_deref().is_some_and(|n| others.contains(&n))
            })
            .collect();
        if !moved.is_empty() && first_moved.is_none() {
            first_moved = Some(killed.elapsed());
        }
        if moved.len() >= m {
            let per_node = others
                .iter()
                .map(|o| {
                    (
                        o.to_string(),
                        moved
                            .iter()
                            .filter(|a| a.node.as_deref() == Some(o))
                            .count(),
                    )
                })
                .collect();
            break (killed.elapsed(), per_node);
        }
        if let Some(dead) = accounts.iter().find(|a| a.state == "logged_out") {
            return Err(format!(
                "takeover: account {} is logged out: {}",
                dead.id,
                dead.last_error.as_deref().unwrap_or("(no reason)")
            )
            .into());
        }
        if killed.elapsed() > Duration::from_secs(300) {
            return Err(format!("takeover: {} of {m} moved within 300 s", moved.len()).into());
        }
        if said.elapsed() > Duration::from_secs(5) {
            eprintln!(
                "  {} of {m} online on the others after {:.1?}",
                moved.len(),
                killed.elapsed()
            );
            said = Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    eprintln!("all {m} online on the other nodes after {all_online:.1?}");
    let resumed_in = wait_for(
        Duration::from_secs(120),
        "every resumed event",
        async || Ok(collector.resumed().0 >= m),
    )
    .await;
    let (resumed, last_us) = collector.resumed();
    let all_resumed = resumed_in
        .ok()
        .map(|_| Duration::from_micros(last_us.saturating_sub(kill_us)));
    stream.abort();
    Ok(Takeover {
        accounts: m,
        lease_seconds: args.lease_seconds,
        login,
        first_moved,
        all_online,
        all_resumed,
        resumed,
        per_node,
    })
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn print_steps(title: &str, steps: &[Step]) {
    if steps.is_empty() {
        return;
    }
    println!();
    println!("{title}");
    println!();
    println!(
        "| offered/s | queued | delivered (within 2 s of the end) | achieved/s | latency p50 / p99 / max | p50 first → last fifth | node CPU | node CPU per event | simulator CPU | bench CPU | other programs' CPU | sustained |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    for s in steps {
        let dup = if s.duplicates > 0 {
            format!(", {} twice", s.duplicates)
        } else {
            String::new()
        };
        println!(
            "| {} | {} | {} ({}{dup}) | {:.0} | {:.1} / {:.1} / {:.0} ms | {:.1} → {:.1} ms | {:.0}% | {:.0} µs | {:.0}% | {:.0}% | {:.0}% | {} |",
            s.rate,
            s.queued,
            s.delivered,
            s.in_time,
            s.achieved_per_s,
            s.p50_ms,
            s.p99_ms,
            s.max_ms,
            s.first_p50_ms,
            s.last_p50_ms,
            s.node_cpu_pct,
            s.node_us_per_event,
            s.sim_cpu_pct,
            s.bench_cpu_pct,
            s.others_cpu_pct,
            if s.sustained { "yes" } else { "**no**" }
        );
    }
}

fn highest_sustained(steps: &[Step]) -> String {
    steps
        .iter()
        .filter(|s| s.sustained)
        .map(|s| s.rate)
        .max()
        .map_or_else(|| "none of the steps".to_string(), |r| format!("**{r}/s**"))
}

fn print_report(args: &Args, r: &Report) {
    let cpus = std::thread::available_parallelism().map_or(0, usize::from);
    let f = r.floor.as_ref();
    let floor_cell = |label: &str| {
        f.and_then(|f| f.cell(label))
            .unwrap_or_else(|| "n/a".into())
    };
    println!();
    println!("# webwx serve benchmark");
    println!();
    println!(
        "{} accounts on one node (SQLite), {} friend(s) each, synccheck held {} ms, {cpus} CPUs, \
         nodes {}, lease {} s",
        args.accounts,
        args.friends,
        args.synccheck_hold_ms,
        if args.test_timing {
            "with --test-timing"
        } else {
            "with the default timing"
        },
        args.node_lease_seconds.unwrap_or(15)
    );
    if let Some(f) = f {
        println!(
            "floor: the scale benchmark (bare library, one process), {} sessions, {} messages/s for {} s{}",
            f.sessions,
            f.rate,
            f.seconds,
            if f.ok { "" } else { " (it reported a failure)" }
        );
    }
    if let Some(m) = &r.memory {
        let n = m.accounts.max(1) as f64;
        let per = m.rss_idle_kib.saturating_sub(m.rss_empty_kib) as f64 / n;
        println!();
        println!("| measure | webwx serve | floor: bare library |");
        println!("|---|---|---|");
        println!(
            "| logins | {} POSTs answered in {:.1} s; all online after {:.1} s ({:.0}/s) | {} |",
            m.accounts,
            m.posts.as_secs_f64(),
            m.online.as_secs_f64(),
            n / m.online.as_secs_f64().max(0.001),
            floor_cell("logins")
        );
        println!(
            "| memory per idle account | **{per:.1} KiB** ({:.1} → {:.1} MiB) | {} |",
            mib(m.rss_empty_kib),
            mib(m.rss_idle_kib),
            floor_cell("client memory per idle session")
        );
        if let Some(floor) = f.and_then(|f| f.number("client memory per idle session")) {
            println!(
                "| the service's own part (above the library's) | **{:.1} KiB** | |",
                per - floor
            );
        }
        println!(
            "| peak resident memory (login storm) | {:.1} MiB ({:.1} KiB per account) | {} |",
            mib(m.peak_kib),
            m.peak_kib.saturating_sub(m.rss_empty_kib) as f64 / n,
            floor_cell("peak client memory per session")
        );
        println!(
            "| node open files | {} | {} |",
            m.files,
            floor_cell("client open files")
        );
        println!(
            "| database on disk (SQLite + WAL) | {:.1} MiB ({:.1} KiB per account) | |",
            m.db_bytes as f64 / 1048576.0,
            m.db_bytes as f64 / 1024.0 / n
        );
        println!(
            "| CPU of the idle accounts | node {:.1} ms/s ({:.2} µs/s per account), simulator {:.1} ms/s | {} |",
            m.idle_node_ms_per_s,
            m.idle_node_ms_per_s * 1000.0 / n,
            m.idle_sim_ms_per_s,
            floor_cell("baseline: CPU of")
        );
    }
    print_steps("Events through one SSE stream (`GET /v1/events`):", &r.sse);
    if let Some(rs) = &r.restart {
        println!();
        println!(
            "Restart of that node: SIGTERM took {:.1} s; with `--lease-seconds {}` every \
             account was back online (no scan) {:.1} s after the new process started; {:.1} MiB \
             resident after it ({:.1} KiB per account); idle CPU {:.1} ms/s (heartbeat every {:.0} s).",
            rs.stop.as_secs_f64(),
            rs.lease_seconds,
            rs.back.as_secs_f64(),
            mib(rs.rss_kib),
            r.memory
                .as_ref()
                .map_or(0.0, |m| rs.rss_kib.saturating_sub(m.rss_empty_kib) as f64
                    / m.accounts.max(1) as f64),
            rs.idle_node_ms_per_s,
            rs.lease_seconds as f64 / 3.0
        );
    }
    print_steps(
        "Events to a webhook (`--webhook-url`; a new node, simulator and database, the same number of accounts):",
        &r.webhook,
    );
    if !r.webhook.is_empty() {
        println!();
        if let Some(idle) = r.webhook_idle_ms_per_s {
            println!("idle CPU of the webhook node before the load: {idle:.1} ms/s");
        }
        println!(
            "webhook deliveries with a bad signature: {}",
            r.bad_signatures
        );
    }
    if !r.sse.is_empty() || !r.webhook.is_empty() {
        println!();
        println!(
            "Sustained: every message arrived within 2 s of the run's end, p99 latency at most \
             2 s, and the last fifth's median latency at most 250 ms above the first fifth's. \
             Node CPU per event is above the idle node's CPU; CPU figures are % of one core."
        );
        println!();
        println!("| events | highest sustained rate |");
        println!("|---|---|");
        println!("| SSE | {} |", highest_sustained(&r.sse));
        if !r.webhook.is_empty() {
            println!("| webhook | {} |", highest_sustained(&r.webhook));
        }
        if let Some(f) = f {
            println!(
                "| floor: bare library at {}/s | {}; latency {}; CPU per message {}; CPU busy {} |",
                f.rate,
                floor_cell("messages"),
                floor_cell("delivery latency"),
                floor_cell("CPU per delivered message, client"),
                floor_cell("CPU busy during the load")
            );
        }
    }
    if let Some(t) = &r.takeover {
        println!();
        println!(
            "Takeover on PostgreSQL, 3 nodes, `--lease-seconds {}` (the figures include the lease period):",
            t.lease_seconds
        );
        println!();
        println!("| measure | value |");
        println!("|---|---|");
        println!(
            "| logins through the first node | {} online after {:.1} s |",
            t.accounts,
            t.login.as_secs_f64()
        );
        println!(
            "| SIGKILL → first account online on another node | {} |",
            t.first_moved
                .map_or("n/a".into(), |d| format!("{:.1} s", d.as_secs_f64()))
        );
        println!(
            "| SIGKILL → all {} online on the two others | **{:.1} s** ({}) |",
            t.accounts,
            t.all_online.as_secs_f64(),
            t.per_node
                .iter()
                .map(|(n, c)| format!("{n}: {c}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        println!(
            "| SIGKILL → every session resumed (its `resumed` event written) | {} ({} of {}) |",
            t.all_resumed
                .map_or("n/a".into(), |d| format!("{:.1} s", d.as_secs_f64())),
            t.resumed,
            t.accounts
        );
    }
    if !r.notes.is_empty() {
        println!();
        for note in &r.notes {
            println!("- {note}");
        }
    }
    if let Some(f) = f {
        println!();
        println!("The floor's own table:");
        println!();
        println!("{}", f.table.trim());
    }
}
