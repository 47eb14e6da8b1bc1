//! `check`'s verdict for one server: Setup's readiness check
//! `ServerIsSourceForSendConnector`, offline, and what it rests on.
//!
//! "Clear" only when the inputs could show the Send connectors (and copies
//! that disagree on the server do not leave it undecided); "source" when it
//! is one (an Edge always is, through its subscription); "cannot tell"
//! otherwise. The exit status follows the verdict; `report::check` only
//! renders it.

use crate::analysis::Organization;

/// What `check` concludes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// A source of no Send connector, and the inputs could show them.
    Clear,
    /// A source of at least one Send connector (or an Edge Transport server).
    Source,
    /// No source found, but the inputs cannot show the Send connectors.
    CannotTell,
}

/// The verdict on one server, with what it rests on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    /// The server (index into the graph's servers).
    pub server: usize,
    /// The verdict.
    pub verdict: Verdict,
    /// The Send connectors it is a source of (indices into the graph's).
    pub connectors: Vec<usize>,
    /// Whether the inputs could show the Send connectors for this server.
    pub shown: bool,
    /// Copies of a Send connector disagree on whether it is a source, and
    /// neither is newer: the inputs show the connectors, not this server's.
    pub undecided: bool,
}

impl Check {
    /// The count may be short: a source, and the inputs do not show every
    /// connector.
    pub fn at_least(&self) -> bool {
        !self.connectors.is_empty() && !self.shown
    }
}

impl Organization {
    /// The verdict on the server named `name` (case-insensitive, or a
    /// server or virtual-server DN); `None` when it appears nowhere.
    pub fn check(&self, name: &str) -> Option<Check> {
        let server = self.graph.find_server(name)?;
        let node = &self.graph.servers[server];
        let undecided = node.undecided && self.coverage.send_connectors.is_shown();
        let shown = self.coverage.send_connectors.is_shown() && !node.undecided;
        // An Edge in the organization is subscribed: Setup's
        // EdgeSubscriptionExists blocks it whatever its connectors.
        let verdict = match (node.send_connectors.len(), shown) {
            _ if node.is_edge() => Verdict::Source,
            (0, true) => Verdict::Clear,
            (0, false) => Verdict::CannotTell,
            _ => Verdict::Source,
        };
        Some(Check {
            server,
            verdict,
            connectors: node.send_connectors.clone(),
            shown,
            undecided,
        })
    }
}
