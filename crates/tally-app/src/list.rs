//! v1 list parameters (§11): page ≥ 1, limit 1–1000 (default 100), order
//! asc|desc (default desc), sort from the resource's allow list (default
//! created_at), from/to bounds on created_at, free-text search.

use crate::{AppError, AppResult};
use jiff::Timestamp;
use tally_core::clock::to_micros;
pub use tally_store::list::{ListQuery, Page};

/// The raw query of a v1 list, as the client sent it.
#[derive(Clone, Debug, Default)]
pub struct ListParams {
    pub page: Option<i64>,
    pub limit: Option<i64>,
    pub order: Option<String>,
    pub sort: Option<String>,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    pub search: Option<String>,
}

pub const MAX_LIMIT: i64 = 1000;
pub const DEFAULT_LIMIT: i64 = 100;

impl ListParams {
    pub fn check(&self, sorts: &'static [&'static str]) -> AppResult<ListQuery> {
        let page = self.page.unwrap_or(1);
        if !(1..=i64::from(u32::MAX)).contains(&page) {
            return Err(AppError::invalid("page", "must be a whole number ≥ 1"));
        }
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(AppError::invalid("limit", format!("must be between 1 and {MAX_LIMIT}")));
        }
        let descending = match self.order.as_deref() {
            None | Some("desc") => true,
            Some("asc") => false,
            Some(o) => return Err(AppError::invalid("order", format!("`{o}` is not an order: use `asc` or `desc`"))),
        };
        let sort = match self.sort.as_deref() {
            None => "created_at",
            Some(s) => sorts.iter().copied().find(|c| *c == s).ok_or_else(|| {
                AppError::invalid("sort", format!("cannot sort by `{s}`: use one of {}", sorts.join(", ")))
            })?,
        };
        if let (Some(f), Some(t)) = (self.from, self.to)
            && f > t
        {
            return Err(AppError::invalid("from", "must not be after `to`"));
        }
        let search = self.search.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        if search.as_ref().is_some_and(|s| s.chars().count() > 200) {
            return Err(AppError::invalid("search", "must be at most 200 characters"));
        }
        Ok(ListQuery {
            page: page as u32,
            limit: limit as u32,
            descending,
            sort,
            from: self.from.map(to_micros),
            to: self.to.map(to_micros),
            search,
        })
    }
}
