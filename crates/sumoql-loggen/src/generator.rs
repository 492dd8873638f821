//! The event stream: picks a host, a time and a scenario for each event, checks it
//! against the detection, and writes it.

use std::collections::HashSet;
use std::io::{self, Write};

use crate::detection::{child_image, detect, Branch};
use crate::event::{Event, TICKS_PER_SECOND};
use crate::fleet::{build_fleet, Host};
use crate::random::Rng;
use crate::scenarios::{background, detection, near_miss, Built, Intent};
use crate::scene::Scene;

/// The seed used when none is given, so that every run of the benchmark reads the same data.
pub const DEFAULT_SEED: u64 = 1204;

/// Detections per branch per million events when none is given: rare, as real attacks are,
/// yet enough that 1 GiB contains some of each branch.
pub const DEFAULT_DETECTIONS_PER_MILLION: f64 = 20.0;

/// Near misses per branch per thousand events when none is given.
pub const DEFAULT_NEAR_MISSES_PER_THOUSAND: f64 = 5.0;

/// `TimeCreated` of the first event: 2026-03-02T00:00:00Z, in 100 ns ticks.
const START_TICKS: i64 = 1_772_409_600 * TICKS_PER_SECOND;

/// Mean gap between two events across the fleet: a quarter of a second, so the 760,000
/// or so events of 1 GiB of XML cover about two days.
const MEAN_GAP_TICKS: u64 = TICKS_PER_SECOND as u64 / 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Windows event XML, one `<Event>` per line, single-quoted attributes.
    Xml,
    /// JSON lines in the `evtx` crate's `{"Event":{"System":…,"EventData":…}}` shape.
    Jsonl,
}

/// When to stop writing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// Write events while the output stays within this many bytes.
    Bytes(u64),
    /// Write exactly this many events.
    Events(u64),
}

#[derive(Debug, Clone)]
pub struct Config {
    pub seed: u64,
    pub limit: Limit,
    pub format: Format,
    pub detections_per_million: f64,
    pub near_misses_per_thousand: f64,
}

impl Config {
    pub fn new(limit: Limit, format: Format) -> Config {
        Config {
            seed: DEFAULT_SEED,
            limit,
            format,
            detections_per_million: DEFAULT_DETECTIONS_PER_MILLION,
            near_misses_per_thousand: DEFAULT_NEAR_MISSES_PER_THOUSAND,
        }
    }
}

/// Counts of the events in a generated file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub events: u64,
    pub bytes: u64,
    /// Events the shipped detection reports, by [`Branch::index`].
    pub detections: [u64; 3],
    pub near_misses: [u64; 3],
    /// Distinct `(_sourceHost, Username, ChildImage, DetectionBranch)` groups among the
    /// detections: the number of rows the shipped query returns.
    pub result_rows: u64,
}

impl Summary {
    pub fn detections_of(&self, branch: Branch) -> u64 {
        self.detections[branch.index()]
    }
}

/// An endless, deterministic stream of events with the intent each was built for.
pub struct Generator {
    rng: Rng,
    hosts: Vec<Host>,
    /// Indexes into `hosts` of the machines that run pip, Python and Node.
    package_manager_hosts: Vec<usize>,
    time: i64,
    detection_probability: f64,
    near_miss_probability: f64,
}

impl Generator {
    pub fn new(config: &Config) -> Generator {
        let mut rng = Rng::new(config.seed);
        let hosts = build_fleet(&mut rng);
        let package_manager_hosts = (0..hosts.len())
            .filter(|&index| hosts[index].role.has_package_managers())
            .collect();
        Generator {
            rng,
            hosts,
            package_manager_hosts,
            time: START_TICKS,
            detection_probability: config.detections_per_million / 1e6,
            near_miss_probability: config.near_misses_per_thousand / 1e3,
        }
    }

    /// Builds the next event.
    ///
    /// # Panics
    ///
    /// Panics when the event's intent and [`detect`] disagree, because then the
    /// generator's scenarios no longer match the query and its counts would be wrong.
    pub fn next_event(&mut self) -> (Event, Intent) {
        self.time += 1 + self.rng.below(2 * MEAN_GAP_TICKS) as i64;
        let intent = self.pick_intent();
        let host_index = match intent {
            Intent::Background => self.rng.below(self.hosts.len() as u64) as usize,
            Intent::NearMiss(_) | Intent::Detection(_) => {
                *self.rng.pick(&self.package_manager_hosts)
            }
        };

        let host = &self.hosts[host_index];
        let mut scene = Scene {
            rng: &mut self.rng,
            host,
            time: self.time,
        };
        let Built {
            event_id,
            version,
            data,
        } = match intent {
            Intent::Background => background(&mut scene),
            Intent::NearMiss(branch) => near_miss(&mut scene, branch),
            Intent::Detection(branch) => detection(&mut scene, branch),
        };
        let thread_index = self.rng.below(host.sysmon_thread_ids.len() as u64) as usize;

        let host = &mut self.hosts[host_index];
        let event = Event {
            event_id,
            version,
            time_created: self.time,
            record_id: host.next_record_id,
            computer: host.name.clone(),
            sysmon_process_id: host.sysmon_process_id,
            sysmon_thread_id: host.sysmon_thread_ids[thread_index],
            data,
        };
        host.next_record_id += 1;

        let expected = match intent {
            Intent::Detection(branch) => Some(branch),
            Intent::Background | Intent::NearMiss(_) => None,
        };
        assert_eq!(
            detect(&event),
            expected,
            "generated {intent:?} event does not match the detection: {event:?}"
        );
        (event, intent)
    }

    fn pick_intent(&mut self) -> Intent {
        let roll = self.rng.unit();
        let detection_share = 3.0 * self.detection_probability;
        if roll < detection_share {
            return Intent::Detection(branch_at(roll / self.detection_probability));
        }
        let near_miss_roll = roll - detection_share;
        if near_miss_roll < 3.0 * self.near_miss_probability {
            return Intent::NearMiss(branch_at(near_miss_roll / self.near_miss_probability));
        }
        Intent::Background
    }
}

/// Maps a roll in `[0, 3)` to a branch.
fn branch_at(position: f64) -> Branch {
    Branch::ALL[(position as usize).min(2)]
}

/// Writes events in `config.format` to `out` until `config.limit` is reached.
pub fn generate(config: &Config, out: &mut impl Write) -> io::Result<Summary> {
    let mut generator = Generator::new(config);
    let mut summary = Summary::default();
    let mut result_groups = HashSet::new();
    let mut line = Vec::with_capacity(4096);

    loop {
        if let Limit::Events(count) = config.limit {
            if summary.events == count {
                break;
            }
        }

        let (event, intent) = generator.next_event();
        line.clear();
        match config.format {
            Format::Xml => event.write_xml(&mut line),
            Format::Jsonl => event.write_json(&mut line),
        }
        if let Limit::Bytes(limit) = config.limit {
            if summary.bytes + line.len() as u64 > limit {
                break;
            }
        }
        out.write_all(&line)?;

        summary.events += 1;
        summary.bytes += line.len() as u64;
        match intent {
            Intent::Detection(branch) => {
                summary.detections[branch.index()] += 1;
                let user = event.field("User").unwrap_or("").to_string();
                result_groups.insert((
                    event.computer.clone(),
                    user,
                    child_image(&event).to_string(),
                    branch,
                ));
            }
            Intent::NearMiss(branch) => summary.near_misses[branch.index()] += 1,
            Intent::Background => {}
        }
    }

    out.flush()?;
    summary.result_rows = result_groups.len() as u64;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scenario_agrees_with_detection() {
        // High rates so that every scenario table is drawn from many times; the
        // assertion inside `next_event` does the checking.
        let config = Config {
            detections_per_million: 50_000.0,
            near_misses_per_thousand: 100.0,
            ..Config::new(Limit::Events(30_000), Format::Xml)
        };
        let mut generator = Generator::new(&config);
        let mut seen = HashSet::new();
        for _ in 0..30_000 {
            let (event, intent) = generator.next_event();
            seen.insert((event.event_id, intent));
        }
        for branch in Branch::ALL {
            assert!(
                seen.iter()
                    .any(|(_, intent)| *intent == Intent::Detection(branch)),
                "no {branch:?} detection"
            );
            assert!(
                seen.iter()
                    .any(|(_, intent)| *intent == Intent::NearMiss(branch)),
                "no {branch:?} near miss"
            );
        }
        for event_id in [1, 3, 5, 7, 10, 11, 13, 22] {
            assert!(
                seen.iter().any(|(id, _)| *id == event_id),
                "no event {event_id}"
            );
        }
    }

    #[test]
    fn byte_limit_is_never_passed() {
        let config = Config::new(Limit::Bytes(100_000), Format::Jsonl);
        let mut out = Vec::new();
        let summary = generate(&config, &mut out).unwrap();
        assert_eq!(summary.bytes, out.len() as u64);
        assert!(out.len() <= 100_000);
        assert!(out.len() > 95_000, "stopped early at {} bytes", out.len());
    }

    #[test]
    fn times_increase() {
        let mut generator = Generator::new(&Config::new(Limit::Events(1000), Format::Xml));
        let mut previous = 0;
        for _ in 0..1000 {
            let (event, _) = generator.next_event();
            assert!(event.time_created > previous);
            previous = event.time_created;
        }
    }
}
