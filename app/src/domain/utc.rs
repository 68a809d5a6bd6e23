//! Epoch milliseconds ↔ UTC calendar dates and times, by hand (no chrono in the wasm bundle).
//!
//! Freeze windows are typed as `YYYY-MM-DD HH:MM` in UTC and stored as epoch milliseconds;
//! weekly windows need the weekday and minute of the day of an instant.

pub const MINUTE_MS: i64 = 60_000;
pub const DAY_MS: i64 = 86_400_000;
pub const WEEK_MS: i64 = 7 * DAY_MS;
pub const MINUTES_PER_DAY: u32 = 1440;

/// 0 = Monday … 6 = Sunday. 1970-01-01 (day 0) was a Thursday (3).
pub fn weekday(at_ms: i64) -> u8 {
    (days(at_ms) + 3).rem_euclid(7) as u8
}

/// Whole days since 1970-01-01 (negative before it).
pub fn days(at_ms: i64) -> i64 {
    at_ms.div_euclid(DAY_MS)
}

/// Minutes since midnight UTC, 0..1440.
pub fn minute_of_day(at_ms: i64) -> u32 {
    (at_ms.rem_euclid(DAY_MS) / MINUTE_MS) as u32
}

/// The epoch ms of midnight UTC starting the day of `at_ms`.
pub fn start_of_day(at_ms: i64) -> i64 {
    days(at_ms) * DAY_MS
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// (year, month, day) of a count of days since 1970-01-01 (Hinnant's `civil_from_days`).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Parses `YYYY-MM-DD HH:MM` (also with `T`, with `:SS`, with a trailing `Z`), in UTC, as
/// a browser's `datetime-local` input sends it. Years 2000–9999.
pub fn parse_datetime(s: &str) -> Result<i64, String> {
    let bad = || format!("`{s}` is not a date and time; write it as YYYY-MM-DD HH:MM (UTC).");
    let t = s.trim().trim_end_matches(['Z', 'z']);
    let (date, time) = t.split_once(['T', ' ']).ok_or_else(bad)?;
    let mut dp = date.split('-');
    let (Some(y), Some(mo), Some(d), None) = (dp.next(), dp.next(), dp.next(), dp.next()) else {
        return Err(bad());
    };
    let num = |p: &str, len: usize| -> Option<u32> {
        (p.len() == len && p.bytes().all(|b| b.is_ascii_digit())).then(|| p.parse().ok()).flatten()
    };
    let (y, mo, d) = (num(y, 4).ok_or_else(bad)?, num(mo, 2).ok_or_else(bad)?, num(d, 2).ok_or_else(bad)?);
    let minute = parse_time_of_day(time.get(..5).ok_or_else(bad)?).map_err(|_| bad())?;
    let secs = match time.get(5..) {
        Some("") => 0,
        Some(rest) => rest.strip_prefix(':').and_then(|x| num(x, 2)).filter(|x| *x < 60).ok_or_else(bad)?,
        None => return Err(bad()),
    };
    if !(2000..=9999).contains(&y) {
        return Err(format!("The year must be from 2000 to 9999 (got {y})."));
    }
    if !(1..=12).contains(&mo) || d == 0 || d > days_in_month(i64::from(y), mo) || minute >= MINUTES_PER_DAY {
        return Err(format!("`{s}` is not a valid date and time."));
    }
    Ok(days_from_civil(i64::from(y), mo, d) * DAY_MS + i64::from(minute) * MINUTE_MS + i64::from(secs) * 1000)
}

/// Parses `HH:MM` (00:00–24:00) into minutes after midnight; `24:00` is the end of the day.
pub fn parse_time_of_day(s: &str) -> Result<u32, String> {
    let bad = || format!("`{s}` is not a time; write it as HH:MM (00:00 to 24:00, UTC).");
    let (h, m) = s.trim().split_once(':').ok_or_else(bad)?;
    if h.is_empty()
        || h.len() > 2
        || m.len() != 2
        || !(h.bytes().chain(m.bytes())).all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let (h, m): (u32, u32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if m >= 60 || h > 24 || (h == 24 && m != 0) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

/// `YYYY-MM-DD HH:MM` (UTC), the inverse of [`parse_datetime`] to the minute.
pub fn format_datetime(at_ms: i64) -> String {
    let (y, m, d) = civil_from_days(days(at_ms));
    format!("{y:04}-{m:02}-{d:02} {}", format_time_of_day(minute_of_day(at_ms)))
}

/// `HH:MM` of minutes after midnight (1440 → `24:00`).
pub fn format_time_of_day(minute: u32) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

pub const WEEKDAY_NAMES: [&str; 7] =
    ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_was_a_thursday_and_weekdays_advance() {
        assert_eq!(weekday(0), 3);
        assert_eq!(weekday(DAY_MS * 4), 0, "1970-01-05 was a Monday");
        assert_eq!(weekday(-1), 2, "the last ms of 1969-12-31, a Wednesday");
        // 2026-12-01 is a Tuesday.
        assert_eq!(weekday(parse_datetime("2026-12-01 00:00").unwrap()), 1);
        assert_eq!(weekday(parse_datetime("2024-02-29 23:59").unwrap()), 3);
    }

    #[test]
    fn dates_round_trip() {
        for (s, ms) in [
            ("1970-01-01 00:00", None),
            ("2000-01-01 00:00", Some(946_684_800_000)),
            ("2026-12-01 21:05", Some(1_796_159_100_000)),
            ("2024-02-29 12:30", None),
            ("9999-12-31 23:59", None),
        ] {
            if s.starts_with("1970") {
                assert!(parse_datetime(s).unwrap_err().contains("2000 to 9999"));
                continue;
            }
            let v = parse_datetime(s).unwrap();
            if let Some(ms) = ms {
                assert_eq!(v, ms, "{s}");
            }
            assert_eq!(format_datetime(v), s);
        }
        for z in [-800_000, -1, 0, 1, 59, 365, 10_957, 20_000, 2_932_896] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
    }

    #[test]
    fn datetime_accepts_browser_forms_and_refuses_nonsense() {
        let a = parse_datetime("2026-12-01T21:05").unwrap();
        assert_eq!(parse_datetime("2026-12-01 21:05").unwrap(), a);
        assert_eq!(parse_datetime(" 2026-12-01T21:05:00Z ").unwrap(), a);
        assert_eq!(parse_datetime("2026-12-01T21:05:30").unwrap(), a + 30_000);
        for bad in [
            "",
            "tomorrow",
            "2026-12-01",
            "2026-13-01 00:00",
            "2026-02-29 00:00",
            "2026-12-32 00:00",
            "2026-12-01 24:00",
            "2026-12-01 12:60",
            "2026-1-01 00:00",
            "2026-12-01 12:00:61",
            "2026-12-01 1200",
        ] {
            assert!(parse_datetime(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn time_of_day() {
        assert_eq!(parse_time_of_day("00:00"), Ok(0));
        assert_eq!(parse_time_of_day("9:30"), Ok(570));
        assert_eq!(parse_time_of_day("23:59"), Ok(1439));
        assert_eq!(parse_time_of_day("24:00"), Ok(1440));
        for bad in ["", "24:01", "12:60", "12", "-1:00", "ab:cd", "123:00", "12:5"] {
            assert!(parse_time_of_day(bad).is_err(), "{bad}");
        }
        assert_eq!(format_time_of_day(1440), "24:00");
        assert_eq!(format_time_of_day(570), "09:30");
    }
}
