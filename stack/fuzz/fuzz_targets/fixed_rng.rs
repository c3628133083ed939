//! Shared by the engine targets: the RNG drivers hand the stack, made
//! deterministic so that the fuzzer's input, not chance, decides what
//! happens and every crash replays.

/// A 32-bit linear congruential generator (Numerical Recipes constants).
pub struct FixedRng(pub u32);

impl rand_core::RngCore for FixedRng {
    fn next_u32(&mut self) -> u32 {
        self.0 = self.0.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        self.0
    }
    fn next_u64(&mut self) -> u64 {
        u64::from(self.next_u32()) << 32 | u64::from(self.next_u32())
    }
    fn fill_bytes(&mut self, dst: &mut [u8]) {
        dst.iter_mut().for_each(|b| *b = self.next_u32() as u8);
    }
}
