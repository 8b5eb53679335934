//! Placeholder until the benchmark lands: `cargo bench -p webwx-server --bench serve`.
fn main() {}
