//! Billing periods (§9.3): period n starts at anchor + n × cycle, always computed
//! from the anchor, with the day clamped to the month's length, in UTC.

use crate::plan::{Cycle, Interval};
use jiff::{Span, Timestamp, tz::TimeZone};

/// The start of period `n` of a cycle anchored at `anchor`; `None` past year 9999.
pub fn period_start(anchor: Timestamp, cycle: Cycle, n: u32) -> Option<Timestamp> {
    let total = i64::from(cycle.count).checked_mul(i64::from(n))?;
    let span = match cycle.unit {
        Interval::Days => Span::new().try_days(total).ok()?,
        Interval::Months => Span::new().try_months(total).ok()?,
        Interval::Years => Span::new().try_years(total).ok()?,
    };
    let zoned = anchor.to_zoned(TimeZone::UTC);
    zoned.checked_add(span).ok().map(|z| z.timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn month_end_clamps_and_recovers() {
        let c = Cycle { unit: Interval::Months, count: 1 };
        let a = ts("2024-01-31T10:00:00Z");
        assert_eq!(period_start(a, c, 1), Some(ts("2024-02-29T10:00:00Z")));
        assert_eq!(period_start(a, c, 2), Some(ts("2024-03-31T10:00:00Z")));
        assert_eq!(period_start(a, c, 3), Some(ts("2024-04-30T10:00:00Z")));
        assert_eq!(period_start(a, c, 13), Some(ts("2025-02-28T10:00:00Z")));
    }

    #[test]
    fn days_and_years() {
        let a = ts("2024-02-29T00:00:00Z");
        assert_eq!(period_start(a, Cycle { unit: Interval::Years, count: 1 }, 1), Some(ts("2025-02-28T00:00:00Z")));
        assert_eq!(period_start(a, Cycle { unit: Interval::Days, count: 7 }, 2), Some(ts("2024-03-14T00:00:00Z")));
    }
}
