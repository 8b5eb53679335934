//! The login QR code: drawn in the terminal, or written as a PNG.

use qrcode::QrCode;
use qrcode::render::unicode::Dense1x2;

/// The QR code of `payload` in half-block characters (two modules a character); the payload
/// as text (safe to print) when it cannot be drawn.
pub(crate) fn terminal(payload: &str) -> String {
    match QrCode::new(payload.as_bytes()) {
        Ok(code) => code
            .render::<Dense1x2>()
            .dark_color(Dense1x2::Light)
            .light_color(Dense1x2::Dark)
            .quiet_zone(true)
            .build(),
        Err(e) => format!(
            "(cannot draw the QR code: {e}) {}",
            crate::sanitize::for_terminal(payload)
        ),
    }
}
