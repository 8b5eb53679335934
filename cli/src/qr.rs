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

/// The QR code of `payload` as a PNG (4 pixels a module, a quiet zone), for `--qr-png`.
pub(crate) fn png(payload: &str) -> Result<Vec<u8>, String> {
    webwx_server::qr_png(payload)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    #[test]
    fn a_png_of_the_payload() {
        let png = super::png("https://login.weixin.qq.com/l/4dcaWx3uBw==").unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
        let decoder = png::Decoder::new(std::io::Cursor::new(png));
        let reader = decoder.read_info().unwrap();
        let info = reader.info();
        assert_eq!(info.width, info.height);
        assert!(
            info.width >= 29 * 4,
            "a version-3 code or larger, 4 pixels a module"
        );
    }
}
