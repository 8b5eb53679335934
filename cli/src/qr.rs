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

/// A grey level, as the `qrcode` renderer draws it.
#[derive(Clone, Copy)]
struct Gray(u8);

/// A square of grey pixels, one byte each.
struct GrayCanvas {
    width: u32,
    pixels: Vec<u8>,
    dark: u8,
}

impl qrcode::render::Pixel for Gray {
    type Image = (u32, Vec<u8>);
    type Canvas = GrayCanvas;

    fn default_unit_size() -> (u32, u32) {
        (4, 4)
    }

    fn default_color(color: qrcode::Color) -> Gray {
        Gray(color.select(0, 255))
    }
}

impl qrcode::render::Canvas for GrayCanvas {
    type Pixel = Gray;
    type Image = (u32, Vec<u8>);

    fn new(width: u32, height: u32, dark: Gray, light: Gray) -> GrayCanvas {
        let len = usize::try_from(u64::from(width) * u64::from(height)).unwrap_or(0);
        GrayCanvas {
            width,
            pixels: vec![light.0; len],
            dark: dark.0,
        }
    }

    fn draw_dark_pixel(&mut self, x: u32, y: u32) {
        let at = u64::from(y) * u64::from(self.width) + u64::from(x);
        if let Some(p) = usize::try_from(at)
            .ok()
            .and_then(|i| self.pixels.get_mut(i))
        {
            *p = self.dark;
        }
    }

    fn into_image(self) -> (u32, Vec<u8>) {
        (self.width, self.pixels)
    }
}

/// The QR code of `payload` as a PNG (4 pixels a module, a quiet zone), for `--qr-png`.
pub(crate) fn png(payload: &str) -> Result<Vec<u8>, String> {
    let code = QrCode::new(payload.as_bytes()).map_err(|e| e.to_string())?;
    let (side, pixels) = code.render::<Gray>().quiet_zone(true).build();
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, side, side);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    encoder
        .write_header()
        .and_then(|mut w| w.write_image_data(&pixels))
        .map_err(|e| e.to_string())?;
    Ok(out)
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
