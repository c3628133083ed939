//! Faults: changes to the network at a given virtual time.

use std::fmt;

use crate::link::{DirectionConfig, Loss};
use crate::time::SimTime;

/// Which directions of a link a change applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lanes {
    Both,
    AToB,
    BToA,
}

impl Lanes {
    /// Lane indices (0 = a→b, 1 = b→a).
    pub(crate) fn indices(self) -> &'static [usize] {
        match self {
            Lanes::Both => &[0, 1],
            Lanes::AToB => &[0],
            Lanes::BToA => &[1],
        }
    }
}

/// A change to the network, by element name.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    LinkDown(String),
    LinkUp(String),
    /// These links go down together.
    Partition(Vec<String>),
    /// Every link comes up.
    Heal,
    SetLoss {
        link: String,
        lanes: Lanes,
        loss: Loss,
    },
    /// Replaces the whole configuration of the chosen directions.
    Configure {
        link: String,
        lanes: Lanes,
        config: DirectionConfig,
    },
    /// The host's node is dropped (all state lost); frames to it are lost.
    Crash(String),
    /// The host's node is rebuilt by the factory with the same MAC (crashing
    /// it first if it is running).
    Restart(String),
}

/// Why a fault or query could not be accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SimError {
    UnknownLink(String),
    UnknownHost(String),
    /// Faults cannot be scheduled before the current time.
    InPast {
        at: SimTime,
        now: SimTime,
    },
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SimError::UnknownLink(l) => write!(f, "no link named {l:?}"),
            SimError::UnknownHost(h) => write!(f, "no host named {h:?}"),
            SimError::InPast { at, now } => write!(f, "time {at} is before the current time {now}"),
        }
    }
}

impl std::error::Error for SimError {}

/// A fault with names resolved to indices.
#[derive(Debug, Clone)]
pub(crate) enum Action {
    SetUp {
        links: Vec<usize>,
        up: bool,
    },
    HealAll,
    SetLoss {
        link: usize,
        lanes: Lanes,
        loss: Loss,
    },
    Configure {
        link: usize,
        lanes: Lanes,
        config: Box<DirectionConfig>,
    },
    Crash(usize),
    Restart(usize),
}
