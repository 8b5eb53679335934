//! The login benchmark of issue 17: whole-process CPU and peak memory of `webwx login` with a
//! heavy account (20,000 contacts by default) against the simulator, beside its floor, and of
//! `webwx contacts` and `webwx send` on the saved session.
//!
//! ```sh
//! cargo build --release -p webwx-cli -p webwx-tests
//! cargo run --release -p webwx-tests --bin login_bench            # -- --contacts 20000 --runs 3
//! ```
//!
//! - The simulator runs in a child process (this program again, with `--serve-sim`), serving
//!   [`webwx_tests::login_floor::heavy_scenario`]: an account of N contacts of a real account's
//!   shape, whose phone scans and confirms the QR login at once.
//! - `webwx login --server <sim> --session <tmp>/session.json` is the real CLI binary (found
//!   next to this program, or given with `--webwx`), logging in through the QR flow it shows a
//!   person (the QR code goes to its standard error, here `/dev/null`).
//! - The floor is this program again with `--floor <sim>`: the same answers fetched from the
//!   same simulator through the same transport with hand-built requests, each JSON answer
//!   decoded and parsed into a `serde_json::Value`, nothing kept, nothing saved
//!   ([`webwx_tests::login_floor`]).
//! - `webwx contacts --search <text matching nobody>` and `webwx send --to <a remark> hi` run on
//!   the session the login saved. Both resume it, which talks to the server (one `webwxsync`
//!   probe; `send` also its `webwxsendmsg`), and both write the session file again.
//!
//! Every program is measured as a whole process: user + system CPU and peak resident memory
//! as the kernel reports them when the process is reaped (see `measure.rs`). One unreported
//! warm-up round, then `--runs` rounds, each measuring all four in turn (the floor and the login
//! alternate which goes first); the table gives medians. Linux only.

#![forbid(unsafe_code)]
#![allow(clippy::print_stdout)]

mod measure;

use clap::Parser;
use measure::Usage;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;
use webwx_tests::child_sim::{self, ChildSim};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// `webwx login` with a heavy account against the simulator, beside its floor.
#[derive(Parser, Debug)]
#[command(name = "login_bench")]
struct Args {
    /// Contacts of the account (all kinds together, as `webwxgetcontact` lists them).
    #[arg(long, default_value_t = 20_000)]
    contacts: usize,
    /// Measured rounds (each: floor, login, contacts, send).
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Contacts per `webwxgetcontact` page (the official page reads at most 17 pages).
    #[arg(long, default_value_t = 5_000)]
    page_size: usize,
    /// The `webwx` binary (default: next to this program, i.e. `target/release/webwx`).
    #[arg(long)]
    webwx: Option<PathBuf>,
    /// How long any one measured program may run.
    #[arg(long, default_value_t = 120)]
    timeout_secs: u64,
    /// Runs as the simulator process (used by the benchmark itself).
    #[arg(long, hide = true)]
    serve_sim: bool,
    /// Runs the floor against this simulator (used by the benchmark itself).
    #[arg(long, hide = true)]
    floor: Option<String>,
    /// Runs as a measurer of the command after `--` (used by the benchmark itself).
    #[arg(long, hide = true)]
    measure: bool,
    /// The measurer: where the measured program's standard output goes.
    #[arg(long, hide = true)]
    stdout: Option<PathBuf>,
    /// The measurer: where its report goes.
    #[arg(long, hide = true)]
    report: Option<PathBuf>,
    /// The measurer's command.
    #[arg(last = true, hide = true)]
    command: Vec<String>,
}

fn main() -> Result<(), BoxError> {
    let args = Args::parse();
    if args.serve_sim {
        return child_sim::serve(webwx_tests::login_floor::heavy_scenario(
            args.contacts,
            args.page_size,
        ));
    }
    if let Some(url) = &args.floor {
        return floor(url);
    }
    if args.measure {
        let stdout = args.stdout.as_deref().ok_or("--measure needs --stdout")?;
        let report = args.report.as_deref().ok_or("--measure needs --report")?;
        let timeout = Duration::from_secs(args.timeout_secs);
        return measure::measure(timeout, stdout, report, &args.command);
    }
    bench(&args)
}

/// The floor process: fetches the login's answers, prints what it fetched as JSON.
fn floor(url: &str) -> Result<(), BoxError> {
    // As the CLI builds its runtime.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let fetched = runtime.block_on(async {
        let transport = webwx_hyper::Transport::new();
        webwx_tests::login_floor::fetch_login(&transport, url, |_, _| {}).await
    })?;
    let report = serde_json::json!({
        "requests": fetched.requests,
        "wire_bytes": fetched.wire_bytes,
        "decoded_bytes": fetched.decoded_bytes,
        "pages": fetched.pages,
        "contacts": fetched.contacts,
        "batched_groups": fetched.batched_groups,
    });
    println!("{report}");
    Ok(())
}

/// A scratch folder, removed when dropped (also on failure).
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<TempDir, BoxError> {
        let path = std::env::temp_dir().join(format!("webwx-login-bench-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path)?;
        Ok(TempDir(path))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Every file in `dir` and its size, by name.
fn files(dir: &Path) -> Result<Vec<(String, u64)>, BoxError> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            out.push((
                entry.file_name().to_string_lossy().into_owned(),
                entry.metadata()?.len(),
            ));
        }
    }
    out.sort();
    Ok(out)
}

/// A friend's remark name found in the session files of `dir` (a plain one: no emoji span, no
/// entity), for `webwx send --to`. Looks at every JSON file, whatever its layout.
fn a_remark(dir: &Path) -> Result<Option<String>, BoxError> {
    fn walk(v: &Value) -> Option<String> {
        match v {
            Value::Object(map) => {
                let remark = ["RemarkName", "remark_name"]
                    .iter()
                    .find_map(|k| map.get(*k).and_then(Value::as_str))
                    .filter(|r| !r.is_empty() && !r.contains(['<', '&']));
                let friend = ["UserName", "user_name"]
                    .iter()
                    .find_map(|k| map.get(*k).and_then(Value::as_str))
                    .is_some_and(|u| u.starts_with('@') && !u.starts_with("@@"));
                match remark {
                    Some(r) if friend => Some(r.to_string()),
                    _ => map.values().find_map(walk),
                }
            }
            Value::Array(items) => items.iter().find_map(walk),
            _ => None,
        }
    }
    for (name, _) in files(dir)? {
        if let Ok(v) = serde_json::from_slice::<Value>(&std::fs::read(dir.join(&name))?)
            && let Some(r) = walk(&v)
        {
            return Ok(Some(r));
        }
    }
    Ok(None)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v.get(n / 2).copied().unwrap_or(0.0),
        n => {
            (v.get(n / 2 - 1).copied().unwrap_or(0.0) + v.get(n / 2).copied().unwrap_or(0.0)) / 2.0
        }
    }
}

/// The measurements of one program over the rounds.
#[derive(Default)]
struct Series(Vec<Usage>);

impl Series {
    fn cpu_ms(&self) -> f64 {
        median(self.0.iter().map(Usage::cpu_ms).collect())
    }
    fn user_ms(&self) -> f64 {
        median(self.0.iter().map(|u| u.user_us as f64 / 1000.0).collect())
    }
    fn sys_ms(&self) -> f64 {
        median(self.0.iter().map(|u| u.sys_us as f64 / 1000.0).collect())
    }
    fn rss_mib(&self) -> f64 {
        median(
            self.0
                .iter()
                .map(|u| u.max_rss_kib as f64 / 1024.0)
                .collect(),
        )
    }
    fn wall_ms(&self) -> f64 {
        median(self.0.iter().map(|u| u.wall_ms).collect())
    }
    fn row(&self, what: &str) -> String {
        format!(
            "| {what} | **{:.0} ms** | {:.0} / {:.0} ms | **{:.1} MiB** | {:.0} ms |",
            self.cpu_ms(),
            self.user_ms(),
            self.sys_ms(),
            self.rss_mib(),
            self.wall_ms()
        )
    }
    fn each(&self) -> String {
        let runs: Vec<String> = self
            .0
            .iter()
            .map(|u| {
                format!(
                    "{:.0} ms / {:.1} MiB",
                    u.cpu_ms(),
                    u.max_rss_kib as f64 / 1024.0
                )
            })
            .collect();
        runs.join(", ")
    }
}

/// Everything the rounds measured.
#[derive(Default)]
struct Results {
    floor: Series,
    login: Series,
    contacts: Series,
    send: Series,
}

/// One program to measure: its command line, where its standard output goes, and what its
/// output must say.
struct Job<'a> {
    command: Vec<String>,
    expect: &'a str,
}

fn bench(args: &Args) -> Result<(), BoxError> {
    let webwx = match &args.webwx {
        Some(p) => p.clone(),
        None => std::env::current_exe()?
            .parent()
            .ok_or("no folder of this program")?
            .join("webwx"),
    };
    if !webwx.is_file() {
        return Err(format!(
            "no webwx binary at {}: build it first (`cargo build --release -p webwx-cli`) or give --webwx",
            webwx.display()
        )
        .into());
    }
    let webwx = webwx.to_string_lossy().into_owned();
    let me = std::env::current_exe()?.to_string_lossy().into_owned();
    let timeout = Duration::from_secs(args.timeout_secs);
    let tmp = TempDir::new()?;
    let sim = ChildSim::spawn(&[
        "--contacts".into(),
        args.contacts.to_string(),
        "--page-size".into(),
        args.page_size.to_string(),
    ])?;
    eprintln!(
        "simulator at {}; {} contacts, {} per page; webwx at {webwx}",
        sim.base_url, args.contacts, args.page_size
    );
    let out = tmp.0.join("stdout.txt");
    let report = tmp.0.join("report.json");
    let run = |job: &Job<'_>| -> Result<(Usage, String), BoxError> {
        let usage = measure::run(timeout, &out, &report, &job.command)?;
        let said = std::fs::read_to_string(&out)?;
        if !said.contains(job.expect) {
            return Err(format!("{:?} said {said:?}, not {:?}", job.command, job.expect).into());
        }
        Ok((usage, said))
    };

    let mut results = Results::default();
    let mut floor_fetched = Value::Null;
    let mut login_said = String::new();
    let mut files_after_login = Vec::new();
    let mut files_after_send = Vec::new();
    let mut to = String::new();
    for round in 0..=args.runs {
        let warm_up = round == 0;
        let dir = tmp.0.join(format!("round-{round}"));
        std::fs::create_dir_all(&dir)?;
        let session = dir.join("session.json").to_string_lossy().into_owned();
        let cli = |rest: &[&str]| -> Vec<String> {
            let mut c = vec![webwx.clone(), "--server".into(), sim.base_url.clone()];
            c.extend(["--session".to_string(), session.clone()]);
            c.extend(rest.iter().map(|s| s.to_string()));
            c
        };
        let floor_job = Job {
            command: vec![me.clone(), "--floor".into(), sim.base_url.clone()],
            expect: "\"contacts\"",
        };
        let login_job = Job {
            command: cli(&["login"]),
            expect: "session saved to",
        };
        // The floor and the login alternate which goes first.
        let (floor, login) = if round % 2 == 0 {
            let f = run(&floor_job)?;
            (f, run(&login_job)?)
        } else {
            let l = run(&login_job)?;
            (run(&floor_job)?, l)
        };
        let fetched: Value = serde_json::from_str(floor.1.trim())?;
        let got = fetched.get("contacts").and_then(Value::as_u64).unwrap_or(0);
        if got != args.contacts as u64 {
            return Err(format!("the floor fetched {got} contacts, not {}", args.contacts).into());
        }
        let count = login
            .1
            .split(" contacts)")
            .next()
            .and_then(|s| s.rsplit('(').next())
            .and_then(|n| n.trim().parse::<usize>().ok())
            .unwrap_or(0);
        if count < args.contacts {
            return Err(format!("webwx login said {:?}: too few contacts", login.1).into());
        }
        let written = files(&dir)?;
        to = a_remark(&dir)?.ok_or("no friend with a remark in the saved session")?;
        let contacts = run(&Job {
            command: cli(&["contacts", "--search", "没有这个人 no such contact"]),
            expect: "kind",
        })?;
        let send = run(&Job {
            command: cli(&["send", "--to", &to, "hi"]),
            expect: "sent to",
        })?;
        eprintln!(
            "round {round}{}: floor {:.0} ms {:.1} MiB, login {:.0} ms {:.1} MiB, contacts {:.0} ms, send {:.0} ms",
            if warm_up { " (warm-up)" } else { "" },
            floor.0.cpu_ms(),
            floor.0.max_rss_kib as f64 / 1024.0,
            login.0.cpu_ms(),
            login.0.max_rss_kib as f64 / 1024.0,
            contacts.0.cpu_ms(),
            send.0.cpu_ms()
        );
        if warm_up {
            continue;
        }
        results.floor.0.push(floor.0);
        results.login.0.push(login.0);
        results.contacts.0.push(contacts.0);
        results.send.0.push(send.0);
        floor_fetched = fetched;
        login_said = login.1.trim().to_string();
        files_after_login = written;
        files_after_send = files(&dir)?;
        // Each round's session is done with; keep the folder small.
        std::fs::remove_dir_all(&dir)?;
    }
    drop(sim);

    let r = &results;
    let ratio = |a: f64, b: f64| a / b.max(1e-9);
    println!("# webwx login benchmark");
    println!();
    println!(
        "{} contacts ({} per webwxgetcontact page), {} runs (medians), {} CPUs",
        args.contacts,
        args.page_size,
        args.runs,
        std::thread::available_parallelism().map_or(0, usize::from)
    );
    println!();
    println!("| whole process | CPU (user + sys) | user / sys | peak RSS | wall |");
    println!("|---|---|---|---|---|");
    println!(
        "{}",
        r.floor
            .row("floor: the same answers fetched, each parsed into `Value`")
    );
    println!("{}", r.login.row("`webwx login`"));
    println!(
        "| `webwx login` ÷ floor | **{:.2}×** | | **{:.2}×** | |",
        ratio(r.login.cpu_ms(), r.floor.cpu_ms()),
        ratio(r.login.rss_mib(), r.floor.rss_mib())
    );
    println!("{}", r.contacts.row("`webwx contacts --search <nobody>`"));
    println!("{}", r.send.row(&format!("`webwx send --to {to} hi`")));
    println!();
    println!("Each run (CPU / peak RSS):");
    println!();
    println!("- floor: {}", r.floor.each());
    println!("- login: {}", r.login.each());
    println!("- contacts: {}", r.contacts.each());
    println!("- send: {}", r.send.each());
    println!();
    println!("The floor fetched: {floor_fetched}");
    println!("webwx login said: {login_said}");
    println!();
    let list = |files: &[(String, u64)]| {
        files
            .iter()
            .map(|(n, s)| format!("{n} {:.2} MB ({s} bytes)", *s as f64 / 1e6))
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!(
        "Files beside --session after the login: {}",
        list(&files_after_login)
    );
    println!(
        "... and after contacts and send: {}",
        list(&files_after_send)
    );
    println!();
    let verdict = |ok: bool| if ok { "met" } else { "NOT met" };
    let cpu_ratio = ratio(r.login.cpu_ms(), r.floor.cpu_ms());
    println!("Targets of issue 17:");
    println!();
    println!(
        "- login CPU ≤ 1.0× the floor: {:.2}× — {}",
        cpu_ratio,
        verdict(cpu_ratio <= 1.0)
    );
    println!(
        "- login peak RSS ≤ 32 MiB: {:.1} MiB (floor {:.1} MiB) — {}",
        r.login.rss_mib(),
        r.floor.rss_mib(),
        verdict(r.login.rss_mib() <= 32.0)
    );
    println!(
        "- contacts ≤ 50 ms CPU: {:.0} ms — {}; send ≤ 50 ms CPU: {:.0} ms — {}",
        r.contacts.cpu_ms(),
        verdict(r.contacts.cpu_ms() <= 50.0),
        r.send.cpu_ms(),
        verdict(r.send.cpu_ms() <= 50.0)
    );
    Ok(())
}
