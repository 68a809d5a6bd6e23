/// Epoch seconds → `2026-11-24 22:50:03 UTC`, without a date library (the wasm bundle stays
/// small). Civil-from-days after Howard Hinnant's algorithm.
pub fn format_epoch(secs: f64) -> String {
    if !secs.is_finite() || secs < 0.0 {
        return "—".into();
    }
    let secs = secs as i64;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Seconds → `1 h 02 min`, `3 min 05 s`, `12 s`.
pub fn format_duration(secs: f64) -> String {
    let s = secs.max(0.0) as i64;
    match s {
        0..=59 => format!("{s} s"),
        60..=3599 => format!("{} min {:02} s", s / 60, s % 60),
        _ => format!("{} h {:02} min", s / 3600, s % 3600 / 60),
    }
}

pub fn format_opt_epoch(secs: Option<f64>) -> String {
    secs.map(format_epoch).unwrap_or_else(|| "—".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(format_epoch(0.0), "1970-01-01 00:00:00 UTC");
        assert_eq!(format_epoch(1_795_992_603.0), "2026-11-29 22:50:03 UTC");
        assert_eq!(format_epoch(951_782_400.0), "2000-02-29 00:00:00 UTC");
        assert_eq!(format_duration(65.0), "1 min 05 s");
        assert_eq!(format_duration(3720.0), "1 h 02 min");
    }
}
