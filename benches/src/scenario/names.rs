//! Name pools: projects, environments, machines, users, versions, nodes.
//! No name is a substring of another in the same pool, so a subject check
//! by containment cannot be fooled by a neighbour.

use crate::rng::Rng;

/// Projects.
pub const PROJECTS: &[&str] = &[
    "Acme.Web",
    "Payments.Api",
    "Inventory.Service",
    "Customer.Portal",
    "Billing.Batch",
    "Identity.Server",
    "Reporting.Warehouse",
    "Notifications",
    "Mobile.Backend",
    "Search.Indexer",
    "Orders.Api",
    "Data.Pipeline",
];

/// Environments.
pub const ENVIRONMENTS: &[&str] = &["Development", "Test", "Staging", "UAT", "Production"];

/// Machine policies of the big health checks.
pub const POLICIES: &[&str] =
    &["Default Machine Policy", "Windows Servers", "Linux Targets", "Production Web Farm"];

/// Lifecycles named in retention sections.
pub const LIFECYCLES: &[&str] = &["Default Lifecycle", "Standard", "Hotfix"];

/// Portal users.
pub const USERS: &[&str] = &["admin", "jane.doe", "m.nguyen", "p.kowalski", "svc-teamcity"];

/// Deployment step names.
pub const STEPS: &[&str] = &[
    "Deploy web package",
    "Run database migrations",
    "Update configuration",
    "Swap deployment slots",
    "Smoke test",
    "Notify Slack",
    "Deploy Windows service",
    "Apply Kubernetes manifests",
];

/// 3.x versions (no PID in the layout; `Reader took … in transaction`).
pub const V3: &[&str] = &["3.11.18", "3.12.9", "3.13.10", "3.14.159"];
/// 3.15+ versions with the pre-Nevermore-12 SQL messages.
pub const V315_R1: &[&str] = &["2018.7.7", "2018.10.2", "2019.6.8", "2019.13.4", "2020.1.13"];
/// 3.15+ versions with Nevermore-12 SQL messages and `Request took` lines.
pub const V315_R2: &[&str] = &["2020.4.11", "2021.1.7555", "2022.3.10921", "2023.2.13151"];
/// 2024+ versions (ASP.NET Core request lines).
pub const V2024: &[&str] =
    &["2024.1.12873", "2024.2.9409", "2024.3.12828", "2025.1.9950", "2025.2.11260", "2025.3.10412"];

/// How nodes are named in one cluster.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeStyle {
    /// `OCTO-NODE-1`.
    Numbered,
    /// `octopus-prod-a`.
    Lettered,
    /// A container hostname, `08c3dfcac5a3`.
    ContainerHash,
    /// A Kubernetes stateful set, `octopus-0`.
    StatefulSet,
}

/// `n` node names in `style`.
pub fn node_names(style: NodeStyle, n: usize, rng: &mut Rng) -> Vec<String> {
    (0..n)
        .map(|i| match style {
            NodeStyle::Numbered => format!("OCTO-NODE-{}", i + 1),
            NodeStyle::Lettered => format!("octopus-prod-{}", (b'a' + i as u8) as char),
            NodeStyle::ContainerHash => format!("{:012x}", rng.next_u64() >> 16),
            NodeStyle::StatefulSet => format!("octopus-{i}"),
        })
        .collect()
}

/// A task-id suffix: 10 upper-case alphanumerics.
pub fn suffix(rng: &mut Rng) -> String {
    const ABC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    (0..10).map(|_| *rng.pick(ABC) as char).collect()
}

/// A dashed GUID.
pub fn guid(rng: &mut Rng) -> String {
    let (a, b) = (rng.next_u64(), rng.next_u64());
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xffff,
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}

/// 32 lower-case hex digits (a correlation id, a GUID "N").
pub fn hex32(rng: &mut Rng) -> String {
    format!("{:016x}{:016x}", rng.next_u64(), rng.next_u64())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_containment(pool: &[&str]) {
        for a in pool {
            for b in pool {
                assert!(a == b || !b.to_lowercase().contains(&a.to_lowercase()), "{a} in {b}");
            }
        }
    }

    #[test]
    fn pools_do_not_contain_each_other() {
        no_containment(PROJECTS);
        no_containment(POLICIES);
        let mut rng = Rng::new(1);
        no_containment(
            &node_names(NodeStyle::Numbered, 3, &mut rng)
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>(),
        );
    }

    #[test]
    fn ids_have_their_shapes() {
        let mut rng = Rng::new(5);
        let s = suffix(&mut rng);
        assert!(s.len() == 10 && s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
        let g = guid(&mut rng);
        assert_eq!(g.split('-').map(str::len).collect::<Vec<_>>(), [8, 4, 4, 4, 12]);
        assert_eq!(hex32(&mut rng).len(), 32);
        let hash = &node_names(NodeStyle::ContainerHash, 1, &mut rng)[0];
        assert_eq!(hash.len(), 12);
    }
}
