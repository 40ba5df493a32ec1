//! The heatmap's colour scale: viridis (perceptually uniform, readable with the common colour
//! vision deficiencies and in greyscale), cut into 20 bins of 0.05 so the page styles cells by
//! class instead of repeating a colour per cell.

/// Number of colour bins over [0, 1].
pub const BINS: usize = 20;

/// matplotlib's viridis at 10 evenly spaced points (0, 1/9, …, 1).
const VIRIDIS: [(u8, u8, u8); 10] = [
    (0x44, 0x01, 0x54),
    (0x48, 0x28, 0x78),
    (0x3e, 0x49, 0x89),
    (0x31, 0x68, 0x8e),
    (0x26, 0x82, 0x8e),
    (0x1f, 0x9e, 0x89),
    (0x35, 0xb7, 0x79),
    (0x6e, 0xce, 0x58),
    (0xb5, 0xde, 0x2b),
    (0xfd, 0xe7, 0x25),
];

/// The viridis colour at `t` in [0, 1] (clamped), as `#rrggbb`.
pub fn viridis(t: f64) -> String {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let pos = t * (VIRIDIS.len() - 1) as f64;
    let i = (pos.floor() as usize).min(VIRIDIS.len() - 2);
    let f = pos - i as f64;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    let mix = |x: u8, y: u8| (f64::from(x) + (f64::from(y) - f64::from(x)) * f).round() as u8;
    format!(
        "#{:02x}{:02x}{:02x}",
        mix(a.0, b.0),
        mix(a.1, b.1),
        mix(a.2, b.2)
    )
}

/// The bin of a P(known): `floor(p / 0.05)`, with 1.0 in the top bin.
pub fn bin(p: f64) -> usize {
    if !p.is_finite() || p <= 0.0 {
        return 0;
    }
    ((p * BINS as f64).floor() as usize).min(BINS - 1)
}

/// The colour of bin `b`: viridis at the bin's middle.
pub fn bin_color(b: usize) -> String {
    viridis((b as f64 + 0.5) / BINS as f64)
}

/// CSS rules `.v0{fill:…}` … `.v19{fill:…}`.
pub fn css() -> String {
    (0..BINS)
        .map(|b| format!(".v{b}{{fill:{}}}", bin_color(b)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ends_are_viridis_ends_and_bins_cover_one() {
        assert_eq!(viridis(0.0), "#440154");
        assert_eq!(viridis(1.0), "#fde725");
        assert_eq!(viridis(2.0), "#fde725");
        assert_eq!(bin(0.0), 0);
        assert_eq!(bin(0.049), 0);
        assert_eq!(bin(0.05), 1);
        assert_eq!(bin(0.95), 19);
        assert_eq!(bin(1.0), 19);
        assert_eq!(bin(f64::NAN), 0);
    }
}
