//! Handlers, one module per section of the API contract. Each handler checks
//! nothing itself beyond the wire shape: scopes and rules live in `tally-app`.

pub mod admin;
pub mod checkout;
pub mod customers;
pub mod ops;
pub mod payments;
pub mod plans;
pub mod sessions;

use crate::error::ApiError;
use crate::extract::{RawQuery, Version};
use crate::wire::{ListMeta, ListPage};
use tally_app::list::{ListParams, Page};

/// v1 list query → params; v2 lists (search language) are not served yet.
pub(crate) fn list_params(v: Version, q: &RawQuery) -> Result<ListParams, ApiError> {
    if v == Version::V2 {
        return Err(ApiError::new(
            "unsupported_in_version",
            "v2 lists (the `query` search language) are not available on this server yet; send `X-API-Version: 1.0.0`",
        ));
    }
    Ok(ListParams {
        page: q.int("page")?,
        limit: q.int("limit")?,
        order: q.text("order"),
        sort: q.text("sort"),
        from: q.timestamp("from")?,
        to: q.timestamp("to")?,
        search: q.text("search"),
    })
}

pub(crate) fn list_page<T, W: utoipa::ToSchema>(page: Page<T>, params: &ListParams, f: impl Fn(T) -> W) -> ListPage<W> {
    let limit = params.limit.unwrap_or(tally_app::list::DEFAULT_LIMIT) as u32;
    let pages = if page.total == 0 { 0 } else { (page.total + i64::from(limit) - 1) / i64::from(limit) };
    ListPage {
        data: page.items.into_iter().map(f).collect(),
        meta: ListMeta { limit, page: params.page.unwrap_or(1) as u32, pages, total: page.total },
    }
}
