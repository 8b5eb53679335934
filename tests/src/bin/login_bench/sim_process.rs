//! The simulator in its own process: this program run again with `--serve-sim`, so that
//! nothing of the server is in the measured processes and the measurements do not disturb it.
//! It ends when its standard input closes (the parent dropped it, or died).

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::Duration;
use webwx_sim::Simulator;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The child's side: serves the heavy account's scenario until standard input closes.
pub(crate) fn serve(contacts: usize, page_size: usize) -> Result<(), BoxError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let scenario = webwx_tests::login_floor::heavy_scenario(contacts, page_size);
        let sim = Simulator::start(scenario).await?;
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
}

impl SimProcess {
    /// Starts the child and waits for its address.
    pub(crate) fn spawn(contacts: usize, page_size: usize) -> Result<SimProcess, BoxError> {
        let mut child = Command::new(std::env::current_exe()?)
            .arg("--serve-sim")
            .args(["--contacts", &contacts.to_string()])
            .args(["--page-size", &page_size.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let stdin = child.stdin.take();
        // From here on, dropping `sim` ends the child, whatever fails.
        let mut sim = SimProcess {
            child,
            stdin,
            base_url: String::new(),
        };
        let stdout = sim
            .child
            .stdout
            .take()
            .ok_or("no stdout of the simulator")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        sim.base_url = line
            .trim()
            .strip_prefix("listening on ")
            .ok_or_else(|| format!("the simulator said {line:?}"))?
            .to_string();
        Ok(sim)
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
