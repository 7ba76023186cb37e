//! The login QR as an image. The string WhatsApp gives is rendered exactly as it is: its
//! format has changed several times, so it is never parsed or checked.

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// An SVG of `text` as a QR code, sized to be scanned from a laptop screen.
pub fn svg(text: &str) -> Result<String, String> {
    // Level L, as WhatsApp uses: the string is long and the screen is clean.
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::L)
        .map_err(|e| format!("the login code could not be drawn ({e})"))?;
    Ok(code
        .render::<svg::Color<'_>>()
        .min_dimensions(264, 264)
        .quiet_zone(true)
        .dark_color(svg::Color("#111111"))
        .light_color(svg::Color("#ffffff"))
        .build())
}

#[cfg(test)]
mod tests {
    #[test]
    fn any_string_draws_including_ones_whatsapp_might_send_one_day() {
        for text in [
            "2@abc,def,ghi,jkl,WINDOWS",
            "no commas at all",
            "ünïcödé,🌙,شكرا",
            "",
        ] {
            let Ok(drawn) = super::svg(text) else {
                panic!("{text:?} must draw")
            };
            assert!(
                drawn.starts_with("<?xml") && drawn.contains("<svg"),
                "{text:?}"
            );
        }
    }

    #[test]
    fn a_string_too_long_for_any_qr_is_an_error_not_a_panic() {
        assert!(super::svg(&"x".repeat(10_000)).is_err());
    }
}
