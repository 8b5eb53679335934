//! `webwx serve`'s options (command-line flags, shared with the `webwx` binary).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// How a node runs. Its `Debug` hides the secrets and the database URL's password.
#[derive(Clone, clap::Args)]
pub struct Options {
    /// Where the API listens. Only loopback unless you say otherwise: the API holds the
    /// accounts, so put it behind TLS and a firewall before you open it.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Where the other nodes reach this node's API (they forward to the node holding an
    /// account what only it can do: media downloads). Default: `http://` and the address it
    /// listens on.
    #[arg(long)]
    pub advertise_url: Option<String>,
    /// The state: `sqlite://FILE` (one node; the file is made when missing) or
    /// `postgres://USER@HOST/DB` (any number of nodes sharing it).
    #[arg(long, default_value = "sqlite://webwx-serve.db")]
    pub database: String,
    /// This node's name in leases and logs (default: a random one). A node started again with
    /// the name it had takes its accounts back at once instead of after their leases run out.
    #[arg(long)]
    pub node_id: Option<String>,
    /// How long a node holds an account without renewing it; a dead node's accounts are
    /// taken over after at most this long (renewed every third of it).
    #[arg(long, default_value_t = 15, value_parser = clap::value_parser!(u64).range(2..=3600))]
    pub lease_seconds: u64,
    /// Where every event is POSTed (signed with HMAC-SHA256 under `WEBWX_WEBHOOK_SECRET`).
    #[arg(long)]
    pub webhook_url: Option<String>,
    /// The webhook's signing key (from the environment only, so it is not in `ps`).
    #[arg(skip = Secret::from_env("WEBWX_WEBHOOK_SECRET"))]
    pub webhook_secret: Option<Secret>,
    /// An admin token (every account) to make sure of (from the environment only).
    #[arg(skip = Secret::from_env("WEBWX_ADMIN_TOKEN"))]
    pub admin_token: Option<Secret>,
    /// How long delivered events and finished actions are kept, in hours (SSE streams can
    /// resume, and repeats of a message are recognised, within this time).
    #[arg(long, default_value_t = 168, value_parser = clap::value_parser!(u64).range(1..=87_600))]
    pub retention_hours: u64,
    /// The largest file an API client may upload to send, in bytes.
    #[arg(long, default_value_t = 25 * 1024 * 1024)]
    pub max_upload_bytes: usize,
    /// Where the first admin token is written (mode 0600) when the database has no token and
    /// `WEBWX_ADMIN_TOKEN` is not set.
    #[arg(long, default_value = "webwx-admin-token")]
    pub token_file: PathBuf,
    /// The login origin (default: the real service). For a simulator:
    /// `http://127.0.0.1:PORT` with `--allow-host 127.0.0.1`.
    #[arg(long)]
    pub login_origin: Option<String>,
    /// A host sessions may be sent to besides the real service's (a simulator's).
    #[arg(long)]
    pub allow_host: Vec<String>,
    /// Short timeouts and retries, for tests against a simulator on loopback.
    #[arg(long, hide = true)]
    pub test_timing: bool,
}

impl Options {
    /// Options from command-line arguments (without the program's name), with the secrets
    /// read from the environment, for embedding and tests.
    pub fn from_args<I, T>(args: I) -> Result<Options, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        #[derive(clap::Parser)]
        struct Wrapper {
            #[command(flatten)]
            options: Options,
        }
        let args = std::iter::once(std::ffi::OsString::from("webwx-serve"))
            .chain(args.into_iter().map(Into::into));
        <Wrapper as clap::Parser>::try_parse_from(args).map(|w| w.options)
    }

    /// The lease period.
    pub fn lease(&self) -> Duration {
        Duration::from_secs(self.lease_seconds)
    }
}

/// A secret option: never shown by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// A secret.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The environment variable `name`, unless unset or empty.
    pub fn from_env(name: &str) -> Option<Secret> {
        std::env::var(name)
            .ok()
            .filter(|v| !v.is_empty())
            .map(Secret)
    }

    /// The secret itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("listen", &self.listen)
            .field("database", &without_password(&self.database))
            .field("node_id", &self.node_id)
            .field("advertise_url", &self.advertise_url)
            .field("lease_seconds", &self.lease_seconds)
            .field(
                "webhook_url",
                &self.webhook_url.as_deref().map(without_password),
            )
            .field("webhook_secret", &self.webhook_secret)
            .field("admin_token", &self.admin_token)
            .field("retention_hours", &self.retention_hours)
            .field("max_upload_bytes", &self.max_upload_bytes)
            .field("token_file", &self.token_file)
            .field("login_origin", &self.login_origin)
            .field("allow_host", &self.allow_host)
            .field("test_timing", &self.test_timing)
            .finish()
    }
}

/// `url` with its password (if any) replaced by `***`, and its query (which may carry one)
/// left out.
pub(crate) fn without_password(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            if parsed.password().is_some() {
                let _ = parsed.set_password(Some("***"));
            }
            if parsed.query().is_some() {
                parsed.set_query(Some("..."));
            }
            parsed.to_string()
        }
        Err(_) => "(not a URL)".to_string(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::{Options, Secret};

    #[test]
    fn debug_shows_no_secret() {
        let mut options = Options::from_args([
            "--database",
            "postgres://wx:hunter2@db.example/wx?password=hunter3",
            "--webhook-url",
            "https://bot:hunter4@hooks.example/in",
        ])
        .unwrap();
        options.admin_token = Some(Secret::new("wxs_hunter5"));
        options.webhook_secret = Some(Secret::new("hunter6"));
        let shown = format!("{options:?}");
        for secret in ["hunter2", "hunter3", "hunter4", "hunter5", "hunter6"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(shown.contains("db.example"), "{shown}");
    }
}
