//! `timeslice`: puts each row in a time bucket.
//!
//! https://www.sumologic.com/help/docs/search/search-query-language/search-operators/timeslice/
//! `_timeslice` is the bucket start in milliseconds; buckets are aligned to
//! the clock, so a `1h` bucket starts on the hour.

use crate::expr::Slot;
use crate::row::{Row, RowContext};
use crate::time_range::TimeRange;
use crate::value::Value;

/// The bucket width.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum SliceWidth {
    /// `timeslice 5m`: a width in milliseconds.
    Fixed(f64),
    /// `timeslice 100 buckets`: about that many buckets over the query time range.
    Buckets(u64),
    /// `timeslice` with no width: one bucket for the whole query time range.
    WholeRange,
}

/// Bucket widths that `N buckets` rounds up to, in milliseconds, so that
/// bucket starts fall on readable times. Past a day, whole days are used.
const ROUND_WIDTHS: [i64; 16] = [
    1_000, 5_000, 10_000, 15_000, 30_000, 60_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000,
    7_200_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000,
];

#[derive(Debug)]
pub(crate) struct Timeslice {
    pub(crate) time: Slot,
    pub(crate) target: Slot,
    pub(crate) width: SliceWidth,
}

impl Timeslice {
    /// Sets the bucket field from the row's `_messageTime`. A row without a
    /// time, or a width that needs a time range when none is set, gets null.
    pub(crate) fn apply(&self, row: &mut Row, context: &RowContext) {
        let time = row
            .get(self.time, context)
            .and_then(|value| value.to_number());
        let start = time.and_then(|time| bucket_start(time, self.width, context.time_range));
        row.set(self.target, start.map(Value::Number));
    }
}

/// Returns the start of the bucket that contains `time`.
pub(crate) fn bucket_start(time: f64, width: SliceWidth, range: Option<TimeRange>) -> Option<f64> {
    match width {
        SliceWidth::Fixed(width) if width >= 1.0 => Some((time / width).floor() * width),
        SliceWidth::Fixed(_) => Some(time),
        SliceWidth::Buckets(count) => {
            let width = bucket_width(range?, count);
            Some((time / width as f64).floor() * width as f64)
        }
        SliceWidth::WholeRange => Some(range?.start as f64),
    }
}

/// Returns the width of `count` buckets over `range`: the smallest round
/// width that covers the range in at most `count` buckets.
pub(crate) fn bucket_width(range: TimeRange, count: u64) -> i64 {
    let count = count.max(1) as i64;
    let needed = (range.length() + count - 1) / count;
    match ROUND_WIDTHS.iter().find(|width| **width >= needed) {
        Some(width) => *width,
        None => {
            let day = 86_400_000;
            (needed + day - 1) / day * day
        }
    }
}

impl crate::compile::Compiler<'_> {
    pub(crate) fn timeslice(
        &mut self,
        span: Option<&sumoql_syntax::ast::Spanned<sumoql_syntax::ast::TimesliceSpan>>,
        alias: Option<&sumoql_syntax::ast::Spanned<String>>,
        layout: &mut crate::compile::Layout,
    ) -> Option<crate::plan::Operator> {
        use sumoql_syntax::ast::TimesliceSpan;
        use sumoql_syntax::Diagnostic;

        let width = match span.map(|span| (&span.node, &span.span)) {
            Some((TimesliceSpan::Duration(quantity), span)) => {
                if !quantity.unit.is_time() || quantity.value() <= 0.0 {
                    self.diagnostics.push(Diagnostic::error(
                        "invalid timeslice width",
                        span.clone(),
                        "expected a positive time such as `5m`, `1h` or `1d`",
                    ));
                    return None;
                }
                SliceWidth::Fixed(quantity.value())
            }
            Some((TimesliceSpan::Buckets(count), span)) => {
                if *count == 0 {
                    self.diagnostics.push(Diagnostic::error(
                        "invalid bucket count",
                        span.clone(),
                        "expected at least 1 bucket",
                    ));
                    return None;
                }
                self.reads_time_range = true;
                SliceWidth::Buckets(*count)
            }
            None => {
                self.reads_time_range = true;
                SliceWidth::WholeRange
            }
        };
        let time = self.fields.slot("_messageTime");
        let target = self
            .fields
            .slot(alias.map_or("_timeslice", |alias| alias.node.as_str()));
        layout.add(target);
        self.last_timeslice = Some(width);
        Some(crate::plan::Operator::Timeslice(Timeslice {
            time,
            target,
            width,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_width_aligns_to_clock() {
        let hour = 3_600_000.0;
        assert_eq!(
            bucket_start(hour * 5.0 + 1234.0, SliceWidth::Fixed(hour), None),
            Some(hour * 5.0)
        );
    }

    #[test]
    fn bucket_width_rounds_up() {
        let range = TimeRange {
            start: 0,
            end: 86_400_000,
        };
        assert_eq!(bucket_width(range, 24), 3_600_000);
        assert_eq!(bucket_width(range, 100), 900_000);
        assert_eq!(
            bucket_width(
                TimeRange {
                    start: 0,
                    end: 10 * 86_400_000
                },
                2
            ),
            5 * 86_400_000
        );
    }

    #[test]
    fn whole_range_needs_range() {
        assert_eq!(bucket_start(5.0, SliceWidth::WholeRange, None), None);
        let range = TimeRange { start: 2, end: 9 };
        assert_eq!(
            bucket_start(5.0, SliceWidth::WholeRange, Some(range)),
            Some(2.0)
        );
    }
}
