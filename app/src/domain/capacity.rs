//! The resource guard's arithmetic: do all daemons on a provider fit on one of its instances?

use super::sizes::{format_gb, format_vcpu};

/// The message shown when daemons would not fit, naming the numbers.
pub fn does_not_fit_message(
    provider: &str,
    cpu: u32,
    mem: u32,
    instance_cpu: u32,
    instance_mem: u32,
) -> String {
    format!(
        "Daemons on {provider} would reserve {} vCPU and {} GB per instance, but its instances have {} vCPU and {} GB.",
        format_vcpu(cpu),
        format_gb(mem),
        format_vcpu(instance_cpu),
        format_gb(instance_mem)
    )
}

/// Whether (cpu, mem) fits in an instance of (instance_cpu, instance_mem); an unknown size (0) fits.
pub fn fits(cpu: u32, mem: u32, instance_cpu: u32, instance_mem: u32) -> bool {
    instance_cpu == 0 || (cpu <= instance_cpu && mem <= instance_mem)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_numbers() {
        let m = does_not_fit_message("mi-canary", 5120, 1024, 4096, 16384);
        assert!(m.contains("5 vCPU") && m.contains("4 vCPU") && m.contains("mi-canary"), "{m}");
        assert!(fits(4096, 16384, 4096, 16384));
        assert!(!fits(4097, 1, 4096, 16384));
        assert!(fits(999_999, 1, 0, 0));
    }
}
