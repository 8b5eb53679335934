//! What the `webwx` program tests share: running the binary, and an account logged in with
//! `webwx login` against a simulator.
// Each test file uses a part of this.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};
use webwx_sim::{Scenario, Simulator};

/// The `webwx` binary with `args`.
pub(crate) fn command(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_webwx"));
    command.args(args);
    command
}

/// Runs `webwx` with `args` to its end.
pub(crate) fn webwx(args: &[&str]) -> Output {
    command(args).output().unwrap()
}

/// Standard output and standard error, for failure messages.
pub(crate) fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Waits for `child` to end; kills it after `limit` (`None`).
fn wait_or_kill(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Waits for `child` to end, killing it (and failing) after `limit`.
pub(crate) fn wait_within(child: &mut Child, limit: Duration) -> ExitStatus {
    match wait_or_kill(child, limit) {
        Some(status) => status,
        None => {
            let _ = child.wait();
            panic!("webwx did not end within {limit:?}");
        }
    }
}

/// Reads lines from `out` until one satisfies `wanted`, within `limit` (the reader comes back
/// with it, to read on or to close).
pub(crate) fn read_until(
    out: BufReader<ChildStdout>,
    limit: Duration,
    wanted: impl Fn(&str) -> bool + Send + 'static,
) -> (String, BufReader<ChildStdout>) {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut out = out;
        loop {
            let mut line = String::new();
            match out.read_line(&mut line) {
                Ok(0) | Err(_) => {
                    let _ = tx.send(None);
                    return;
                }
                Ok(_) if wanted(line.trim_end()) => {
                    let _ = tx.send(Some((line.trim_end().to_string(), out)));
                    return;
                }
                Ok(_) => {}
            }
        }
    });
    match rx.recv_timeout(limit) {
        Ok(Some(found)) => found,
        Ok(None) => panic!("webwx's output ended before the line"),
        Err(_) => panic!("no such line within {limit:?}"),
    }
}

/// Whether a `--json` line is a message event with this text.
pub(crate) fn is_message(line: &str, text: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(line)
        .is_ok_and(|v| v["event"] == "message" && v["text"] == text)
}

/// An account of a simulator, logged in with `webwx login`; its session file in a folder of
/// its own (removed on drop).
pub(crate) struct Account {
    sim: Option<Simulator>,
    pub(crate) base: String,
    pub(crate) dir: PathBuf,
    pub(crate) file: PathBuf,
    pub(crate) uin: u64,
    pub(crate) friend: String,
}

impl Account {
    /// A simulator with a quick phone, and `webwx login` against it. The session file is two
    /// folders down, so that `login` creates them.
    pub(crate) fn login(name: &str, scenario: Scenario) -> Account {
        let mut scenario = scenario;
        scenario.phone.scan_after_ms = 100;
        scenario.phone.confirm_after_ms = 100;
        scenario.synccheck_hold_ms = 500;
        let sim = Simulator::spawn(scenario).unwrap();
        let base = sim.base_url();
        let dir = std::env::temp_dir().join(format!("webwx-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let file = dir.join("config").join("webwx").join("session.json");
        let mut account = Account {
            sim: Some(sim),
            base,
            dir,
            file,
            uin: 0,
            friend: String::new(),
        };
        let login = account.run(&["login"]);
        assert!(login.status.success(), "{}", text(&login));
        let sessions = account.sim().sessions();
        account.uin = sessions[0].uin;
        account.friend = sessions[0].friends[1].clone();
        account
    }

    /// The simulator (until [`Account::stop_server`]).
    pub(crate) fn sim(&self) -> &Simulator {
        self.sim.as_ref().expect("the simulator was stopped")
    }

    /// Stops the simulator: from now on the server cannot be reached.
    pub(crate) fn stop_server(&mut self) {
        self.sim = None;
    }

    /// `--server` and `--session` for this account, then `args`.
    pub(crate) fn args<'a>(&'a self, args: &[&'a str]) -> Vec<&'a str> {
        let mut all = vec![
            "--server",
            self.base.as_str(),
            "--session",
            self.file.to_str().unwrap(),
        ];
        all.extend_from_slice(args);
        all
    }

    /// Runs `webwx` for this account to its end.
    pub(crate) fn run(&self, args: &[&str]) -> Output {
        webwx(&self.args(args))
    }

    /// Runs `webwx` for this account, killing it (and failing) after `limit`.
    pub(crate) fn run_within(&self, args: &[&str], limit: Duration) -> Output {
        let mut child = command(&self.args(args))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let mut stderr = child.stderr.take().unwrap();
        let out = std::thread::spawn(move || {
            let mut s = Vec::new();
            let _ = stdout.read_to_end(&mut s);
            s
        });
        let err = std::thread::spawn(move || {
            let mut s = Vec::new();
            let _ = stderr.read_to_end(&mut s);
            s
        });
        let ended = wait_or_kill(&mut child, limit);
        let output = Output {
            status: ended.unwrap_or_else(|| child.wait().unwrap()),
            stdout: out.join().unwrap(),
            stderr: err.join().unwrap(),
        };
        if ended.is_none() {
            panic!(
                "`webwx {}` did not end within {limit:?}:\n{}",
                args.join(" "),
                text(&output)
            );
        }
        output
    }

    /// Starts `webwx listen --json` for this account, its output piped.
    pub(crate) fn spawn_listen(&self) -> Child {
        command(&self.args(&["listen", "--json"]))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }

    /// Queues a text message from the friend.
    pub(crate) fn inject(&self, text: &str) {
        self.sim()
            .inject_text(self.uin, Some(&self.friend), text)
            .unwrap();
    }
}

impl Drop for Account {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
