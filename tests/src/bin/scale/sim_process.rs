//! The simulator in its own process: this program run again with `--serve-sim`, so the
//! client's memory and CPU are measured apart from the server's. The parent talks to it through
//! the admin API (`/__sim/load`) and ends it by closing its standard input.

use bytes::Bytes;
use std::time::Duration;
use webwx_sim::{ContactSpec, LoadSpec, LoadStatus, Scenario};
use webwx_tests::child_sim::{self, BoxError, ChildSim};

/// The scenario of the benchmark: the phone confirms every login at once, each account has one
/// friend (so memory is measured with contacts aside), synccheck is held `hold_ms`.
fn scenario(hold_ms: u64) -> Scenario {
    let mut s = Scenario::default();
    s.phone.scan_after_ms = 0;
    s.phone.confirm_after_ms = 0;
    s.synccheck_hold_ms = hold_ms;
    s.contacts = ContactSpec {
        friends: 1,
        groups: 0,
        members_per_group: 0,
        officials: 0,
        page_size: 200,
    };
    s
}

/// The child's side: serve until standard input closes.
pub(crate) fn serve(hold_ms: u64) -> Result<(), BoxError> {
    child_sim::serve(scenario(hold_ms))
}

/// The parent's side: the running child, and a transport for its admin API.
pub(crate) struct SimProcess {
    child: ChildSim,
    /// `http://127.0.0.1:PORT`.
    pub(crate) base_url: String,
    admin: webwx_hyper::Transport,
}

impl SimProcess {
    /// Starts the child and waits for its address. Call within a tokio runtime.
    pub(crate) fn spawn(hold_ms: u64) -> Result<SimProcess, BoxError> {
        let child = ChildSim::spawn(&["--synccheck-hold-ms".into(), hold_ms.to_string()])?;
        Ok(SimProcess {
            base_url: child.base_url.clone(),
            child,
            admin: webwx_hyper::Transport::new(),
        })
    }

    /// The child's process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.pid()
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
