//! Operators beyond the core set, each in its own module: the per-row
//! `timeslice` and `lookup`, the aggregate functions of `aggregates`, and the
//! row-holding stages of `holding` that release their rows when the
//! execution finishes (`top`, `topk`, `count_frequent`, `transpose`,
//! `fillmissing`, `dedup`, `accum`, `total`, the moving windows of
//! `window` and `outlier`).

pub(crate) mod aggregates;
pub(crate) mod compare;
pub(crate) mod dedup;
pub(crate) mod fill_missing;
pub(crate) mod filter;
pub(crate) mod holding;
pub(crate) mod join;
pub(crate) mod lookup;
pub(crate) mod outlier;
pub(crate) mod predict;
pub(crate) mod rank;
pub(crate) mod series;
pub(crate) mod timeslice;
pub(crate) mod transaction;
pub(crate) mod transpose;
pub(crate) mod window;
pub(crate) mod withtime;
