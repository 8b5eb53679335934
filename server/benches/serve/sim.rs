//! The simulator in a child process (the pattern of `tests/src/child_sim.rs`): this benchmark
//! run again with `--serve-sim`, so the simulator's CPU is its own and nothing of it is in the
//! node's memory. It serves until its standard input closes: when the parent drops [`SimProcess`],
//! or dies. The parent talks to its admin API (`/__sim/load`).

use crate::BoxError;
use bytes::Bytes;
use std::io::Read;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::Duration;
use webwx_hyper::Transport;
use webwx_sim::{ContactSpec, LoadSpec, LoadStatus, Scenario, Simulator};

/// The scenario: the phone confirms every login at once, each account has `friends` friends and
/// nothing else (no groups, officials, scripted messages or contact changes), synccheck is held
/// `hold_ms` (the real server's 25 s by default), so an idle session is idle.
fn scenario(friends: usize, hold_ms: u64) -> Scenario {
    let mut s = Scenario::default();
    s.phone.scan_after_ms = 0;
    s.phone.confirm_after_ms = 0;
    s.synccheck_hold_ms = hold_ms;
    s.contact_events = Vec::new();
    s.messages.count = 0;
    s.contacts = ContactSpec {
        friends,
        groups: 0,
        members_per_group: 0,
        officials: 0,
        page_size: 200,
    };
    s
}

/// The child's side: serves the scenario, says `listening on <url>`, ends when standard input
/// closes.
pub(crate) fn serve(friends: usize, hold_ms: u64) -> Result<(), BoxError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let sim = Simulator::start(scenario(friends, hold_ms)).await?;
        println!("listening on {}", sim.base_url());
        tokio::task::spawn_blocking(|| {
            let mut sink = Vec::new();
            std::io::stdin().read_to_end(&mut sink)
        })
        .await??;
        drop(sim);
        Ok(())
    })
}

/// The parent's side: the running child.
pub(crate) struct SimProcess {
    child: Child,
    /// Closed (dropped) to end the child.
    stdin: Option<ChildStdin>,
    /// `http://127.0.0.1:PORT`.
    pub(crate) base_url: String,
    admin: Transport,
}

impl SimProcess {
    /// Runs this program again with `--serve-sim` and waits for its address.
    pub(crate) fn spawn(friends: usize, hold_ms: u64) -> Result<SimProcess, BoxError> {
        let mut child = Command::new(std::env::current_exe()?)
            .args(["--serve-sim", "--friends", &friends.to_string()])
            .args(["--synccheck-hold-ms", &hold_ms.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take();
        // From here on, dropping `sim` ends the child, whatever fails.
        let mut sim = SimProcess {
            child,
            stdin,
            base_url: String::new(),
            admin: Transport::new(),
        };
        let stdout = stdout.ok_or("no stdout of the simulator")?;
        let line = crate::node::first_line(stdout, Duration::from_secs(30))?;
        sim.base_url = line
            .trim()
            .strip_prefix("listening on ")
            .ok_or_else(|| format!("the simulator said {line:?}"))?
            .to_string();
        Ok(sim)
    }

    /// The child's process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    async fn admin(&self, method: &str, body: Option<Vec<u8>>) -> Result<Bytes, BoxError> {
        let request = http::Request::builder()
            .method(method)
            .uri(format!("{}/__sim/load", self.base_url))
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(Bytes::from(body.unwrap_or_default()))?;
        let response = self.admin.execute(request, Duration::from_secs(30)).await?;
        if !response.status().is_success() {
            return Err(format!(
                "the simulator answered {}: {}",
                response.status(),
                String::from_utf8_lossy(response.body())
            )
            .into());
        }
        Ok(response.into_body())
    }

    /// Starts a load run.
    pub(crate) async fn start_load(&self, spec: LoadSpec) -> Result<(), BoxError> {
        self.admin("POST", Some(serde_json::to_vec(&spec)?))
            .await
            .map(drop)
    }

    /// How the load run is going, and how many synccheck calls are held.
    pub(crate) async fn load_status(&self) -> Result<LoadStatus, BoxError> {
        let body = self.admin("GET", None).await?;
        Ok(serde_json::from_slice(&body)?)
    }
}

impl Drop for SimProcess {
    fn drop(&mut self) {
        drop(self.stdin.take());
        // It ends when its input closes; make sure.
        std::thread::sleep(Duration::from_millis(100));
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
