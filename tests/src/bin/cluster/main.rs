//! `cluster`: the end-to-end failover test of `webwx serve` (the contract:
//! `/work/notes/serve-api.md`).
//!
//! It starts the simulator (a child: this program again with `--serve-sim`), a webhook receiver
//! in this process (it checks every signature, refuses a share of first deliveries with a 500 so
//! retries happen, and records every event), and N `webwx serve` nodes on one database. It
//! creates A accounts through the nodes in turn and waits until all are online; starts a
//! simulator load (text messages `load <n> <micros>` spread over every account) and, meanwhile,
//! sends texts through the API via random nodes; kills the node holding the most accounts
//! (SIGKILL) and measures how long until every account is online again on a survivor (at most
//! two lease periods plus a slack for the resume itself); then, once the load has ended and
//! things settle, checks that every load message reached the webhook, that no WeChat message
//! came under two event ids (the same event twice is allowed and counted: at least once), that
//! every signature was valid, that every API send reached the simulator exactly once, and that
//! the simulator noted no deviation (but the timing-dependent ones of a login storm, `setup:`
//! and a statreport later than a second, which are counted).
//!
//! With one node (`--nodes 1`, the SQLite case) the kill is a restart instead: the node is
//! killed and started again with the same node id and database.
//!
//! The takeover's bound is two lease periods plus `--takeover-slack-seconds` (default 5 s). Two
//! leases: the dead node may have renewed its leases just before the kill, so they run out one
//! lease later at worst, and a survivor notices on its next lease round (every third of a lease,
//! plus jitter); two leases leave room for both. The slack is for what comes after the claim:
//! the resume itself (each resumed session's first requests to the simulator, a hundred at once
//! on a small machine in debug builds, and the database writes that mark it online), and this
//! program's polling (every 200 ms, through a node that is busy taking over); after a restart,
//! also starting the process again. "Online again" means: every account `online` with `node` a
//! live node; after a restart (same node id) also its row written since the kill, since the old
//! process's rows still say `online` on that node.
//!
//! ```sh
//! cargo build -p webwx-tests -p webwx-cli --bin cluster --bin webwx
//! target/debug/cluster --database 'postgres:///webwx?host=/tmp/pg' --nodes 3 --accounts 300
//! target/debug/cluster --database sqlite:///tmp/cluster.db --nodes 1 --accounts 60
//! ```
//!
//! `webwx` is taken from this program's directory (`--webwx` to choose). It exits 0 when every
//! check passed, 1 with the reasons otherwise; every wait has a deadline, and the children (nodes,
//! simulator) are killed on the way out. `tests/cluster/run-postgres.sh` runs the PostgreSQL
//! case on a throwaway cluster.

#![forbid(unsafe_code)]

mod api;
mod procs;
mod receiver;
mod report;
mod sim;

use api::{Account, Http};
use clap::Parser;
use procs::Process;
use receiver::Receiver;
use report::{Report, SendRecord};
use serde_json::{Value, json};
use sim::Sim;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use webwx_sim::LoadSpec;

/// Errors of this program.
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The end-to-end failover (or, with one node, restart) test of `webwx serve`.
#[derive(Parser, Debug, Clone)]
#[command(name = "cluster", args_override_self = true)]
struct Args {
    /// The nodes' database: `postgres://...` or `sqlite:///path` (a SQLite file must not exist
    /// yet).
    #[arg(long)]
    database: Option<String>,
    /// Nodes to start; 1 makes the kill a restart.
    #[arg(long, default_value_t = 3)]
    nodes: usize,
    /// Accounts to create.
    #[arg(long, default_value_t = 300)]
    accounts: usize,
    /// The nodes' `--lease-seconds`.
    #[arg(long, default_value_t = 5)]
    lease_seconds: u64,
    /// Load messages per second (over all accounts).
    #[arg(long, default_value_t = 100)]
    rate: u32,
    /// How long the load lasts.
    #[arg(long, default_value_t = 20)]
    load_seconds: u64,
    /// Texts sent through the API during the load.
    #[arg(long, default_value_t = 150)]
    sends: usize,
    /// When, after the load starts, a node is killed.
    #[arg(long, default_value_t = 5)]
    kill_after_seconds: u64,
    /// What the takeover may take beyond two lease periods: the resume itself (each session's
    /// first requests to the simulator, a few hundred of them at once on a small machine) and
    /// this program's polling; with one node also the restart of the process.
    #[arg(long, default_value_t = 5)]
    takeover_slack_seconds: u64,
    /// Percent of first webhook deliveries answered 500.
    #[arg(long, default_value_t = 5)]
    fail_percent: u64,
    /// Accounts that may fail to log in (they are left out of the rest of the test, and
    /// reported); by default every account must log in.
    #[arg(long, default_value_t = 0)]
    allow_login_failures: usize,
    /// How long the logins may take.
    #[arg(long, default_value_t = 60)]
    login_timeout_seconds: u64,
    /// How long, after the load, the last messages and sends may take to arrive.
    #[arg(long, default_value_t = 60)]
    settle_timeout_seconds: u64,
    /// The whole run's limit (a backstop: every step has its own).
    #[arg(long, default_value_t = 480)]
    deadline_seconds: u64,
    /// The `webwx` binary (default: next to this program).
    #[arg(long)]
    webwx: Option<PathBuf>,
    /// Where the children's logs go (default: a temporary directory, removed after a success).
    #[arg(long)]
    log_dir: Option<PathBuf>,
    /// How long the simulator holds a synccheck with nothing new.
    #[arg(long, default_value_t = 1000)]
    synccheck_hold_ms: u64,
    /// Friends of each simulated account.
    #[arg(long, default_value_t = 20)]
    friends: usize,
    /// Runs as the simulator process (used by the test itself).
    #[arg(long, hide = true)]
    serve_sim: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if args.serve_sim {
        return match sim::serve(args.synccheck_hold_ms, args.friends) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("simulator: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("cluster: tokio runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let deadline = Duration::from_secs(args.deadline_seconds);
    let outcome = runtime.block_on(async {
        // Dropping `run` (a deadline, a signal) drops the children it owns: they are killed.
        tokio::select! {
            outcome = tokio::time::timeout(deadline, run(&args)) => match outcome {
                Ok(outcome) => outcome,
                Err(_) => Err(format!("the whole run took over {deadline:?}").into()),
            },
            why = interrupted() => Err(why.into()),
        }
    });
    procs::STOPPING.store(true, std::sync::atomic::Ordering::Relaxed);
    runtime.shutdown_timeout(Duration::from_secs(2));
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("cluster: FAILED: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Resolves on SIGINT or SIGTERM.
async fn interrupted() -> String {
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(term) => term,
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
            return "interrupted".into();
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => "interrupted (SIGINT)".into(),
        _ = term.recv() => "terminated (SIGTERM)".into(),
    }
}

/// A seeded mix (splitmix64): random-enough choices without a dependency.
fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A value that differs from run to run (for the tag, token and secret).
fn fresh(salt: u64) -> u64 {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    mix(u64::try_from(nanos % u128::from(u64::MAX)).unwrap_or(0)
        ^ u64::from(std::process::id()) << 32
        ^ salt)
}

/// The file of a `sqlite://` URL.
fn sqlite_file(database: &str) -> Option<PathBuf> {
    let rest = database.strip_prefix("sqlite://")?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

/// What a node is started with.
struct NodeConfig {
    exe: PathBuf,
    database: String,
    lease_seconds: u64,
    webhook_url: String,
    login_origin: String,
    admin_token: String,
    webhook_secret: String,
    log_dir: PathBuf,
}

impl NodeConfig {
    /// Starts node `id` and waits until it listens (its log `<id>.log`, appended).
    async fn start(&self, id: &str) -> Result<Process, BoxError> {
        let mut command = Command::new(&self.exe);
        command
            .arg("serve")
            .args(["--listen", "127.0.0.1:0"])
            .args(["--database", &self.database])
            .args(["--node-id", id])
            .args(["--lease-seconds", &self.lease_seconds.to_string()])
            .args(["--webhook-url", &self.webhook_url])
            .args(["--login-origin", &self.login_origin])
            .args(["--allow-host", "127.0.0.1"])
            .arg("--test-timing")
            .env("WEBWX_ADMIN_TOKEN", &self.admin_token)
            .env("WEBWX_WEBHOOK_SECRET", &self.webhook_secret);
        let log = self.log_dir.join(format!("{id}.log"));
        Process::spawn(command, log, format!("node {id}")).await
    }
}

/// A live node as the API callers see it.
#[derive(Clone, Debug)]
struct Route {
    id: String,
    url: String,
}

/// The live nodes. A caller holds the lock for its whole request, so a node is taken out
/// (and killed) only between requests.
type Routes = Arc<tokio::sync::Mutex<Vec<Route>>>;

/// The shared pieces of the run.
struct Ctx {
    http: Arc<Http>,
    token: String,
    routes: Routes,
    /// The ids of the accounts this run created.
    ids: Vec<String>,
}

impl Ctx {
    /// This run's accounts as a live node lists them (`None` when no node answered).
    async fn accounts(&self) -> Option<Vec<Account>> {
        let url = self.routes.lock().await.first()?.url.clone();
        let list = api::accounts(&self.http, &url, &self.token).await.ok()?;
        let mine: HashSet<&String> = self.ids.iter().collect();
        Some(list.into_iter().filter(|a| mine.contains(&a.id)).collect())
    }

    /// Polls the accounts every 200 ms until `done` holds for every one of them (all present);
    /// the time it took and the last listing, or the last listing after `limit`.
    async fn wait_accounts(
        &self,
        what: &str,
        limit: Duration,
        done: impl Fn(&Account) -> bool,
    ) -> (Result<Duration, Duration>, Vec<Account>) {
        let started = Instant::now();
        let mut last = Vec::new();
        let mut said = Instant::now();
        loop {
            if let Some(list) = self.accounts().await {
                let ok = list.len() == self.ids.len() && list.iter().all(&done);
                if ok {
                    return (Ok(started.elapsed()), list);
                }
                if said.elapsed() >= Duration::from_secs(5) {
                    said = Instant::now();
                    let good = list.iter().filter(|a| done(a)).count();
                    eprintln!(
                        "  {what}: {good}/{} after {:.1} s ({})",
                        self.ids.len(),
                        started.elapsed().as_secs_f64(),
                        report::tally(&list)
                    );
                }
                last = list;
            }
            if started.elapsed() > limit {
                return (Err(started.elapsed()), last);
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// Creates the accounts, `id` k through node k mod N, 8 at a time.
async fn create_accounts(ctx: &Ctx) -> Result<(), BoxError> {
    let routes = ctx.routes.lock().await.clone();
    let gate = Arc::new(tokio::sync::Semaphore::new(8));
    let mut tasks = tokio::task::JoinSet::new();
    for (k, id) in ctx.ids.iter().enumerate() {
        let route = routes
            .get(k % routes.len().max(1))
            .cloned()
            .ok_or("no node")?;
        let (http, token, gate, id) = (
            Arc::clone(&ctx.http),
            ctx.token.clone(),
            Arc::clone(&gate),
            id.clone(),
        );
        tasks.spawn(async move {
            let _permit = gate.acquire_owned().await;
            let url = format!("{}/v1/accounts", route.url);
            match http
                .call("POST", &url, Some(&token), Some(&json!({ "id": id })))
                .await
            {
                Ok((status, _)) if status == http::StatusCode::CREATED => Ok(()),
                Ok((status, body)) => Err(format!(
                    "POST /v1/accounts {{\"id\":\"{id}\"}} on {}: {status}: {body}",
                    route.id
                )),
                Err(e) => Err(format!("POST /v1/accounts for {id} on {}: {e}", route.id)),
            }
        });
    }
    let mut failures = Vec::new();
    while let Some(done) = tasks.join_next().await {
        match done {
            Ok(Ok(())) => {}
            Ok(Err(e)) => failures.push(e),
            Err(e) => failures.push(format!("task: {e}")),
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        let n = failures.len();
        failures.truncate(5);
        Err(format!(
            "{n} account creations failed, e.g.:\n  {}",
            failures.join("\n  ")
        )
        .into())
    }
}

/// The API sends: `count` texts spread over `span`, each for a random account through a random
/// live node (`?wait=false`).
struct Sender {
    http: Arc<Http>,
    token: String,
    routes: Routes,
    ids: Vec<String>,
    /// The node holding each account when the sends start.
    holders: HashMap<String, String>,
    /// This run's tag, in every text.
    tag: String,
    count: usize,
    span: Duration,
}

impl Sender {
    async fn run(self) -> Vec<SendRecord> {
        let started = tokio::time::Instant::now();
        let gap = self.span / u32::try_from(self.count.max(1)).unwrap_or(u32::MAX);
        let mut out = Vec::with_capacity(self.count);
        let mut seed = mix(self.count as u64 ^ 0x5e4d);
        for i in 0..self.count {
            tokio::time::sleep_until(started + gap * u32::try_from(i).unwrap_or(u32::MAX)).await;
            seed = mix(seed);
            let Some(account) = self.ids.get(seed as usize % self.ids.len().max(1)).cloned() else {
                break;
            };
            let text = format!("cluster {} send {i}", self.tag);
            let live = self.routes.lock().await;
            let Some(route) = live.get((seed >> 32) as usize % live.len().max(1)).cloned() else {
                continue;
            };
            let url = format!("{}/v1/accounts/{account}/messages?wait=false", route.url);
            let answer = self
                .http
                .call(
                    "POST",
                    &url,
                    Some(&self.token),
                    Some(&json!({"to": "filehelper", "text": text})),
                )
                .await;
            drop(live);
            let mut record = SendRecord {
                holder: self.holders.get(&account).cloned(),
                account,
                text,
                via: route.id,
                status: 0,
                action: None,
                outcome: None,
                error: None,
            };
            match answer {
                Ok((status, body)) => {
                    record.status = status.as_u16();
                    record.action = body.get("id").and_then(Value::as_str).map(str::to_string);
                    if !status.is_success() || record.action.is_none() {
                        record.error = Some(format!("{status}: {body}"));
                    } else if body.get("status").and_then(Value::as_str) == Some("done") {
                        record.outcome = Some("done".into());
                    }
                }
                Err(e) => record.error = Some(e.to_string()),
            }
            out.push(record);
        }
        out
    }
}

/// Asks for the status of every send not final yet; true when all are final.
async fn poll_actions(ctx: &Ctx, sends: &mut [SendRecord]) -> bool {
    let Some(url) = ctx.routes.lock().await.first().map(|r| r.url.clone()) else {
        return false;
    };
    let mut all = true;
    for send in sends.iter_mut() {
        if send.outcome.as_deref().is_some_and(|s| s != "pending") || send.error.is_some() {
            continue;
        }
        let Some(action) = &send.action else { continue };
        let path = format!("{url}/v1/accounts/{}/actions/{action}", send.account);
        if let Ok((status, body)) = ctx.http.call("GET", &path, Some(&ctx.token), None).await
            && status.is_success()
        {
            send.outcome = body
                .get("status")
                .and_then(Value::as_str)
                .map(str::to_string);
        }
        if send.outcome.as_deref().is_none_or(|s| s == "pending") {
            all = false;
        }
    }
    all
}

/// The node holding the most accounts (ties: the first).
fn busiest(routes: &[Route], accounts: &[Account]) -> Option<usize> {
    let counts: Vec<usize> = routes
        .iter()
        .map(|r| {
            accounts
                .iter()
                .filter(|a| a.node.as_deref() == Some(r.id.as_str()))
                .count()
        })
        .collect();
    let most = counts.iter().copied().max()?;
    counts.iter().position(|&c| c == most)
}

/// The whole test; `Ok(true)` when every check passed.
async fn run(args: &Args) -> Result<bool, BoxError> {
    let database = args
        .database
        .clone()
        .ok_or("--database is required (postgres://... or sqlite:///path)")?;
    if let Some(file) = sqlite_file(&database)
        && file.exists()
    {
        return Err(format!(
            "{} exists: the test needs a fresh database (remove it or name another file)",
            file.display()
        )
        .into());
    }
    if args.nodes == 0 || args.accounts == 0 {
        return Err("--nodes and --accounts must be at least 1".into());
    }
    let exe = match &args.webwx {
        Some(path) => path.clone(),
        None => std::env::current_exe()?
            .parent()
            .ok_or("this program has no directory")?
            .join("webwx"),
    };
    if !exe.exists() {
        return Err(format!(
            "no webwx binary at {} (build it: cargo build -p webwx-cli)",
            exe.display()
        )
        .into());
    }
    let chosen_log_dir = args.log_dir.is_some();
    let log_dir = args.log_dir.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("webwx-cluster-{}", std::process::id()))
    });
    std::fs::create_dir_all(&log_dir)?;
    let ok = run_in(args, database, exe, &log_dir).await;
    match &ok {
        Ok(true) if !chosen_log_dir => {
            let _ = std::fs::remove_dir_all(&log_dir);
        }
        _ => eprintln!("cluster: the children's logs are in {}", log_dir.display()),
    }
    ok
}

async fn run_in(
    args: &Args,
    database: String,
    exe: PathBuf,
    log_dir: &Path,
) -> Result<bool, BoxError> {
    let restart = args.nodes == 1;
    let tag = format!("{:06x}", fresh(1) & 0xff_ffff);
    let token = format!("admin-{:016x}", fresh(2));
    let secret = format!("hook-{:016x}{:016x}", fresh(3), fresh(4));
    let lease = Duration::from_secs(args.lease_seconds);
    let mut report = Report::new(args.nodes, args.accounts, &database, args.lease_seconds);
    report.slack_seconds = args.takeover_slack_seconds;

    let sim = Sim::start(
        args.synccheck_hold_ms,
        args.friends,
        log_dir.join("sim.log"),
    )
    .await?;
    eprintln!("cluster: simulator at {} (pid {})", sim.url(), sim.pid());
    let receiver = Receiver::start(&secret, args.fail_percent).await?;
    eprintln!("cluster: webhook receiver at {}", receiver.url);

    let config = NodeConfig {
        exe,
        database: database.clone(),
        lease_seconds: args.lease_seconds,
        webhook_url: receiver.url.clone(),
        login_origin: sim.url().to_string(),
        admin_token: token.clone(),
        webhook_secret: secret,
        log_dir: log_dir.to_path_buf(),
    };
    let http = Arc::new(Http::new());
    let mut nodes: Vec<(String, Process)> = Vec::new();
    let mut routes = Vec::new();
    for k in 1..=args.nodes {
        let id = format!("node{k}");
        let process = config.start(&id).await?;
        eprintln!("cluster: {id} at {} (pid {})", process.url, process.pid());
        let (status, body) = http
            .call("GET", &format!("{}/v1/health", process.url), None, None)
            .await?;
        if !status.is_success() || body.get("node").and_then(Value::as_str) != Some(id.as_str()) {
            report.fail(format!("GET /v1/health of {id}: {status} {body}"));
        }
        routes.push(Route {
            id: id.clone(),
            url: process.url.clone(),
        });
        nodes.push((id, process));
    }
    let mut ctx = Ctx {
        http: Arc::clone(&http),
        token: token.clone(),
        routes: Arc::new(tokio::sync::Mutex::new(routes)),
        ids: (0..args.accounts)
            .map(|k| format!("c{tag}-{k:04}"))
            .collect(),
    };

    // Accounts, logged in.
    let started = Instant::now();
    create_accounts(&ctx).await?;
    eprintln!(
        "cluster: {} accounts created in {:.1} s; waiting for the logins",
        ctx.ids.len(),
        started.elapsed().as_secs_f64()
    );
    let (waited, accounts) = ctx
        .wait_accounts(
            "logins",
            Duration::from_secs(args.login_timeout_seconds),
            |a| a.online() && a.uin.is_some(),
        )
        .await;
    let logged_in = |a: &Account| a.online() && a.uin.is_some();
    let failed_logins = ctx.ids.len() - accounts.iter().filter(|a| logged_in(a)).count();
    if waited.is_err() && failed_logins <= args.allow_login_failures {
        report.note(format!(
            "{failed_logins} accounts did not log in within {} s and were left out of the test \
             (--allow-login-failures {}): {}",
            args.login_timeout_seconds,
            args.allow_login_failures,
            report::stragglers(&accounts, logged_in)
        ));
        let online: HashSet<&String> = accounts
            .iter()
            .filter(|a| logged_in(a))
            .map(|a| &a.id)
            .collect();
        ctx.ids.retain(|id| online.contains(id));
    } else if waited.is_err() {
        let sessions = sim.sessions().await.map(|s| s.len()).unwrap_or(0);
        return Err(format!(
            "not every account was online within {} s: {}; the simulator has {sessions} \
             sessions; e.g. {}",
            args.login_timeout_seconds,
            report::tally(&accounts),
            report::stragglers(&accounts, logged_in)
        )
        .into());
    }
    let accounts: Vec<Account> = accounts.into_iter().filter(|a| logged_in(a)).collect();
    report.login_time = started.elapsed();
    report.before = report::by_node(&accounts);
    let uins: HashMap<String, u64> = accounts
        .iter()
        .filter_map(|a| Some((a.id.clone(), a.uin?)))
        .collect();
    let holders: HashMap<String, String> = accounts
        .iter()
        .filter_map(|a| Some((a.id.clone(), a.node.clone()?)))
        .collect();
    eprintln!(
        "cluster: all {} online after {:.1} s ({})",
        accounts.len(),
        report.login_time.as_secs_f64(),
        report::tally(&accounts)
    );

    // Load, and sends meanwhile.
    let spec = LoadSpec {
        rate_per_s: args.rate,
        duration_ms: args.load_seconds * 1000,
        seed: 7,
    };
    report.load_total = spec.total();
    sim.start_load(spec).await?;
    let load_started = Instant::now();
    eprintln!(
        "cluster: load of {} messages over {} s started; {} sends through the API",
        spec.total(),
        args.load_seconds,
        args.sends
    );
    let sender = tokio::spawn(
        Sender {
            http: Arc::clone(&http),
            token: token.clone(),
            routes: Arc::clone(&ctx.routes),
            ids: ctx.ids.clone(),
            holders,
            tag: tag.clone(),
            count: args.sends,
            span: Duration::from_millis(args.load_seconds * 900),
        }
        .run(),
    );

    // The kill.
    tokio::time::sleep_until((load_started + Duration::from_secs(args.kill_after_seconds)).into())
        .await;
    let now = ctx.accounts().await.unwrap_or_default();
    let snapshot: HashMap<String, Value> = now
        .iter()
        .map(|a| (a.id.clone(), a.updated_at.clone()))
        .collect();
    // The deviations so far: those that come later are the takeover's.
    let deviations_before: HashMap<u64, usize> = sim
        .sessions()
        .await?
        .iter()
        .filter_map(|s| {
            let uin = s.get("uin").and_then(Value::as_u64)?;
            Some((uin, s.get("deviations").and_then(Value::as_array)?.len()))
        })
        .collect();
    let mut live = ctx.routes.lock().await;
    let victim = busiest(&live, &now).unwrap_or(0);
    let victim_id = live
        .get(victim)
        .map(|r| r.id.clone())
        .ok_or("no node to kill")?;
    let moved: HashSet<String> = now
        .iter()
        .filter(|a| a.node.as_deref() == Some(victim_id.as_str()))
        .map(|a| a.id.clone())
        .collect();
    let held = moved.len();
    live.retain(|r| r.id != victim_id);
    let killed_at = Instant::now();
    let Some((_, process)) = nodes.iter_mut().find(|(id, _)| *id == victim_id) else {
        return Err(format!("no process for {victim_id}").into());
    };
    let status = process.kill()?;
    eprintln!(
        "cluster: SIGKILLed {victim_id} holding {held} accounts at load+{:.1} s ({status})",
        load_started.elapsed().as_secs_f64()
    );
    report.victim = Some((victim_id.clone(), held));
    if restart {
        let process = config.start(&victim_id).await?;
        eprintln!(
            "cluster: {victim_id} started again at {} (pid {}) {:.1} s after the kill",
            process.url,
            process.pid(),
            killed_at.elapsed().as_secs_f64()
        );
        live.push(Route {
            id: victim_id.clone(),
            url: process.url.clone(),
        });
        if let Some(slot) = nodes.iter_mut().find(|(id, _)| *id == victim_id) {
            slot.1 = process;
        }
    }
    let survivors: HashSet<String> = live.iter().map(|r| r.id.clone()).collect();
    drop(live);

    // The takeover: every account online on a survivor (after a restart: its row written
    // since the kill, as the old process's rows still say online).
    let bound = lease * 2 + Duration::from_secs(args.takeover_slack_seconds);
    report.takeover_bound = bound;
    let (waited, after) = ctx
        .wait_accounts("takeover", bound + Duration::from_secs(30), |a| {
            a.online()
                && a.node.as_ref().is_some_and(|n| survivors.contains(n))
                && (!restart || snapshot.get(&a.id) != Some(&a.updated_at))
        })
        .await;
    let took = killed_at.elapsed();
    report.after = report::by_node(&after);
    match waited {
        Ok(_) => {
            report.takeover = Some(took);
            eprintln!(
                "cluster: takeover complete {:.1} s after the kill ({})",
                took.as_secs_f64(),
                report::tally(&after)
            );
            if took > bound {
                report.fail(format!(
                    "the takeover took {:.1} s, over 2 × {} s lease + {} s slack",
                    took.as_secs_f64(),
                    args.lease_seconds,
                    args.takeover_slack_seconds
                ));
            }
        }
        Err(_) => report.fail(format!(
            "the takeover was not complete {:.1} s after the kill: {}; e.g. {}",
            took.as_secs_f64(),
            report::tally(&after),
            report::stragglers(&after, |a| {
                a.online() && a.node.as_ref().is_some_and(|n| survivors.contains(n))
            })
        )),
    }

    // The end of the load and of the sends.
    let load_limit = Duration::from_secs(args.load_seconds + 30);
    loop {
        match sim.load_status().await {
            Ok(status) if !status.running => {
                report.load_skipped = status.skipped;
                report.load_queued = status.queued;
                break;
            }
            _ if load_started.elapsed() > load_limit => {
                report.fail(format!("the load was still running after {load_limit:?}"));
                break;
            }
            _ => tokio::time::sleep(Duration::from_millis(500)).await,
        }
    }
    let mut sends = match tokio::time::timeout(Duration::from_secs(60), sender).await {
        Ok(Ok(sends)) => sends,
        Ok(Err(e)) => return Err(format!("the sending task: {e}").into()),
        Err(_) => return Err("the sends did not end within 60 s of the load".into()),
    };
    eprintln!(
        "cluster: load ended ({} queued, {} skipped); waiting for the webhook and the sends",
        report.load_queued, report.load_skipped
    );

    // Settle: every load number at the webhook, every send final; then quiet.
    let settle_started = Instant::now();
    let settle = Duration::from_secs(args.settle_timeout_seconds);
    loop {
        let have = receiver.with(|r| r.load_numbers().len() as u64);
        let actions = poll_actions(&ctx, &mut sends).await;
        if have >= report.load_total && actions {
            break;
        }
        if settle_started.elapsed() > settle {
            eprintln!(
                "cluster: still missing after {settle:?}: {} load messages, sends final: {actions}",
                report.load_total.saturating_sub(have)
            );
            break;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let quiet_started = Instant::now();
    while quiet_started.elapsed() < Duration::from_secs(20) {
        let last = receiver.with(|r| r.last_post);
        if last.is_none_or(|t| t.elapsed() >= Duration::from_secs(3)) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    report.settle_time = settle_started.elapsed();

    // The checks.
    let sessions = sim.sessions().await?;
    let mut sent: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let wanted: HashSet<&String> = sends.iter().map(|s| &s.account).collect();
    for account in wanted {
        let Some(uin) = uins.get(account) else {
            continue;
        };
        sent.insert(account.clone(), sim.sent(*uin).await?);
    }
    let last = ctx.accounts().await.unwrap_or_default();
    for (id, process) in &mut nodes {
        if survivors.contains(id)
            && let Some(status) = process.exited()
        {
            report.fail(format!(
                "{id} ended during the test ({status}); its log:\n{}",
                procs::tail(&process.log, 30)
            ));
        }
    }
    receiver.with(|received| {
        report.check(&report::Evidence {
            received,
            sends: &sends,
            sent: &sent,
            sessions: &sessions,
            uins: &uins,
            last: &last,
            accounts: ctx.ids.len(),
            deviations_before: &deviations_before,
            moved: &moved,
        });
    });
    report.print();
    if !report.ok() {
        for (id, process) in &nodes {
            eprintln!(
                "cluster: the end of {id}'s log:\n{}",
                procs::tail(&process.log, 15)
            );
        }
    }
    Ok(report.ok())
}
