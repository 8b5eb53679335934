//! Reading XML takes time linear in the document, whatever its shape: four times the input takes
//! about four times as long (a quadratic reader, such as quick-xml's duplicate-attribute check or
//! a path per element, takes sixteen). The caps are raised so that the reader itself is timed,
//! not a refusal. Each figure is the fastest of several runs, so a loaded machine cannot make a
//! linear reader look quadratic; the bound (8×) leaves room between 4 and 16.
//!
//! Text decoding is checked by counting the bytes its searches look at (see
//! `core/src/message/text.rs`), which is exact; `cargo bench -p webwx-core --bench decode` times
//! both against plain input of the same size.
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

/// A hostile shape: its name, and how to make a document of it at size `n`.
type Shape = (&'static str, fn(usize) -> String);

#[test]
fn xml_reading_is_linear_in_every_shape() {
    let shapes: [Shape; 5] = [
        ("attributes of one element", |n| {
            let attrs: String = (0..n).map(|i| format!(" a{i}=\"v\"")).collect();
            format!("<msg{attrs}/>")
        }),
        ("children of one element", |n| {
            format!("<msg>{}</msg>", "<b x=\"1\">t</b>".repeat(n))
        }),
        ("nesting", |n| "<a>".repeat(n) + &"</a>".repeat(n)),
        ("length of one name", |n| {
            let name = "n".repeat(10 * n);
            format!("<msg><{name}/></msg>")
        }),
        ("entities in text", |n| {
            format!("<msg>{}</msg>", "&amp;lt;&amp;#20013;".repeat(n))
        }),
    ];
    for (shape, make) in shapes {
        let small = make(8_000);
        let large = make(32_000);
        let (mut t_small, mut t_large) = (Duration::MAX, Duration::MAX);
        // Interleaved, so that a burst of load hits both sizes alike.
        for _ in 0..3 {
            t_small = t_small.min(fastest(&small, 2));
            t_large = t_large.min(fastest(&large, 2));
        }
        let ratio = t_large.as_secs_f64() / t_small.as_secs_f64().max(1e-9);
        assert!(
            ratio <= 8.0,
            "{shape}: 4 times the input took {ratio:.1} times as long ({t_small:?} -> {t_large:?})"
        );
    }
}
