//! Paged lists (v1 lists of §11): one statement shape for every aggregate —
//! organization scope, `created_at` bounds, free-text search over a lower-cased
//! `search_text` column, an allow-listed sort column, `LIMIT`/`OFFSET`, and a count.

use crate::{Ex, Result, on};
use sqlx::AssertSqlSafe;

/// A checked list request; `sort` is a column name from the aggregate's allow list.
#[derive(Clone, Debug)]
pub struct ListQuery {
    pub page: u32,
    pub limit: u32,
    pub descending: bool,
    pub sort: &'static str,
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub search: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
}

enum Bind {
    Text(String),
    Int(i64),
}

/// Escapes `%`, `_` and `\` so the user's text matches literally in `LIKE`.
fn like_pattern(s: &str) -> String {
    let mut p = String::with_capacity(s.len() + 2);
    p.push('%');
    for ch in s.to_lowercase().chars() {
        if matches!(ch, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(ch);
    }
    p.push('%');
    p
}

/// Runs a paged select of `columns` from `table` for one organization.
pub(crate) async fn page<R>(ex: Ex<'_>, table: &str, columns: &str, org: &str, q: &ListQuery) -> Result<Page<R>>
where
    R: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
        + Send
        + Unpin,
{
    let mut binds = vec![Bind::Text(org.to_string())];
    let mut filter = String::from("organization_id = $1");
    if let Some(from) = q.from {
        binds.push(Bind::Int(from));
        filter.push_str(&format!(" AND created_at >= ${}", binds.len()));
    }
    if let Some(to) = q.to {
        binds.push(Bind::Int(to));
        filter.push_str(&format!(" AND created_at <= ${}", binds.len()));
    }
    if let Some(s) = q.search.as_deref().filter(|s| !s.is_empty()) {
        binds.push(Bind::Text(like_pattern(s)));
        filter.push_str(&format!(" AND search_text LIKE ${} ESCAPE '\\'", binds.len()));
    }
    let dir = if q.descending { "DESC" } else { "ASC" };
    let count_sql = format!("SELECT COUNT(*) FROM {table} WHERE {filter}");
    let offset = i64::from(q.page.saturating_sub(1)) * i64::from(q.limit);
    let select_sql = format!(
        "SELECT {columns} FROM {table} WHERE {filter} ORDER BY {sort} {dir}, id {dir} LIMIT {limit} OFFSET {offset}",
        sort = q.sort,
        limit = q.limit,
    );
    macro_rules! bound {
        ($query:expr) => {{
            let mut query = $query;
            for b in &binds {
                query = match b {
                    Bind::Text(s) => query.bind(s.clone()),
                    Bind::Int(i) => query.bind(*i),
                };
            }
            query
        }};
    }
    on!(ex, c => {
        let total: i64 = bound!(sqlx::query_scalar(AssertSqlSafe(count_sql))).fetch_one(&mut *c).await?;
        let items: Vec<R> = bound!(sqlx::query_as(AssertSqlSafe(select_sql))).fetch_all(&mut *c).await?;
        Ok(Page { items, total })
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn like_escapes() {
        assert_eq!(super::like_pattern("A_b%c\\"), "%a\\_b\\%c\\\\%");
    }
}
