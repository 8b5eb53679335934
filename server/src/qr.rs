//! The login QR code as a PNG (also the CLI's `--qr-png`).

use qrcode::QrCode;

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

/// The QR code of `payload` as a PNG (4 pixels a module, a quiet zone).
pub fn qr_png(payload: &str) -> Result<Vec<u8>, String> {
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
