//! Prometheus metrics of a node (`GET /metrics`).

use crate::node::Node;
use crate::state::AccountState;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use std::time::Duration;

/// A request's labels.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

/// An account state's label.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct StateLabel {
    state: &'static str,
}

fn latency() -> Histogram {
    Histogram::new(exponential_buckets(0.0005, 2.0, 16))
}

/// The node's metrics.
#[derive(Debug)]
pub(crate) struct Metrics {
    registry: Registry,
    /// Messages received by this node's sessions.
    pub(crate) messages_received: Counter,
    /// Messages this node's sessions sent.
    pub(crate) messages_sent: Counter,
    /// Transient failures retried by this node's sessions.
    pub(crate) retries: Counter,
    /// Accounts this node took over.
    pub(crate) takeovers: Counter,
    /// Session tasks that ended on this node.
    pub(crate) sessions_ended: Counter,
    /// Webhook deliveries that succeeded.
    pub(crate) webhook_delivered: Counter,
    /// Webhook deliveries that failed (and will be tried again).
    pub(crate) webhook_failed: Counter,
    requests: Family<RequestLabels, Histogram, fn() -> Histogram>,
    accounts: Family<StateLabel, Gauge>,
    node_sessions: Gauge,
    webhook_backlog: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::default();
        let m = Metrics {
            messages_received: Counter::default(),
            messages_sent: Counter::default(),
            retries: Counter::default(),
            takeovers: Counter::default(),
            sessions_ended: Counter::default(),
            webhook_delivered: Counter::default(),
            webhook_failed: Counter::default(),
            requests: Family::new_with_constructor(latency as fn() -> Histogram),
            accounts: Family::default(),
            node_sessions: Gauge::default(),
            webhook_backlog: Gauge::default(),
            registry: Registry::default(),
        };
        registry.register(
            "webwx_messages_received",
            "Messages received by this node's sessions",
            m.messages_received.clone(),
        );
        registry.register(
            "webwx_messages_sent",
            "Messages sent by this node's sessions",
            m.messages_sent.clone(),
        );
        registry.register(
            "webwx_retries",
            "Transient failures retried by this node's sessions",
            m.retries.clone(),
        );
        registry.register(
            "webwx_takeovers",
            "Accounts this node took over from a node that stopped",
            m.takeovers.clone(),
        );
        registry.register(
            "webwx_sessions_ended",
            "Session tasks that ended on this node",
            m.sessions_ended.clone(),
        );
        registry.register(
            "webwx_webhook_delivered",
            "Events the webhook accepted",
            m.webhook_delivered.clone(),
        );
        registry.register(
            "webwx_webhook_failed",
            "Webhook deliveries that failed and will be tried again",
            m.webhook_failed.clone(),
        );
        registry.register(
            "webwx_http_request_duration_seconds",
            "API request latency by route and status",
            m.requests.clone(),
        );
        registry.register(
            "webwx_accounts",
            "Accounts by state (all nodes)",
            m.accounts.clone(),
        );
        registry.register(
            "webwx_node_sessions",
            "Sessions this node runs",
            m.node_sessions.clone(),
        );
        registry.register(
            "webwx_webhook_backlog",
            "Events not yet delivered to the webhook (all nodes)",
            m.webhook_backlog.clone(),
        );
        Metrics { registry, ..m }
    }
}

impl Metrics {
    /// Counts an API request.
    pub(crate) fn observe_request(
        &self,
        method: String,
        route: String,
        status: u16,
        took: Duration,
    ) {
        self.requests
            .get_or_create(&RequestLabels {
                method,
                route,
                status,
            })
            .observe(took.as_secs_f64());
    }

    /// The metrics as text, with the gauges read now.
    pub(crate) async fn render(&self, node: &Node) -> String {
        if let Ok(states) = node.db.account_states().await {
            for state in AccountState::ALL {
                let n = states
                    .iter()
                    .find(|(s, _)| s == state.as_str())
                    .map_or(0, |(_, n)| *n);
                self.accounts
                    .get_or_create(&StateLabel {
                        state: state.as_str(),
                    })
                    .set(n);
            }
        }
        if let Ok(backlog) = node.db.webhook_backlog().await {
            self.webhook_backlog.set(backlog);
        }
        self.node_sessions
            .set(i64::try_from(node.session_count()).unwrap_or(i64::MAX));
        let mut out = String::new();
        if let Err(e) = prometheus_client::encoding::text::encode(&mut out, &self.registry) {
            tracing::warn!(error = %e, "cannot encode the metrics");
        }
        out
    }
}
