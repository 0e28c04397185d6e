//! The incident kinds of the corpus and what a right diagnosis names for each.

use serde::{Deserialize, Serialize};

/// One kind of day at an Octopus Server, with or without an incident.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A normal day: nothing may be blamed with confidence.
    None,
    /// A 20–40 minute `Apply retention policies` run slows the server.
    Retention,
    /// The same, while a burst of ordinary deployments runs (below the task cap).
    RetentionDuringDeploys,
    /// One project's deployments slow the server each time they run.
    Project,
    /// Deployments queued at the task cap for a long time.
    Concurrency,
    /// Long health checks of a big machine policy, repeatedly.
    HealthCheck,
    /// The database is slow with no task to blame.
    SqlPressure,
    /// The browser waits on the network, not on the server.
    Network,
    /// Verbose logging switched on for about an hour on one node.
    VerboseBurst,
    /// One node hangs, then restarts.
    HangRestart,
    /// One node hangs, then recovers without a restart.
    HangRecover,
    /// A long `Synchronize external security groups` run blocks logins.
    SystemTask,
}

impl Kind {
    /// Every kind, in table order.
    pub const ALL: [Kind; 12] = [
        Kind::None,
        Kind::Retention,
        Kind::RetentionDuringDeploys,
        Kind::Project,
        Kind::Concurrency,
        Kind::HealthCheck,
        Kind::SqlPressure,
        Kind::Network,
        Kind::VerboseBurst,
        Kind::HangRestart,
        Kind::HangRecover,
        Kind::SystemTask,
    ];

    /// The name used in bundle folders and tables.
    pub fn name(self) -> &'static str {
        match self {
            Kind::None => "none",
            Kind::Retention => "retention",
            Kind::RetentionDuringDeploys => "retention-during-deploys",
            Kind::Project => "project",
            Kind::Concurrency => "concurrency",
            Kind::HealthCheck => "health-check",
            Kind::SqlPressure => "sql-pressure",
            Kind::Network => "network",
            Kind::VerboseBurst => "verbose-burst",
            Kind::HangRestart => "hang-restart",
            Kind::HangRecover => "hang-recover",
            Kind::SystemTask => "system-task",
        }
    }

    /// The kind of a name.
    pub fn parse(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The `suspects[0].cause` values that are right (empty: no suspect may reach 0.5).
    pub fn causes(self) -> &'static [&'static str] {
        match self {
            Kind::None => &[],
            Kind::Retention | Kind::RetentionDuringDeploys => &["retention"],
            Kind::Project => &["project"],
            Kind::Concurrency => &["task-queue", "concurrent-tasks"],
            Kind::HealthCheck => &["health-check"],
            Kind::SqlPressure => &["sql"],
            Kind::Network => &["network"],
            Kind::VerboseBurst => &["verbose-logging"],
            Kind::HangRestart => &["unresponsive", "restart"],
            Kind::HangRecover => &["unresponsive"],
            Kind::SystemTask => &["system-task"],
        }
    }

    /// Whether one node hangs.
    pub fn is_hang(self) -> bool {
        matches!(self, Kind::HangRestart | Kind::HangRecover)
    }

    /// Seed salt, so that seed 1 of two kinds draws different variations.
    pub fn salt(self) -> u64 {
        let mut h = 0xcbf2_9ce4_8422_2325u64;
        for b in self.name().bytes() {
            h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
        }
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_distinct() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.name()), Some(k));
        }
        let mut salts: Vec<u64> = Kind::ALL.iter().map(|k| k.salt()).collect();
        salts.sort_unstable();
        salts.dedup();
        assert_eq!(salts.len(), 12);
        assert_eq!(Kind::parse("upgrade"), None);
    }

    #[test]
    fn every_incident_kind_names_a_cause() {
        assert!(Kind::None.causes().is_empty());
        assert!(Kind::ALL[1..].iter().all(|k| !k.causes().is_empty()));
        assert_eq!(Kind::Concurrency.causes(), &["task-queue", "concurrent-tasks"]);
    }
}
