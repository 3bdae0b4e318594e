//! What the lossy wire does to each packet: netem's four knobs, in user
//! space (`tc qdisc ... netem` needs the `sch_netem` module, which the
//! major distributions ship but not every kernel has).
//!
//! For every packet the wire rolls dice: drop it (`--loss`), deliver it
//! twice (`--duplicate`), hold it back so the next packet overtakes it
//! (`--reorder`); and every delivered packet waits `--delay` ms first.

use demo_kit::cli::Args;
use demo_kit::{bail_msg, tr, Result};
use std::time::Duration;

/// The wire's settings, each bounded.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    /// Percent of packets dropped.
    pub loss: u32,
    /// One-way delay added to every packet.
    pub delay: Duration,
    /// Percent of packets held back behind the next one.
    pub reorder: u32,
    /// Percent of packets delivered twice.
    pub duplicate: u32,
    /// Bytes sent over TCP.
    pub bytes: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            loss: 5,
            delay: Duration::from_millis(5),
            reorder: 5,
            duplicate: 2,
            bytes: 200_000,
        }
    }
}

fn bounded<T: PartialOrd + std::fmt::Display + std::str::FromStr + Copy>(
    args: &mut Args,
    name: &str,
    default: T,
    lo: T,
    hi: T,
    unit: &str,
) -> Result<T>
where
    T::Err: std::fmt::Display,
{
    let v = args.value::<T>(name)?.unwrap_or(default);
    if v < lo || v > hi {
        return bail_msg(tr!(
            "{name} {v} is out of range: {lo}..={hi} {unit}; see --help",
            "{name} {v} 超出范围：{lo}..={hi} {unit}；见 --help"
        ));
    }
    Ok(v)
}

impl Options {
    /// `--loss P --delay MS --reorder P --duplicate P --bytes N`.
    ///
    /// ```
    /// use demo_kit::cli::Args;
    /// # demo_kit::lang::set(demo_kit::lang::Lang::En);
    /// let mut a = Args::from_vec(vec!["--loss".into(), "60".into()]);
    /// let e = tcp_lab::impair::Options::parse(&mut a).unwrap_err();
    /// assert!(e.to_string().contains("--loss 60 is out of range: 0..=50"));
    /// ```
    pub fn parse(args: &mut Args) -> Result<Options> {
        let d = Options::default();
        Ok(Options {
            loss: bounded(args, "--loss", d.loss, 0, 50, "percent")?,
            delay: Duration::from_millis(bounded(
                args,
                "--delay",
                d.delay.as_millis() as u64,
                0,
                500,
                "ms",
            )?),
            reorder: bounded(args, "--reorder", d.reorder, 0, 50, "percent")?,
            duplicate: bounded(args, "--duplicate", d.duplicate, 0, 50, "percent")?,
            bytes: bounded(args, "--bytes", d.bytes, 1, 50_000_000, "bytes")?,
        })
    }
}

/// A small random generator (xorshift64*), seeded from the kernel: the wire
/// needs dice, not cryptography.
pub struct Dice(u64);

impl Dice {
    pub fn new(seed: u64) -> Dice {
        Dice(seed | 1)
    }

    /// True with probability `percent`/100.
    pub fn roll(&mut self, percent: u32) -> bool {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let r = self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 32;
        (r % 100) < u64::from(percent)
    }
}

/// What happens to one packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    Drop,
    Deliver { twice: bool, hold_back: bool },
}

/// Rolls the dice for one packet.
pub fn fate(o: &Options, dice: &mut Dice) -> Fate {
    if dice.roll(o.loss) {
        return Fate::Drop;
    }
    Fate::Deliver {
        twice: dice.roll(o.duplicate),
        hold_back: dice.roll(o.reorder),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dice_follow_the_percentages() {
        let mut d = Dice::new(42);
        let hits = (0..100_000).filter(|_| d.roll(10)).count();
        assert!((9_000..11_000).contains(&hits), "{hits}");
        assert!((0..1000).all(|_| !d.roll(0)));
        assert!((0..1000).all(|_| d.roll(100)));
    }

    #[test]
    fn every_option_is_bounded() {
        demo_kit::lang::set(demo_kit::lang::Lang::En); // the messages checked are English
        for (name, bad) in [
            ("--loss", "51"),
            ("--delay", "501"),
            ("--reorder", "99"),
            ("--duplicate", "51"),
            ("--bytes", "0"),
            ("--bytes", "50000001"),
            ("--loss", "-1"),
            ("--delay", "x"),
        ] {
            let mut a = Args::from_vec(vec![name.into(), bad.into()]);
            let e = Options::parse(&mut a).unwrap_err().to_string();
            assert!(e.contains(name) && e.contains("see --help"), "{e}");
        }
        let mut a = Args::from_vec(vec![]);
        assert_eq!(Options::parse(&mut a).unwrap(), Options::default());
    }

    #[test]
    fn each_bound_itself_is_allowed() {
        let args = "--loss 50 --delay 500 --reorder 50 --duplicate 50 --bytes 50000000";
        let mut a = Args::from_vec(args.split(' ').map(String::from).collect());
        let o = Options::parse(&mut a).unwrap();
        assert_eq!(
            (o.loss, o.delay, o.reorder, o.duplicate, o.bytes),
            (50, Duration::from_millis(500), 50, 50, 50_000_000)
        );
        let mut a = Args::from_vec(
            "--loss 0 --delay 0 --bytes 1"
                .split(' ')
                .map(String::from)
                .collect(),
        );
        let o = Options::parse(&mut a).unwrap();
        assert_eq!((o.loss, o.delay, o.bytes), (0, Duration::ZERO, 1));
    }

    /// Vigna's xorshift64* (shifts 12, 25, 27; multiplier 2685821657736338717),
    /// written out from its definition: the dice must be that generator, whose
    /// high 32 bits pass the statistical tests ("An experimental exploration of
    /// Marsaglia's xorshift generators, scrambled", 2016).
    #[test]
    fn the_dice_are_xorshift64_star() {
        let mut x: u64 = 0x0123_4567_89ab_cdef | 1;
        let mut d = Dice::new(0x0123_4567_89ab_cdef);
        for i in 0..1000 {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            let r = x.wrapping_mul(2_685_821_657_736_338_717) >> 32;
            let percent = i % 101;
            assert_eq!(d.roll(percent), r % 100 < u64::from(percent), "draw {i}");
        }
        // A seed of 0 would stay 0 for ever: Dice::new makes it odd.
        let mut zero = Dice::new(0);
        assert!((0..100).any(|_| zero.roll(50)) && (0..100).any(|_| !zero.roll(50)));
    }
}
