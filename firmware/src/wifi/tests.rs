use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::pending;
use std::rc::Rc;
use std::string::{String, ToString};
use std::vec::Vec;

use super::*;
use crate::testing::Poller;

/// A scripted radio: join outcomes in order, the link states the driver
/// reports in order (a wait for any other state never ends), and a log of
/// what was decided.
#[derive(Default)]
struct Script {
    joins: VecDeque<bool>,
    links: VecDeque<bool>,
    log: Rc<RefCell<Vec<String>>>,
}

impl Script {
    fn new(joins: &[bool], links: &[bool]) -> Self {
        Script {
            joins: joins.iter().copied().collect(),
            links: links.iter().copied().collect(),
            log: Rc::default(),
        }
    }

    fn note(&self, line: impl ToString) {
        self.log.borrow_mut().push(line.to_string());
    }
}

impl Radio for Script {
    async fn join(&mut self) -> bool {
        let ok = self.joins.pop_front().expect("a scripted join outcome");
        self.note(if ok { "join ok" } else { "join failed" });
        ok
    }

    async fn failed(&mut self, pause: Duration) {
        self.note(format!("pause {}s", pause.as_secs()));
    }

    async fn joined(&mut self) {
        self.note("joined");
    }

    async fn link(&mut self, up: bool) {
        if self.links.front() != Some(&up) {
            pending::<()>().await;
        }
        self.links.pop_front();
        self.note(if up { "link up" } else { "link down" });
    }

    fn relinked(&mut self) {
        self.note("re-verify");
    }
}

/// Runs `stay_joined` (after a first `join`) on `script` until it waits
/// for something the script no longer provides; returns the log.
fn run(mut script: Script) -> Vec<String> {
    let log = script.log.clone();
    let mut poller = Poller::new(async move {
        let mut backoff = JOIN_BACKOFF;
        join(&mut script, &mut backoff).await;
        stay_joined(&mut script, &mut backoff).await
    });
    assert!(poller.poll().is_pending(), "the decisions never end");
    let lines = log.borrow().clone();
    lines
}

#[test]
fn failed_joins_back_off_doubling_up_to_the_longest_pause() {
    let log = run(Script::new(
        &[false, false, false, false, false, false, false, true],
        &[],
    ));
    let pauses: Vec<&str> = log
        .iter()
        .filter(|l| l.starts_with("pause"))
        .map(String::as_str)
        .collect();
    assert_eq!(
        pauses,
        [
            "pause 1s",
            "pause 2s",
            "pause 4s",
            "pause 8s",
            "pause 16s",
            "pause 30s",
            "pause 30s"
        ]
    );
    assert_eq!(log.last().map(String::as_str), Some("joined"));
}

#[test]
fn a_lost_link_is_rejoined_at_once_and_backs_off_afresh() {
    let log = run(Script::new(
        &[false, false, true, false, true, true],
        &[true, false, true, false],
    ));
    assert_eq!(
        log,
        [
            "join failed",
            "pause 1s",
            "join failed",
            "pause 2s",
            "join ok",
            "joined",
            "link up",
            "link down",
            "join failed",
            "pause 1s",
            "join ok",
            "joined",
            "link up",
            "re-verify",
            "link down",
            "join ok",
            "joined",
        ]
    );
}

#[test]
fn the_address_is_reverified_once_a_rejoined_link_is_up() {
    let first_up_only = run(Script::new(&[true], &[true]));
    assert_eq!(first_up_only, ["join ok", "joined", "link up"]);
    let rejoined_not_up = run(Script::new(&[true, true], &[true, false]));
    assert_eq!(
        rejoined_not_up,
        [
            "join ok",
            "joined",
            "link up",
            "link down",
            "join ok",
            "joined"
        ],
        "not before the link is up"
    );
    let rejoined_up = run(Script::new(&[true, true], &[true, false, true]));
    assert_eq!(
        rejoined_up[6..],
        ["link up", "re-verify"],
        "{rejoined_up:?}"
    );
}

#[test]
fn nothing_is_rejoined_until_the_link_was_seen_up() {
    // The driver reports a loss, but never saw the link up: no rejoin.
    let log = run(Script::new(&[true], &[false]));
    assert_eq!(
        log,
        ["join ok", "joined"],
        "waiting for the link to come up"
    );
}

#[test]
fn backoff_resets_after_a_success() {
    let mut backoff = Backoff::new(Duration::from_secs(2), Duration::from_secs(5));
    let pauses: Vec<u64> = (0..4).map(|_| backoff.failed().as_secs()).collect();
    assert_eq!(pauses, [2, 4, 5, 5]);
    backoff.succeeded();
    assert_eq!(backoff.failed(), Duration::from_secs(2));
}
