//! Latency samples (round trips, fetch times) and their summary metrics.

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
        self.report_as(result, ["rtt_min_us", "rtt_avg_us", "rtt_max_us"]);
    }

    /// Sets the minimum, average and maximum under `names`.
    pub fn report_as(&self, result: &mut AppResult, names: [&'static str; 3]) {
        let (Some(min), Some(max)) = (self.samples_us.iter().min(), self.samples_us.iter().max())
        else {
            return;
        };
        let avg = self.samples_us.iter().sum::<u64>() / self.samples_us.len() as u64;
        let [min_name, avg_name, max_name] = names;
        result.set(min_name, *min);
        result.set(avg_name, avg);
        result.set(max_name, *max);
    }
}
