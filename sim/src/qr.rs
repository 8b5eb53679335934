//! QR codes as PNG images (the `qrcode` crate draws the modules, the `png` crate encodes them).

use qrcode::{Color, QrCode};

/// A PNG of a QR code encoding `payload`, 4 pixels a module with a 4-module quiet zone.
pub(crate) fn png(payload: &str) -> Vec<u8> {
    let Ok(code) = QrCode::new(payload.as_bytes()) else {
        return tiny_png();
    };
    let modules = code.width();
    let colors = code.to_colors();
    const SCALE: usize = 4;
    const QUIET: usize = 4;
    let side = (modules + 2 * QUIET) * SCALE;
    let mut pixels = vec![255u8; side * side];
    for (i, color) in colors.iter().enumerate() {
        if *color == Color::Dark {
            let (mx, my) = (i % modules + QUIET, i / modules + QUIET);
            for dy in 0..SCALE {
                let row = (my * SCALE + dy) * side;
                for dx in 0..SCALE {
                    if let Some(p) = pixels.get_mut(row + mx * SCALE + dx) {
                        *p = 0;
                    }
                }
            }
        }
    }
    encode(side as u32, &pixels)
}

/// A 1×1 grey PNG, for avatars.
pub(crate) fn tiny_png() -> Vec<u8> {
    encode(1, &[128])
}

fn encode(side: u32, gray: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, side, side);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let written = encoder
            .write_header()
            .and_then(|mut w| w.write_image_data(gray));
        if written.is_err() {
            return Vec::new();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn pngs_have_the_signature() {
        let p = super::png("https://login.weixin.qq.com/l/4dcaWx3uBw==");
        assert!(p.starts_with(b"\x89PNG\r\n\x1a\n"));
        assert!(super::tiny_png().starts_with(b"\x89PNG"));
    }
}
