//! Organizations, modes and API-key scopes (§2): which resource a key may touch
//! and how (`none` < `read` < `write`; write implies read).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Sandbox,
    Live,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Sandbox => "sandbox",
            Mode::Live => "live",
        }
    }

    pub fn parse(s: &str) -> Option<Mode> {
        match s {
            "sandbox" => Some(Mode::Sandbox),
            "live" => Some(Mode::Live),
            _ => None,
        }
    }

    /// The visible prefix of this mode's secret keys.
    pub fn key_prefix(self) -> &'static str {
        match self {
            Mode::Sandbox => "sk_test_",
            Mode::Live => "sk_live_",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resource {
    ClientSessions,
    Customers,
    Plans,
    Payments,
    Refunds,
    Subscriptions,
    SubscriptionCancellation,
    Webhooks,
    Admin,
}

impl Resource {
    pub const ALL: [Resource; 9] = [
        Resource::ClientSessions,
        Resource::Customers,
        Resource::Plans,
        Resource::Payments,
        Resource::Refunds,
        Resource::Subscriptions,
        Resource::SubscriptionCancellation,
        Resource::Webhooks,
        Resource::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Resource::ClientSessions => "client_sessions",
            Resource::Customers => "customers",
            Resource::Plans => "plans",
            Resource::Payments => "payments",
            Resource::Refunds => "refunds",
            Resource::Subscriptions => "subscriptions",
            Resource::SubscriptionCancellation => "subscription_cancellation",
            Resource::Webhooks => "webhooks",
            Resource::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Resource> {
        Resource::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Resources that have no read level: a key either may act or may not.
    pub fn write_only(self) -> bool {
        matches!(self, Resource::ClientSessions | Resource::Refunds | Resource::SubscriptionCancellation)
    }
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Access {
    None,
    Read,
    Write,
}

impl Access {
    pub fn as_str(self) -> &'static str {
        match self {
            Access::None => "none",
            Access::Read => "read",
            Access::Write => "write",
        }
    }
}

/// The access of a key to every resource. Serialized as `{"plans": "read", ...}`
/// listing every resource.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scopes(BTreeMap<Resource, Access>);

impl Scopes {
    /// Every resource at `write`: a key created without explicit scopes.
    pub fn full() -> Scopes {
        Scopes(Resource::ALL.into_iter().map(|r| (r, Access::Write)).collect())
    }

    /// Scopes from a client's map; unlisted resources get `none`. Rejects levels a
    /// resource does not have (`read` on a write-only resource).
    pub fn from_requested(requested: &BTreeMap<Resource, Access>) -> Result<Scopes, crate::validate::FieldError> {
        let mut m: BTreeMap<Resource, Access> = Resource::ALL.into_iter().map(|r| (r, Access::None)).collect();
        for (r, a) in requested {
            if r.write_only() && *a == Access::Read {
                return Err(crate::validate::FieldError::new(
                    format!("scopes.{r}"),
                    format!("`{r}` is `none` or `write`; it has no `read` level"),
                ));
            }
            m.insert(*r, *a);
        }
        Ok(Scopes(m))
    }

    pub fn get(&self, r: Resource) -> Access {
        self.0.get(&r).copied().unwrap_or(Access::None)
    }

    pub fn allows(&self, r: Resource, needed: Access) -> bool {
        self.get(r) >= needed
    }

    pub fn iter(&self) -> impl Iterator<Item = (Resource, Access)> + '_ {
        self.0.iter().map(|(r, a)| (*r, *a))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_implies_read_and_unlisted_is_none() {
        let s = Scopes::from_requested(&[(Resource::Plans, Access::Write)].into_iter().collect()).unwrap();
        assert!(s.allows(Resource::Plans, Access::Read));
        assert!(s.allows(Resource::Plans, Access::Write));
        assert!(!s.allows(Resource::Customers, Access::Read));
        assert!(Scopes::full().allows(Resource::Admin, Access::Write));
    }

    #[test]
    fn write_only_resources_have_no_read() {
        let r = Scopes::from_requested(&[(Resource::Refunds, Access::Read)].into_iter().collect());
        assert_eq!(r.unwrap_err().param, "scopes.refunds");
    }
}
