//! Round-trip samples and their summary metrics.

use super::AppResult;

#[derive(Debug, Default)]
pub(crate) struct Rtts {
    samples_us: Vec<u64>,
}

impl Rtts {
    pub fn push(&mut self, micros: u64) {
        self.samples_us.push(micros);
    }

    /// Sets `rtt_min_us`, `rtt_avg_us` and `rtt_max_us` when there are
    /// samples.
    pub fn report(&self, result: &mut AppResult) {
        let (Some(min), Some(max)) = (self.samples_us.iter().min(), self.samples_us.iter().max())
        else {
            return;
        };
        let avg = self.samples_us.iter().sum::<u64>() / self.samples_us.len() as u64;
        result.set("rtt_min_us", *min);
        result.set("rtt_avg_us", avg);
        result.set("rtt_max_us", *max);
    }
}
