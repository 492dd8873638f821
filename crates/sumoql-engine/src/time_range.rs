//! The query time range: the span of `_messageTime` a run covers.

/// A time range in milliseconds since the Unix epoch: `start` inclusive,
/// `end` exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeRange {
    pub start: i64,
    pub end: i64,
}

impl TimeRange {
    /// Returns the range from the earliest to the latest message time of a
    /// data set, with the end one millisecond after the latest so that the
    /// latest message is inside it.
    pub fn covering(earliest: i64, latest: i64) -> TimeRange {
        TimeRange {
            start: earliest,
            end: latest.max(earliest) + 1,
        }
    }

    pub fn contains(&self, time: f64) -> bool {
        time >= self.start as f64 && time < self.end as f64
    }

    pub fn length(&self) -> i64 {
        (self.end - self.start).max(0)
    }
}
