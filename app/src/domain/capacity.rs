//! The resource guard's rule: will every daemon of a capacity provider fit on each of its
//! instances, next to the application tasks that instance carries?
//!
//! **Rule** (the same one ecs-sim launches daemon tasks by, `ecs-sim/src/state/capacity.rs`;
//! README "The resource guard"): on every instance, registered CPU and memory must cover the
//! daemons it will run after the change plus the application tasks running on it now, per
//! dimension. ECS starts daemons first on the replacement instances a deployment provisions,
//! but those replacements exist to take over the drained instance's application tasks; the
//! documentation does not say which gives way, so the guard (inferred, conservatively) refuses
//! a deployment that would leave an instance's application tasks no room.
//!
//! Runs in the browser (the deploy form explains a misfit before Deploy) and on the server
//! (which refuses the deployment), on the same numbers.

use serde::{Deserialize, Serialize};

use super::sizes::{format_gb, format_vcpu};

/// CPU units and MiB.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Size {
    pub cpu: u32,
    pub memory: u32,
}

impl Size {
    pub fn new(cpu: u32, memory: u32) -> Self {
        Self { cpu, memory }
    }
    pub fn plus(self, o: Size) -> Size {
        Size::new(self.cpu.saturating_add(o.cpu), self.memory.saturating_add(o.memory))
    }
}

/// Instances of one provider that the rule cannot tell apart (same registered size, same
/// application tasks' reservation). Grouping keeps the deploy form's data small on a large
/// fleet, where instances mostly look alike.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceGroup {
    pub registered: Size,
    /// What the application tasks on each of these instances reserve.
    pub apps: Size,
    pub count: u32,
    /// EC2 instance ids of the first few, for messages.
    pub examples: Vec<String>,
}

/// How many instance ids a group keeps for messages.
pub const EXAMPLES: usize = 3;

/// Groups `(EC2 instance id, registered, application tasks)` rows; order follows first sight.
pub fn group_instances(rows: impl IntoIterator<Item = (String, Size, Size)>) -> Vec<InstanceGroup> {
    let mut groups: Vec<InstanceGroup> = Vec::new();
    for (id, registered, apps) in rows {
        match groups.iter_mut().find(|g| g.registered == registered && g.apps == apps) {
            Some(g) => {
                g.count += 1;
                if g.examples.len() < EXAMPLES {
                    g.examples.push(id);
                }
            }
            None => groups.push(InstanceGroup { registered, apps, count: 1, examples: vec![id] }),
        }
    }
    groups
}

/// What every daemon of a provider reserves per instance once `daemon_name` runs at `new`:
/// `new` plus each other daemon in `existing` (name, CPU units, MiB); the daemon's own current
/// size is replaced, not added.
pub fn daemons_after(new: Size, daemon_name: &str, existing: &[(String, u32, u32)]) -> Size {
    existing
        .iter()
        .filter(|(name, ..)| name != daemon_name)
        .fold(new, |acc, (_, cpu, mem)| acc.plus(Size::new(*cpu, *mem)))
}

/// The rule on one instance: by how much `daemons` plus `apps` exceed `registered`, per
/// dimension. `Size::default()` means it fits.
pub fn shortfall(registered: Size, apps: Size, daemons: Size) -> Size {
    let need = daemons.plus(apps);
    Size::new(need.cpu.saturating_sub(registered.cpu), need.memory.saturating_sub(registered.memory))
}

/// Checks the daemons of one provider (`daemons`: the sum of every daemon it will run per
/// instance after the change) against its instances. A provider without instances is checked
/// against the size its new instances get (`instance_size`, unknown when 0), which start with
/// no application tasks. `Err` is the message the form and the server show.
pub fn check_provider(
    provider: &str,
    daemons: Size,
    instance_size: Size,
    groups: &[InstanceGroup],
) -> Result<(), String> {
    let fresh;
    let groups = if groups.is_empty() {
        if instance_size.cpu == 0 {
            return Ok(());
        }
        fresh =
            [InstanceGroup { registered: instance_size, apps: Size::default(), count: 0, examples: vec![] }];
        &fresh[..]
    } else {
        groups
    };
    // Daemons alone too big: the provider-wide sentence says it best.
    if let Some(g) =
        groups.iter().find(|g| shortfall(g.registered, Size::default(), daemons) != Size::default())
    {
        return Err(does_not_fit_message(
            provider,
            daemons.cpu,
            daemons.memory,
            g.registered.cpu,
            g.registered.memory,
        ));
    }
    let short: Vec<String> = groups
        .iter()
        .filter_map(|g| {
            let s = shortfall(g.registered, g.apps, daemons);
            (s != Size::default()).then(|| group_message(g, s))
        })
        .collect();
    if short.is_empty() {
        return Ok(());
    }
    Err(format!(
        "Daemons on {provider} would reserve {} vCPU and {} GB per instance, leaving too little for the application tasks on {}.",
        format_vcpu(daemons.cpu),
        format_gb(daemons.memory),
        short.join("; ")
    ))
}

/// `i-1, i-2 and 3 more (4 vCPU, 16 GB; application tasks 1.25 vCPU, 4 GB): 512 CPU units short`
fn group_message(g: &InstanceGroup, s: Size) -> String {
    let mut who = g.examples.join(", ");
    let more = (g.count as usize).saturating_sub(g.examples.len());
    if more > 0 {
        who.push_str(&format!(" and {more} more"));
    }
    let lack = match (s.cpu, s.memory) {
        (0, m) => format!("{m} MiB short"),
        (c, 0) => format!("{c} CPU units short"),
        (c, m) => format!("{c} CPU units and {m} MiB short"),
    };
    format!(
        "{who} ({} vCPU, {} GB; application tasks {} vCPU, {} GB): {lack}",
        format_vcpu(g.registered.cpu),
        format_gb(g.registered.memory),
        format_vcpu(g.apps.cpu),
        format_gb(g.apps.memory)
    )
}

/// The message shown when the daemons alone would not fit, naming the numbers.
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

#[cfg(test)]
mod tests {
    use super::*;

    fn canary(apps: Size) -> Vec<InstanceGroup> {
        group_instances([("i-0canary".to_string(), Size::new(2048, 8192), apps)])
    }

    #[test]
    fn names_the_numbers_when_daemons_alone_do_not_fit() {
        let m = check_provider("mi-canary", Size::new(5120, 1024), Size::new(4096, 16384), &[]).unwrap_err();
        assert!(m.contains("5 vCPU") && m.contains("4 vCPU") && m.contains("mi-canary"), "{m}");
        assert!(check_provider("mi-x", Size::new(4096, 16384), Size::new(4096, 16384), &[]).is_ok());
        assert!(check_provider("mi-x", Size::new(999_999, 1), Size::default(), &[]).is_ok(), "unknown size");
    }

    #[test]
    fn application_tasks_count() {
        // Reproduction 3 of issue 11: two 1 vCPU agents next to `web` (0.5 vCPU, 1 GB).
        let web = Size::new(512, 1024);
        let daemons = Size::new(2048, 1024);
        let m = check_provider("mi-canary", daemons, Size::new(2048, 8192), &canary(web)).unwrap_err();
        assert!(
            m.contains("mi-canary") && m.contains("i-0canary") && m.contains("512 CPU units short"),
            "{m}"
        );
        assert!(!m.contains("MiB short"), "{m}");
        assert!(check_provider("mi-canary", Size::new(1536, 7168), Size::default(), &canary(web)).is_ok());
        let m =
            check_provider("mi-canary", Size::new(1537, 7169), Size::default(), &canary(web)).unwrap_err();
        assert!(m.contains("1 CPU units and 1 MiB short"), "{m}");
    }

    #[test]
    fn groups_keep_a_few_names_and_count_the_rest() {
        let rows = (0..5).map(|i| (format!("i-{i}"), Size::new(4096, 16384), Size::new(1280, 4096)));
        let g = group_instances(rows.chain([("i-x".to_string(), Size::new(4096, 16384), Size::default())]));
        assert_eq!(g.len(), 2);
        assert_eq!((g[0].count, g[0].examples.len()), (5, EXAMPLES));
        let m = check_provider("mi-general", Size::new(3072, 1024), Size::default(), &g).unwrap_err();
        assert!(m.contains("i-0, i-1, i-2 and 2 more") && !m.contains("i-x"), "{m}");
    }

    #[test]
    fn shortfall_is_per_dimension() {
        assert_eq!(
            shortfall(Size::new(2048, 8192), Size::new(512, 1024), Size::new(2048, 0)),
            Size::new(512, 0)
        );
        assert_eq!(shortfall(Size::new(2048, 8192), Size::new(0, 0), Size::new(2048, 8192)), Size::default());
    }
}
