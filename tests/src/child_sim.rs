//! The simulator in a child process, for the benchmarks: the benchmark program runs itself again
//! with `--serve-sim` (and its own arguments), so nothing of the server is in the measured
//! process and the measurements do not disturb it. The child serves until its standard input
//! closes: when the parent drops [`ChildSim`], or dies.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::Duration;
use webwx_sim::{Scenario, Simulator};

/// Errors of the benchmark programs.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The child's side: serves `scenario`, says `listening on <url>` on standard output, and ends
/// when standard input closes.
pub fn serve(scenario: Scenario) -> Result<(), BoxError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
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
pub struct ChildSim {
    child: Child,
    /// Closed (dropped) to end the child.
    stdin: Option<ChildStdin>,
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
}

impl ChildSim {
    /// Runs this program again with `--serve-sim` and `args`, and waits for its address.
    pub fn spawn(args: &[String]) -> Result<ChildSim, BoxError> {
        let mut child = Command::new(std::env::current_exe()?)
            .arg("--serve-sim")
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let stdin = child.stdin.take();
        // From here on, dropping `sim` ends the child, whatever fails.
        let mut sim = ChildSim {
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

    /// The child's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for ChildSim {
    fn drop(&mut self) {
        drop(self.stdin.take());
        // It ends when its input closes; make sure.
        std::thread::sleep(Duration::from_millis(100));
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
