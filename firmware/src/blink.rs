//! LED signal patterns: without a probe attached, the on-board LED is the
//! board's only display, so each state gets a rhythm no other state shares.

use embassy_time::{Duration, Timer};

/// One lit or dark span of a pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub lit: bool,
    pub millis: u16,
}

const fn lit(millis: u16) -> Step {
    Step { lit: true, millis }
}

const fn dark(millis: u16) -> Step {
    Step { lit: false, millis }
}

/// A finite sequence of steps, played once per [`play`] call.
pub type Pattern = &'static [Step];

/// Built without `WIFI_SSID`: three quick flashes, then a long dark pause.
/// Repeated forever; nothing else in the firmware blinks three times.
pub const NO_CREDENTIALS: Pattern = &[
    lit(100),
    dark(150),
    lit(100),
    dark(150),
    lit(100),
    dark(1400),
];

/// A join attempt failed: two slow flashes before the next attempt.
pub const JOIN_FAILED: Pattern = &[lit(400), dark(300), lit(400), dark(300)];

/// Anything that can light the LED. The Pico W's LED hangs off the Wi-Fi
/// chip (CYW43 GPIO 0), so switching it is an async bus transaction.
#[allow(async_fn_in_trait)] // driven from one executor thread; no Send bound wanted
pub trait Led {
    async fn set(&mut self, lit: bool);
}

/// Plays `pattern` once, holding each step for its duration; the LED is
/// left in the state of the last step.
pub async fn play(led: &mut impl Led, pattern: Pattern) {
    for step in pattern {
        led.set(step.lit).await;
        if step.millis > 0 {
            Timer::after(Duration::from_millis(step.millis.into())).await;
        }
    }
}

/// Number of lit spans: what a person counts when reading the LED.
pub fn flashes(pattern: Pattern) -> usize {
    pattern.iter().filter(|s| s.lit).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{Poller, TimeGuard};
    use std::cell::RefCell;
    use std::rc::Rc;

    #[derive(Clone, Default)]
    struct Recorder(Rc<RefCell<Vec<(bool, u64)>>>);

    impl Led for Recorder {
        async fn set(&mut self, lit: bool) {
            let at = embassy_time::Instant::now().as_millis();
            self.0.borrow_mut().push((lit, at));
        }
    }

    #[test]
    fn blinking_states_are_told_apart_by_counting_flashes() {
        assert_eq!(flashes(NO_CREDENTIALS), 3);
        assert_eq!(flashes(JOIN_FAILED), 2);
        let period = |p: Pattern| p.iter().map(|s| u32::from(s.millis)).sum::<u32>();
        assert!(
            period(NO_CREDENTIALS) >= 1500,
            "pause sets repetitions apart"
        );
    }

    #[test]
    fn play_holds_each_step_for_its_duration() {
        let time = TimeGuard::new();
        let led = Recorder::default();
        let mut target = led.clone();
        let mut run = Poller::new(async move { play(&mut target, JOIN_FAILED).await });
        assert!(run.poll().is_pending());
        for _ in 0..3 {
            time.advance_millis(400);
            assert!(run.poll().is_pending());
        }
        time.advance_millis(400);
        assert!(run.poll().is_ready());
        assert_eq!(
            *led.0.borrow(),
            [(true, 0), (false, 400), (true, 800), (false, 1200)]
        );
    }
}
