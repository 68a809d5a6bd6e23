//! The resource rule a daemon task launches by. The portal's resource guard applies the
//! same rule (`app/src/domain/capacity.rs`); it is written twice because the emulator must
//! not depend on the portal, and both READMEs state it.
//!
//! **Rule.** A daemon task fits on an instance when the instance's registered CPU and
//! memory cover every daemon task on it (the new one included) plus the application tasks
//! the instance carries: those live on it, or, while it is a replacement still registering,
//! the live ones of the instance it replaces, which it exists to take over.
//!
//! Why: the ECS guide says daemons start before application tasks on a new instance, and
//! that a daemon deployment drains instances and "replaces application tasks
//! automatically" on the replacements; it does not say what happens when the daemons leave
//! no room for them. The emulator takes the conservative reading (inferred): a daemon that
//! could only run by pushing the instance's application tasks off fails to launch, like one
//! that does not fit next to running tasks when it starts in place.

use super::*;

/// CPU units and MiB by which `need` exceeds `have`, per dimension (0 when it fits).
pub fn shortfall(have: (u32, u32), need: (u32, u32)) -> (u32, u32) {
    (need.0.saturating_sub(have.0), need.1.saturating_sub(have.1))
}

impl State {
    /// CPU units and MiB the live application tasks on `inst` reserve.
    pub fn app_resources(&self, inst: &Instance) -> (u32, u32) {
        inst.app_tasks
            .iter()
            .filter_map(|t| self.tasks.get(t))
            .filter(|t| t.is_live())
            .fold((0, 0), |(c, m), t| (c + t.cpu, m + t.memory))
    }

    /// What a daemon task starting now on `inst` may take: registered resources less the
    /// live tasks on it, less (on a registering replacement) the application tasks it is to
    /// take over.
    pub fn daemon_room(&self, inst: &Instance) -> (u32, u32) {
        let (mut cpu, mut mem) = self.used_resources(inst);
        if inst.status == InstanceStatus::Registering {
            if let Some(old) = inst.replaces.as_ref().and_then(|o| self.instances.get(o)) {
                let (c, m) = self.app_resources(old);
                cpu += c;
                mem += m;
            }
        }
        (inst.cpu.saturating_sub(cpu), inst.memory.saturating_sub(mem))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortfall_is_per_dimension() {
        assert_eq!(shortfall((2048, 8192), (2560, 4096)), (512, 0));
        assert_eq!(shortfall((2048, 8192), (2048, 8192)), (0, 0));
        assert_eq!(shortfall((1024, 1024), (0, 2048)), (0, 1024));
    }
}
