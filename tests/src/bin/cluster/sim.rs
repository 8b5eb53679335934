//! The simulator in a child process (this program run again with `--serve-sim`), and the calls
//! of its admin API the test makes.

use crate::BoxError;
use crate::api::Http;
use crate::procs::Process;
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;
use webwx_sim::{ContactSpec, LoadSpec, LoadStatus, Scenario};

/// The test's scenario: the phone scans and confirms each QR code within 0.2 s, synccheck is
/// held `hold_ms` (short, so a session long-polls often and a takeover shows quickly), each
/// account has `friends` friends, one small group and one official account.
fn scenario(hold_ms: u64, friends: usize) -> Scenario {
    let mut s = Scenario::default();
    s.phone.scan_after_ms = 100;
    s.phone.confirm_after_ms = 100;
    s.synccheck_hold_ms = hold_ms;
    s.contacts = ContactSpec {
        friends,
        groups: 1,
        members_per_group: 3,
        officials: 1,
        page_size: 200,
    };
    s
}

/// The child's side: serves until standard input closes.
pub(crate) fn serve(hold_ms: u64, friends: usize) -> Result<(), BoxError> {
    webwx_tests::child_sim::serve(scenario(hold_ms, friends))
}

/// The parent's side: the running simulator.
pub(crate) struct Sim {
    process: Process,
    http: Http,
}

impl Sim {
    /// Starts the child (its log at `log`) and waits for its address.
    pub(crate) async fn start(hold_ms: u64, friends: usize, log: PathBuf) -> Result<Sim, BoxError> {
        let mut command = Command::new(std::env::current_exe()?);
        command.args([
            "--serve-sim",
            "--synccheck-hold-ms",
            &hold_ms.to_string(),
            "--friends",
            &friends.to_string(),
        ]);
        let process = Process::spawn(command, log, "the simulator".into()).await?;
        Ok(Sim {
            process,
            http: Http::new(),
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub(crate) fn url(&self) -> &str {
        &self.process.url
    }

    /// The child's process id.
    pub(crate) fn pid(&self) -> u32 {
        self.process.pid()
    }

    async fn admin(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, BoxError> {
        let url = format!("{}/__sim/{path}", self.url());
        let (status, value) = self.http.call(method, &url, None, body.as_ref()).await?;
        if !status.is_success() {
            return Err(format!("simulator {method} {path}: {status}: {value}").into());
        }
        Ok(value)
    }

    /// Starts a load run.
    pub(crate) async fn start_load(&self, spec: LoadSpec) -> Result<(), BoxError> {
        self.admin("POST", "load", Some(serde_json::to_value(spec)?))
            .await
            .map(drop)
    }

    /// How the load run is going.
    pub(crate) async fn load_status(&self) -> Result<LoadStatus, BoxError> {
        Ok(serde_json::from_value(
            self.admin("GET", "load", None).await?,
        )?)
    }

    /// Every session (`GET /__sim/state`'s `sessions`: uin, live, deviations, ...).
    pub(crate) async fn sessions(&self) -> Result<Vec<Value>, BoxError> {
        let state = self.admin("GET", "state", None).await?;
        match state.get("sessions") {
            Some(Value::Array(list)) => Ok(list.clone()),
            _ => Err(format!("the simulator's state has no session list: {state}").into()),
        }
    }

    /// The contents of the messages the account `uin` sent, in order.
    pub(crate) async fn sent(&self, uin: u64) -> Result<Vec<String>, BoxError> {
        let list = self
            .admin("GET", &format!("sessions/{uin}/sent"), None)
            .await?;
        let Value::Array(list) = list else {
            return Err(format!("sent of {uin}: not a list: {list}").into());
        };
        Ok(list
            .iter()
            .map(|m| {
                m.get("content")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            })
            .collect())
    }
}
