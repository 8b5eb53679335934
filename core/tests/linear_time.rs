//! Reading XML takes time linear in the document, whatever its shape: 1 MiB of hostile XML
//! (87,000 attributes on one element, 80,000 children, 150,000 levels, a 1 MiB name, 140,000
//! entities) takes at most 100 times as long as 1 MiB of plain text in one element. Linear, the
//! ratio is 1 to 25 (a debug build, on a loaded machine); quadratic, it is in the thousands
//! (quick-xml's duplicate-attribute check alone took 10 s for 100,000 attributes, a path per
//! element is 10¹⁰ bytes copied for this nesting), so the bound can be loose and the test still
//! not flaky. The caps are raised so that the reader itself is timed, not a refusal; each figure
//! is the fastest of interleaved runs, so a burst of load hits both alike.
//!
//! Text decoding is checked exactly by counting the bytes its searches look at (see
//! `core/src/message/text.rs`); `cargo bench -p webwx-core --bench decode` times both against
//! plain input of the same size.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::time::{Duration, Instant};
use webwx_core::Limits;
use webwx_core::message::Payload;

fn no_caps() -> Limits {
    let mut l = Limits::default();
    l.max_xml_elements = usize::MAX;
    l.max_xml_depth = usize::MAX;
    l.max_xml_name_bytes = usize::MAX;
    l.max_xml_attributes = usize::MAX;
    l
}

/// The fastest of `runs` runs of reading `xml`.
fn fastest(xml: &str, runs: usize) -> Duration {
    let limits = no_caps();
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            let read = Payload::parse_with(xml, &limits);
            let took = start.elapsed();
            assert!(read.is_ok(), "{read:?}");
            took
        })
        .min()
        .unwrap_or_default()
}

#[test]
fn xml_reading_is_linear_in_every_shape() {
    const SIZE: usize = 1 << 20;
    let fill = |unit: &str, head: &str, tail: &str| {
        let n = (SIZE - head.len() - tail.len()) / unit.len();
        format!("{head}{}{tail}", unit.repeat(n))
    };
    let plain = fill("a", "<msg>", "</msg>");
    let attrs: String = (0..SIZE / 12).map(|i| format!(" a{i:06}=\"v\"")).collect();
    let shapes = [
        ("attributes of one element", format!("<msg{attrs}/>")),
        (
            "children of one element",
            fill("<b x=\"1\">t</b>", "<msg>", "</msg>"),
        ),
        ("nesting", "<a>".repeat(SIZE / 7) + &"</a>".repeat(SIZE / 7)),
        ("length of one name", fill("n", "<msg><", "/></msg>")),
        (
            "entities in text",
            fill("&amp;lt;&amp;#20013;", "<msg>", "</msg>"),
        ),
    ];
    for (shape, hostile) in shapes {
        let (mut t_plain, mut t_hostile) = (Duration::MAX, Duration::MAX);
        for _ in 0..2 {
            t_plain = t_plain.min(fastest(&plain, 1));
            t_hostile = t_hostile.min(fastest(&hostile, 1));
        }
        let ratio = t_hostile.as_secs_f64() / t_plain.as_secs_f64().max(1e-9);
        assert!(
            ratio <= 100.0,
            "{shape}: {ratio:.0} times as long as plain text ({t_plain:?} -> {t_hostile:?})"
        );
    }
}
