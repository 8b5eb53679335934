//! The scale benchmark itself works (a small run: 50 sessions, two seconds of load): it logs every
//! session in, measures its baselines, delivers every message exactly once and prints its report.
//! The real run is on demand (BENCHMARKS.md).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[test]
fn a_small_scale_run_delivers_everything_and_reports() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_scale"))
        .args(["--sessions", "50", "--rate", "100", "--seconds", "2"])
        .args(["--idle-seconds", "1", "--baseline-seconds", "1"])
        .args(["--synccheck-hold-ms", "3000", "--concurrent-logins", "16"])
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        report
            .contains("| messages | 200 queued, 200 delivered, 0 lost, 0 duplicated, 0 skipped |"),
        "{report}"
    );
    for line in [
        "| client memory per idle session |",
        "| baseline: the transport alone, one held request on a fresh connection (cold) |",
        "| baseline: the same, its connection first carrying one 5 KiB answer (warm) |",
        "| CPU per delivered message, client |",
        "| delivery latency | p50 ",
    ] {
        assert!(report.contains(line), "no {line:?} in\n{report}");
    }
}
