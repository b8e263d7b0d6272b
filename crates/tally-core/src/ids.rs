//! Identifiers: prefixed, opaque, UUIDv7-based so they sort by creation time (§1).

use uuid::Uuid;

pub const CUSTOMER: &str = "cus_";
pub const SUBSCRIPTION: &str = "sub_";
pub const PAYMENT: &str = "pay_";
pub const REFUND: &str = "re_";
pub const PLAN: &str = "plan_";
pub const PAYMENT_METHOD: &str = "pm_";
pub const ORGANIZATION: &str = "org_";
pub const API_KEY: &str = "key_";
pub const EVENT: &str = "evt_";

pub fn new_id(prefix: &str) -> String {
    format!("{prefix}{}", Uuid::now_v7())
}

/// Client sessions are a bare UUID (seed example).
pub fn new_session_id() -> String {
    Uuid::now_v7().to_string()
}
