//! A small seeded pseudo-random generator.
//!
//! The generator is written here rather than taken from the `rand` crate so that a seed
//! gives the same bytes forever: `rand`'s `StdRng` documents that its algorithm may change
//! between releases, and benchmark data must not change under a dependency upgrade.

/// SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators",
/// OOPSLA 2014): a 64-bit state advanced by a constant and mixed on output. It is not
/// cryptographic, which log generation does not need.
#[derive(Debug, Clone)]
pub struct Rng {
    state: u64,
}

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut mixed = self.state;
        mixed = (mixed ^ (mixed >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        mixed = (mixed ^ (mixed >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        mixed ^ (mixed >> 31)
    }

    /// Returns a number in `0..bound`. `bound` must not be zero.
    pub fn below(&mut self, bound: u64) -> u64 {
        // Multiply-shift maps the 64-bit output onto the range; the bias is below
        // bound / 2^64, far too small to matter for generated logs.
        ((u128::from(self.next_u64()) * u128::from(bound)) >> 64) as u64
    }

    /// Returns a number in `low..=high`.
    pub fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.below(high - low + 1)
    }

    /// Returns a float in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Returns true with probability `probability`.
    pub fn chance(&mut self, probability: f64) -> bool {
        self.unit() < probability
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// Picks an item with probability proportional to its weight.
    pub fn pick_weighted<'a, T>(&mut self, items: &'a [(u32, T)]) -> &'a T {
        let total: u64 = items.iter().map(|(weight, _)| u64::from(*weight)).sum();
        let mut ticket = self.below(total);
        for (weight, item) in items {
            let weight = u64::from(*weight);
            if ticket < weight {
                return item;
            }
            ticket -= weight;
        }
        unreachable!("the ticket is below the sum of the weights")
    }

    /// Returns `length` upper-case hexadecimal digits, as Sysmon writes hashes.
    pub fn hex_upper(&mut self, length: usize) -> String {
        self.hex(length, b"0123456789ABCDEF")
    }

    /// Returns `length` lower-case hexadecimal digits, as GUIDs are written.
    pub fn hex_lower(&mut self, length: usize) -> String {
        self.hex(length, b"0123456789abcdef")
    }

    /// Returns `length` characters of lower-case letters and digits, as in temporary
    /// folder names such as `pip-install-q8x3m1`.
    pub fn alphanumeric(&mut self, length: usize) -> String {
        const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
        (0..length)
            .map(|_| char::from(ALPHABET[self.below(ALPHABET.len() as u64) as usize]))
            .collect()
    }

    fn hex(&mut self, length: usize, digits: &[u8; 16]) -> String {
        let mut text = String::with_capacity(length);
        let mut bits = 0u64;
        for index in 0..length {
            if index % 16 == 0 {
                bits = self.next_u64();
            }
            text.push(char::from(digits[(bits & 0xF) as usize]));
            bits >>= 4;
        }
        text
    }
}

/// Derives a fixed 64-bit value from text (FNV-1a), so that a file path always gets the
/// same hash values wherever it appears, as a real binary does.
pub fn fingerprint(text: &str) -> u64 {
    let mut hash = 0xCBF2_9CE4_8422_2325u64;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01B3);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence() {
        let mut first = Rng::new(7);
        let mut second = Rng::new(7);
        for _ in 0..100 {
            assert_eq!(first.next_u64(), second.next_u64());
        }
    }

    #[test]
    fn below_stays_in_range() {
        let mut rng = Rng::new(1);
        for bound in [1, 2, 3, 10, 1000] {
            for _ in 0..1000 {
                assert!(rng.below(bound) < bound);
            }
        }
    }

    #[test]
    fn weighted_pick_skips_zero_weights() {
        let mut rng = Rng::new(3);
        let items = [(0, "never"), (5, "often"), (1, "rarely")];
        for _ in 0..1000 {
            assert_ne!(*rng.pick_weighted(&items), "never");
        }
    }
}
