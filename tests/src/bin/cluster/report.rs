//! The checks after the run, and the summary.

use crate::api::Account;
use crate::receiver::Received;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::time::Duration;

/// How many examples a failure lists.
const EXAMPLES: usize = 10;

/// One text sent through the API.
#[derive(Clone, Debug)]
pub(crate) struct SendRecord {
    /// The account.
    pub(crate) account: String,
    /// The unique text.
    pub(crate) text: String,
    /// The node the request went to.
    pub(crate) via: String,
    /// The node holding the account when the load started.
    pub(crate) holder: Option<String>,
    /// The HTTP status of the request (0: no answer).
    pub(crate) status: u16,
    /// The action id the node answered.
    pub(crate) action: Option<String>,
    /// The action's last status (`done`, `pending`, `failed`, ...).
    pub(crate) outcome: Option<String>,
    /// Why the request failed.
    pub(crate) error: Option<String>,
}

/// What the checks look at, besides the report itself.
pub(crate) struct Evidence<'a> {
    /// The webhook receiver's records.
    pub(crate) received: &'a Received,
    /// The API sends.
    pub(crate) sends: &'a [SendRecord],
    /// The simulator's sent texts, by account.
    pub(crate) sent: &'a BTreeMap<String, Vec<String>>,
    /// The simulator's sessions.
    pub(crate) sessions: &'a [Value],
    /// The uin of each account.
    pub(crate) uins: &'a HashMap<String, u64>,
    /// The accounts as the API listed them at the end.
    pub(crate) last: &'a [Account],
    /// How many accounts the run created.
    pub(crate) accounts: usize,
    /// How many deviations each session (by uin) had just before the kill.
    pub(crate) deviations_before: &'a HashMap<u64, usize>,
    /// The accounts the killed node held.
    pub(crate) moved: &'a HashSet<String>,
}

/// The run's figures and failures.
#[derive(Debug, Default)]
pub(crate) struct Report {
    nodes: usize,
    accounts: usize,
    database: String,
    lease_seconds: u64,
    /// From the first creation to every account online.
    pub(crate) login_time: Duration,
    /// Accounts by node after the logins.
    pub(crate) before: BTreeMap<String, usize>,
    /// Accounts by node after the takeover.
    pub(crate) after: BTreeMap<String, usize>,
    /// The node killed, and how many accounts it held.
    pub(crate) victim: Option<(String, usize)>,
    /// From the kill to every account online on a survivor.
    pub(crate) takeover: Option<Duration>,
    /// What the takeover may take.
    pub(crate) takeover_bound: Duration,
    /// The part of the bound beyond two leases.
    pub(crate) slack_seconds: u64,
    /// Load messages of the run.
    pub(crate) load_total: u64,
    /// Load messages the simulator queued.
    pub(crate) load_queued: u64,
    /// Load messages the simulator skipped (their session had ended).
    pub(crate) load_skipped: u64,
    /// From the end of the load to the last check.
    pub(crate) settle_time: Duration,
    lines: Vec<String>,
    notes: Vec<String>,
    failures: Vec<String>,
}

/// `online 250, login 50` of a listing.
pub(crate) fn tally(accounts: &[Account]) -> String {
    let mut by_state: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for a in accounts {
        *by_state
            .entry((a.state.as_str(), a.node.as_deref().unwrap_or("-")))
            .or_default() += 1;
    }
    by_state
        .iter()
        .map(|((state, node), n)| format!("{state}@{node} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The first few accounts for which `done` does not hold, as the API shows them.
pub(crate) fn stragglers(accounts: &[Account], done: impl Fn(&Account) -> bool) -> String {
    let late: Vec<String> = accounts
        .iter()
        .filter(|a| !done(a))
        .take(5)
        .map(|a| a.raw.to_string())
        .collect();
    late.join(", ")
}

/// Accounts by node.
pub(crate) fn by_node(accounts: &[Account]) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for a in accounts {
        *out.entry(a.node.clone().unwrap_or_else(|| "-".into()))
            .or_default() += 1;
    }
    out
}

fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted
        .get(rank.clamp(1, sorted.len()) - 1)
        .copied()
        .unwrap_or(0)
}

fn nodes_text(map: &BTreeMap<String, usize>) -> String {
    map.iter()
        .map(|(node, n)| format!("{node} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The first examples of `items`, and how many there are.
fn examples<T: std::fmt::Display>(items: impl IntoIterator<Item = T>) -> String {
    let mut n = 0;
    let mut shown = Vec::new();
    for item in items {
        n += 1;
        if shown.len() < EXAMPLES {
            shown.push(item.to_string());
        }
    }
    if n > shown.len() {
        format!("{} (and {} more)", shown.join("; "), n - shown.len())
    } else {
        shown.join("; ")
    }
}

impl Report {
    /// An empty report of a run.
    pub(crate) fn new(nodes: usize, accounts: usize, database: &str, lease_seconds: u64) -> Report {
        let database = match database.split_once("://") {
            Some(("postgres" | "postgresql", _)) => "PostgreSQL",
            Some(("sqlite", _)) => "SQLite",
            _ => "database",
        };
        Report {
            nodes,
            accounts,
            database: database.into(),
            lease_seconds,
            ..Report::default()
        }
    }

    /// Records a failed check.
    pub(crate) fn fail(&mut self, why: String) {
        eprintln!("cluster: check failed: {why}");
        self.failures.push(why);
    }

    /// Records something that did not fail the run but must be told.
    pub(crate) fn note(&mut self, what: String) {
        eprintln!("cluster: note: {what}");
        self.notes.push(what);
    }

    /// Whether every check passed.
    pub(crate) fn ok(&self) -> bool {
        self.failures.is_empty()
    }

    /// The checks after the run.
    pub(crate) fn check(&mut self, e: &Evidence<'_>) {
        self.check_webhook(e.received);
        self.check_sends(e.sends, e.sent);
        self.check_sim(e);
        if self.load_skipped > 0 {
            self.fail(format!(
                "the simulator skipped {} load messages (their session had ended)",
                self.load_skipped
            ));
        }
        let offline: Vec<String> = e
            .last
            .iter()
            .filter(|a| !a.online())
            .map(|a| format!("{} {}", a.id, a.state))
            .collect();
        if e.last.len() != e.accounts || !offline.is_empty() {
            self.fail(format!(
                "at the end {} of {} accounts listed, not online: {}",
                e.last.len(),
                e.accounts,
                examples(offline)
            ));
        }
    }

    fn check_webhook(&mut self, r: &Received) {
        // Every load number, once per message id.
        let numbers = r.load_numbers();
        let missing: Vec<u64> = (0..self.load_total)
            .filter(|n| !numbers.contains_key(n))
            .collect();
        let mut by_message: BTreeMap<(&str, &str), BTreeSet<u64>> = BTreeMap::new();
        for (id, event) in &r.events {
            if let Some(msg) = &event.msg_id {
                by_message
                    .entry((event.account.as_str(), msg.as_str()))
                    .or_default()
                    .insert(*id);
            }
        }
        let twice: Vec<String> = by_message
            .iter()
            .filter(|(_, ids)| ids.len() > 1)
            .map(|((account, msg), ids)| format!("message {msg} of {account} as events {ids:?}"))
            .collect();
        let mut load_messages: BTreeMap<u64, BTreeSet<&str>> = BTreeMap::new();
        for event in r.events.values() {
            if let (Some(n), Some(msg)) = (event.load, &event.msg_id) {
                load_messages.entry(n).or_default().insert(msg);
            }
        }
        let load_twice: Vec<String> = load_messages
            .iter()
            .filter(|(_, msgs)| msgs.len() > 1)
            .map(|(n, msgs)| format!("load {n} as messages {msgs:?}"))
            .collect();
        let mut latencies = r.latencies_ms.clone();
        latencies.sort_unstable();
        let kinds: BTreeMap<&str, usize> = r.events.values().fold(BTreeMap::new(), |mut m, e| {
            *m.entry(e.kind.as_str()).or_default() += 1;
            m
        });
        self.lines.push(format!(
            "load: {} messages queued ({} skipped), {} distinct load numbers at the webhook, {} \
             missing; queued → webhook p50 {} ms, p99 {} ms, max {} ms",
            self.load_queued,
            self.load_skipped,
            numbers.len(),
            missing.len(),
            percentile(&latencies, 50.0),
            percentile(&latencies, 99.0),
            latencies.last().copied().unwrap_or(0)
        ));
        self.lines.push(format!(
            "webhook: {} POSTs, {} accepted, {} refused on purpose (500), {} bad signatures, {} \
             malformed; events {} ({})",
            r.posts,
            r.accepted,
            r.refused,
            r.bad_signatures,
            r.malformed,
            r.events.len(),
            kinds
                .iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        self.lines.push(format!(
            "at least once: {} repeated deliveries of {} event ids (same id, allowed); max \
             signature clock skew {} s",
            r.repeats,
            r.repeated_ids.len(),
            r.max_skew_s
        ));
        self.lines.push(format!(
            "exactly once by id: {} WeChat message ids, {} under more than one event id",
            by_message.len(),
            twice.len()
        ));
        if !missing.is_empty() {
            self.fail(format!(
                "{} of {} load messages never reached the webhook: {}",
                missing.len(),
                self.load_total,
                examples(missing.iter())
            ));
        }
        if !twice.is_empty() {
            self.fail(format!(
                "{} messages came under two or more event ids: {}",
                twice.len(),
                examples(&twice)
            ));
        }
        if !load_twice.is_empty() {
            self.fail(format!(
                "load numbers under two message ids: {}",
                examples(&load_twice)
            ));
        }
        if r.bad_signatures > 0 {
            self.fail(format!(
                "{} deliveries with a bad signature: {}",
                r.bad_signatures,
                examples(&r.bad_examples)
            ));
        }
        if r.malformed > 0 {
            self.fail(format!("{} deliveries were not events", r.malformed));
        }
        if !r.inconsistent.is_empty() {
            self.fail(format!(
                "inconsistent deliveries: {}",
                examples(&r.inconsistent)
            ));
        }
    }

    fn check_sends(&mut self, sends: &[SendRecord], sent: &BTreeMap<String, Vec<String>>) {
        let cross = sends
            .iter()
            .filter(|s| s.holder.as_deref() != Some(s.via.as_str()))
            .count();
        let refused: Vec<String> = sends
            .iter()
            .filter_map(|s| {
                let e = s.error.as_ref()?;
                Some(format!("{} via {}: {e}", s.account, s.via))
            })
            .collect();
        let unfinished: Vec<String> = sends
            .iter()
            .filter(|s| s.error.is_none() && s.outcome.as_deref() != Some("done"))
            .map(|s| {
                format!(
                    "{} action {} via {}: {}",
                    s.account,
                    s.action.as_deref().unwrap_or("?"),
                    s.via,
                    s.outcome.as_deref().unwrap_or("no status")
                )
            })
            .collect();
        let mut missing = Vec::new();
        let mut doubled = Vec::new();
        for s in sends.iter().filter(|s| s.error.is_none()) {
            let n = sent
                .get(&s.account)
                .map_or(0, |list| list.iter().filter(|t| **t == s.text).count());
            match n {
                1 => {}
                0 => missing.push(format!("{:?} of {} (via {})", s.text, s.account, s.via)),
                n => doubled.push(format!("{:?} of {} {n} times", s.text, s.account)),
            }
        }
        let statuses: BTreeMap<u16, usize> = sends.iter().fold(BTreeMap::new(), |mut m, s| {
            *m.entry(s.status).or_default() += 1;
            m
        });
        self.lines.push(format!(
            "sends: {} through the API ({} through a node not holding the account; HTTP {}), {} \
             done, {} in the simulator exactly once, {} missing, {} more than once",
            sends.len(),
            cross,
            statuses
                .iter()
                .map(|(s, n)| format!("{s}×{n}"))
                .collect::<Vec<_>>()
                .join(" "),
            sends
                .iter()
                .filter(|s| s.outcome.as_deref() == Some("done"))
                .count(),
            sends.len() - refused.len() - missing.len() - doubled.len(),
            missing.len(),
            doubled.len()
        ));
        if !refused.is_empty() {
            self.fail(format!(
                "{} sends were refused or unanswered: {}",
                refused.len(),
                examples(&refused)
            ));
        }
        if !unfinished.is_empty() {
            self.fail(format!(
                "{} sends not done: {}",
                unfinished.len(),
                examples(&unfinished)
            ));
        }
        if !missing.is_empty() {
            self.fail(format!(
                "{} sends never reached the simulator: {}",
                missing.len(),
                examples(&missing)
            ));
        }
        if !doubled.is_empty() {
            self.fail(format!(
                "{} sends reached the simulator more than once: {}",
                doubled.len(),
                examples(&doubled)
            ));
        }
    }

    fn check_sim(&mut self, e: &Evidence<'_>) {
        let ours: BTreeMap<u64, &str> = e.uins.iter().map(|(a, u)| (*u, a.as_str())).collect();
        let mut deviations: BTreeMap<String, usize> = BTreeMap::new();
        let mut with_deviations = 0;
        // Sessions with deviations before the kill; with new ones since, and of those, how
        // many the killed node held.
        let (mut early, mut later, mut later_moved) = (0, 0, 0);
        let mut ended = Vec::new();
        let mut found = 0;
        for s in e.sessions {
            let Some(uin) = s.get("uin").and_then(Value::as_u64) else {
                continue;
            };
            let Some(account) = ours.get(&uin) else {
                continue;
            };
            found += 1;
            if s.get("live").and_then(Value::as_bool) != Some(true) {
                ended.push(format!("{account} (uin {uin})"));
            }
            let list = s.get("deviations").and_then(Value::as_array);
            if let Some(list) = list.filter(|l| !l.is_empty()) {
                with_deviations += 1;
                let before = e.deviations_before.get(&uin).copied().unwrap_or(0);
                if before > 0 {
                    early += 1;
                }
                if list.len() > before {
                    later += 1;
                    if e.moved.contains(*account) {
                        later_moved += 1;
                    }
                }
                for d in list {
                    *deviations
                        .entry(d.as_str().unwrap_or_default().to_string())
                        .or_default() += 1;
                }
            }
        }
        self.lines.push(format!(
            "simulator: {found} sessions of ours, {} ended, {with_deviations} with deviations \
             ({early} with some before the kill, {later} with new ones after it, {later_moved} of \
             these held by the killed node)",
            ended.len()
        ));
        if found != ours.len() {
            self.fail(format!(
                "the simulator has {found} of the {} sessions",
                ours.len()
            ));
        }
        if !ended.is_empty() {
            self.fail(format!(
                "{} sessions ended in the simulator: {}",
                ended.len(),
                examples(&ended)
            ));
        }
        // `setup:` compares the arrival order of requests the client sends at the same time
        // (the first synccheck, the contact pages, the group members), as the page's XHRs go
        // out together: under a login storm on two busy cores a new connection can arrive after
        // requests on warm ones. The statreport after a contact page is looked for within a
        // second of the next page. Counted, like the ItChat check's timing deviations, not
        // failed.
        let (timing, real): (Vec<_>, Vec<_>) = deviations.iter().partition(|(d, _)| {
            d.starts_with("setup:")
                || d.starts_with("statreport: no webwxstatreport after a contact page")
        });
        if !timing.is_empty() {
            self.lines.push(format!(
                "simulator: timing deviations (tolerated): {}",
                examples(timing.iter().map(|(d, n)| format!("{n}× {d}")))
            ));
        }
        if !real.is_empty() {
            self.fail(format!(
                "{with_deviations} sessions noted deviations: {}",
                examples(real.iter().map(|(d, n)| format!("{n}× {d}")))
            ));
        }
    }

    /// Prints the summary on standard output.
    pub(crate) fn print(&self) {
        println!(
            "== cluster: {} nodes on {}, {} accounts, lease {} s",
            self.nodes, self.database, self.accounts, self.lease_seconds
        );
        println!(
            "logins: all online {:.1} s after the first creation ({})",
            self.login_time.as_secs_f64(),
            nodes_text(&self.before)
        );
        let what = if self.nodes == 1 {
            "restart"
        } else {
            "takeover"
        };
        match (&self.victim, self.takeover) {
            (Some((node, held)), Some(took)) => println!(
                "{what}: SIGKILLed {node} ({held} accounts); every account online on a live node \
                 {:.1} s later (bound {:.0} s = 2 × {} s lease + {} s slack; now {})",
                took.as_secs_f64(),
                self.takeover_bound.as_secs_f64(),
                self.lease_seconds,
                self.slack_seconds,
                nodes_text(&self.after)
            ),
            (Some((node, held)), None) => println!(
                "{what}: SIGKILLed {node} ({held} accounts); NOT complete (now {})",
                nodes_text(&self.after)
            ),
            _ => println!("{what}: no node killed"),
        }
        for line in &self.lines {
            println!("{line}");
        }
        println!(
            "settled {:.1} s after the load",
            self.settle_time.as_secs_f64()
        );
        if self.failures.is_empty() {
            println!("cluster: OK");
        } else {
            println!("cluster: FAILED ({} checks):", self.failures.len());
            for f in &self.failures {
                println!("  - {f}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_are_capped() {
        assert_eq!(examples([1, 2]), "1; 2");
        assert!(examples(0..20).ends_with("(and 10 more)"));
    }

    #[test]
    fn percentiles() {
        assert_eq!(percentile(&[1, 2, 3, 4], 50.0), 2);
        assert_eq!(percentile(&[], 50.0), 0);
    }
}
