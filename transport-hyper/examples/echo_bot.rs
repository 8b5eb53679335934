//! An echo bot on the async transport.
//!
//! `cargo run -p webwx-hyper --example echo_bot` logs in to the real service (scan the QR code
//! with your phone); `cargo run -p webwx-hyper --example echo_bot -- http://127.0.0.1:PORT` runs
//! against a simulator started with `cargo run -p webwx-sim`.

use std::time::{SystemTime, UNIX_EPOCH};
use webwx_core::{Config, Content, Event};
use webwx_hyper::Session;

#[tokio::main]
async fn main() {
    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let mut config = Config::new(seed ^ u64::from(std::process::id()));
    if let Some(server) = std::env::args().nth(1) {
        // A simulator or test server: start the login there and allow its host as a redirect.
        let host = server
            .split("://")
            .nth(1)
            .unwrap_or(&server)
            .split([':', '/'])
            .next()
            .unwrap_or_default()
            .to_string();
        config = config.with_login_origin(server).with_allowed_host(host);
    }
    let mut session = Session::start(config);
    let handle = session.handle();
    while let Some(event) = session.next_event().await {
        match event {
            Event::QrCode {
                payload, image_url, ..
            } => println!("scan {payload} (image: {image_url})"),
            Event::Scanned { .. } => println!("scanned; confirm on the phone"),
            Event::Ready { user, counts } => println!(
                "logged in as {} with {} friends",
                user.nick_name(),
                counts.friends
            ),
            Event::Message(m) => {
                println!("{}: {:?}", m.chat, m.content);
                if let (Content::Text(text), false) = (&m.content, m.outgoing)
                    && let Err(e) = handle.send_text(&m.chat, text).await
                {
                    eprintln!("could not echo: {e}");
                }
            }
            Event::LoggedOut { reason } => println!("logged out: {reason}"),
            Event::Failed(error) => eprintln!("failed: {error}"),
            _ => {}
        }
    }
}
