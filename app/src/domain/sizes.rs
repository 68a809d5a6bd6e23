//! CPU and memory as users type them (vCPU, GB) and as ECS stores them (CPU units, MiB).

/// CPU units per vCPU.
pub const UNITS_PER_VCPU: u32 = 1024;
/// The largest container size ECS accepts: 192 vCPU and 1,536 GiB on the biggest instances.
pub const MAX_CPU_UNITS: u32 = 192 * UNITS_PER_VCPU;
pub const MAX_MEMORY_MIB: u32 = 1536 * 1024;

/// The message for a size left blank (`what`: `CPU` or `memory`).
pub fn missing_size(what: &str) -> String {
    let example = if what == "CPU" { "1 or 0.25" } else { "0.5 or 2" };
    format!("Enter the {what}, e.g. {example}.")
}

fn parse_positive(what: &str, s: &str, example: &str) -> Result<f64, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err(missing_size(what));
    }
    let v: f64 = s.parse().map_err(|_| format!("The {what} must be a number, e.g. {example}."))?;
    if !v.is_finite() || v <= 0.0 {
        return Err(format!("The {what} must be greater than 0."));
    }
    Ok(v)
}

/// `"1"` or `"0.25"` vCPU → CPU units (1 vCPU = 1024).
pub fn parse_vcpu(s: &str) -> Result<u32, String> {
    let v = parse_positive("CPU", s, "1 or 0.25")?;
    let units = (v * f64::from(UNITS_PER_VCPU)).round();
    if units > f64::from(MAX_CPU_UNITS) {
        return Err(format!("The CPU can be at most {} vCPU.", MAX_CPU_UNITS / UNITS_PER_VCPU));
    }
    if units < 1.0 {
        return Err("The CPU must be at least 0.001 vCPU (1 CPU unit).".to_string());
    }
    Ok(units as u32)
}

/// `"0.5"` GB → MiB (1 GB = 1024 MiB, as the ECS console counts).
pub fn parse_gb(s: &str) -> Result<u32, String> {
    let v = parse_positive("memory", s, "0.5 or 2")?;
    let mib = (v * 1024.0).round();
    if mib > f64::from(MAX_MEMORY_MIB) {
        return Err(format!("The memory can be at most {} GB.", MAX_MEMORY_MIB / 1024));
    }
    if mib < 6.0 {
        return Err("The memory must be at least 6 MiB (0.006 GB).".to_string());
    }
    Ok(mib as u32)
}

/// CPU units → the vCPU text users typed (1024 → "1", 256 → "0.25").
pub fn format_vcpu(units: u32) -> String {
    trim_float(f64::from(units) / f64::from(UNITS_PER_VCPU))
}

/// MiB → GB text (512 → "0.5").
pub fn format_gb(mib: u32) -> String {
    trim_float(f64::from(mib) / 1024.0)
}

fn trim_float(v: f64) -> String {
    let s = format!("{v:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_vcpu_and_gb() {
        assert_eq!(parse_vcpu("1").unwrap(), 1024);
        assert_eq!(parse_vcpu("0.25").unwrap(), 256);
        assert_eq!(parse_gb("0.5").unwrap(), 512);
        assert_eq!(parse_gb("2").unwrap(), 2048);
        assert_eq!(format_vcpu(256), "0.25");
        assert_eq!(format_vcpu(1024), "1");
        assert_eq!(format_gb(512), "0.5");
    }

    #[test]
    fn refuses_negative_zero_absurd_and_text() {
        for bad in ["", "0", "-1", "abc", "1e9", "NaN", "inf"] {
            assert!(parse_vcpu(bad).is_err(), "cpu {bad}");
            assert!(parse_gb(bad).is_err(), "mem {bad}");
        }
        assert!(parse_vcpu("193").unwrap_err().contains("at most 192"));
    }
}
