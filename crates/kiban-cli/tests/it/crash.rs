//! Crash and restart without loss (issue 13): `kiban import` and `kiban serve` killed with
//! SIGKILL at random points, on both engines, and what must hold afterwards.

mod disk_full;
mod import;
pub(crate) mod serve;

/// splitmix64: kill points from a printed seed, without a dependency.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `KIBAN_CRASH_SEED` replays a run; otherwise the clock.
fn seed() -> u64 {
    std::env::var("KIBAN_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        })
}
