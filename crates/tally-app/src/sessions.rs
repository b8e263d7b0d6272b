//! Client sessions (§6): create, read and update the token that starts a
//! checkout. A session records the flow it will run, the plan terms and price
//! resolved for the customer's country, what is due now, and — when asked for —
//! the local display of those prices (§6.3). Checkout charges what it showed.

use crate::access::Principal;
use crate::customers;
use crate::{App, AppError, AppResult, cache};
use std::sync::Arc;
use tally_core::access::{Access, Resource};
use tally_core::country::Country;
use tally_core::ids;
use tally_core::plan::{Plan, PlanType};
use tally_core::pricing::{CurrencyDetails, plan_details};
use tally_core::session::{
    ClientSession, Flow, PaymentMethodsMode, ProrationMode, SessionCustomer, SessionOptions, SessionPlan,
    SessionSubscription, SessionTrial,
};
use tally_core::validate::{self, Metadata};
use tally_store::sessions;

/// `customer` of a session request.
#[derive(Clone, Debug, Default)]
pub struct CustomerInput {
    pub id: Option<String>,
    pub email: Option<String>,
    pub external_id: Option<String>,
    pub country: Option<Country>,
    pub metadata: Option<Metadata>,
}

/// `subscription` of a session request.
#[derive(Clone, Debug, Default)]
pub struct SubscriptionInput {
    pub id: Option<String>,
    pub metadata: Option<Metadata>,
    pub proration_billing_mode: Option<ProrationMode>,
}

/// `options` of a session request; absent fields keep their defaults.
#[derive(Clone, Debug, Default)]
pub struct OptionsInput {
    pub payment_methods_mode: Option<PaymentMethodsMode>,
    pub currency_details: Option<bool>,
}

/// `POST /client-session`.
#[derive(Clone, Debug, Default)]
pub struct NewSession {
    pub customer: Option<CustomerInput>,
    pub plan_id: Option<String>,
    pub subscription: Option<SubscriptionInput>,
    pub payment_metadata: Option<Metadata>,
    pub options: Option<OptionsInput>,
}

/// `PATCH /client-session/{id}`: absent parts stay.
#[derive(Clone, Debug, Default)]
pub struct SessionPatch {
    pub customer: Option<CustomerInput>,
    pub payment_metadata: Option<Metadata>,
    pub subscription_metadata: Option<Metadata>,
    pub options: Option<OptionsInput>,
}

fn metadata(param: &str, m: Option<Metadata>) -> AppResult<Metadata> {
    let m = m.unwrap_or_default();
    validate::metadata(param, &m)?;
    Ok(m)
}

fn session_plan(plan: &Plan, country: Option<Country>) -> SessionPlan {
    SessionPlan {
        id: plan.id.clone(),
        name: plan.name.clone(),
        plan_type: plan.plan_type,
        interval: plan.cycle.map(|c| c.unit),
        interval_count: plan.cycle.map(|c| c.count),
        price: plan.price.resolve(country),
        trial: plan.trial.as_ref().map(|t| SessionTrial {
            price: t.price.resolve(country),
            interval: t.cycle.unit,
            interval_count: t.cycle.count,
        }),
        created_at: plan.created_at,
        updated_at: plan.updated_at,
    }
}

fn flow_unavailable(flow: &str) -> AppError {
    AppError::rule(
        "flow_unavailable",
        Some("subscription.id"),
        format!("{flow} sessions (customer.id + subscription.id) are not available on this server yet"),
    )
}

impl App {
    /// A plan that may be sold now (exists, not archived).
    pub(crate) async fn sellable_plan(&self, org: &str, id: &str) -> AppResult<Arc<Plan>> {
        let plan = match self.cached_plan(org, id).await {
            Err(AppError::NotFound { .. }) => return Err(AppError::not_found("plan", id, Some("plan.id"))),
            r => r?,
        };
        if plan.is_archived() {
            return Err(AppError::rule(
                "plan_archived",
                Some("plan.id"),
                format!("plan `{id}` is archived and cannot be used in new sessions; unarchive it or choose another plan"),
            ));
        }
        Ok(plan)
    }

    /// A session from the read cache, or the store.
    pub(crate) async fn cached_session(&self, org: &str, id: &str) -> AppResult<Arc<ClientSession>> {
        let k = cache::key(org, id);
        if let Some(s) = self.cache.sessions.get(&k) {
            return Ok(s);
        }
        let mut conn = self.db.conn().await?;
        let s = sessions::get(conn.ex(), org, id).await?.ok_or_else(|| AppError::not_found("client session", id, None))?;
        let s = Arc::new(s);
        self.cache.sessions.put(k, s.clone());
        Ok(s)
    }

    pub(crate) fn remember_session(&self, org: &str, s: &ClientSession) {
        self.cache.sessions.put(cache::key(org, &s.id), Arc::new(s.clone()));
    }

    pub async fn create_session(&self, p: &Principal, new: NewSession) -> AppResult<Arc<ClientSession>> {
        p.require(Resource::ClientSessions, Access::Write)?;
        let org = p.org();
        let input = new.customer.ok_or_else(|| {
            AppError::invalid("customer", "is required: send `customer.id` of an existing customer or `customer.email` of a new one")
        })?;
        let sub = new.subscription.unwrap_or_default();

        // Who buys.
        let customer = match &input.id {
            Some(id) => {
                for (given, field) in [
                    (input.email.is_some(), "customer.email"),
                    (input.external_id.is_some(), "customer.external_id"),
                    (input.country.is_some(), "customer.address.country"),
                    (input.metadata.is_some(), "customer.metadata"),
                ] {
                    if given {
                        return Err(AppError::invalid(
                            field,
                            "cannot be combined with `customer.id`: an existing customer is changed with PATCH /customers/{id}",
                        ));
                    }
                }
                let c = {
                    let mut conn = self.db.conn().await?;
                    customers::load(conn.ex(), org, id, Some("customer.id")).await?
                };
                SessionCustomer {
                    id: Some(c.id.clone()),
                    email: c.email.clone(),
                    external_id: c.external_id.clone(),
                    country: c.country(),
                    metadata: c.metadata.clone(),
                }
            }
            None => {
                let email = input.email.as_deref().ok_or_else(|| {
                    AppError::invalid("customer.email", "is required when `customer.id` is not given (new customer)")
                })?;
                SessionCustomer {
                    id: None,
                    email: Some(validate::email("customer.email", email)?),
                    external_id: input.external_id.as_deref().map(|e| validate::text("customer.external_id", e, 255)).transpose()?,
                    country: input.country,
                    metadata: metadata("customer.metadata", input.metadata)?,
                }
            }
        };

        // Which flow (§6.1).
        if sub.proration_billing_mode.is_some() && sub.id.is_none() {
            return Err(AppError::invalid(
                "subscription.proration_billing_mode",
                "applies only to a plan change: send it with `subscription.id`",
            ));
        }
        let (flow, plan) = match (&sub.id, &new.plan_id) {
            (Some(_), _) if customer.id.is_none() => {
                return Err(AppError::invalid("subscription.id", "needs `customer.id`: only an existing customer has subscriptions"));
            }
            (Some(_), Some(_)) => return Err(flow_unavailable("change-plan")),
            (Some(_), None) => return Err(flow_unavailable("recovery")),
            (None, None) => return Err(AppError::invalid("plan.id", "is required")),
            (None, Some(plan_id)) => {
                let plan = self.sellable_plan(org, plan_id).await?;
                let flow = match (customer.id.is_some(), plan.plan_type) {
                    (false, _) => Flow::NewCustomer,
                    (true, PlanType::OneOff) => Flow::OneTimeCharge,
                    (true, PlanType::Recurring) => {
                        return Err(AppError::rule(
                            "invalid_flow",
                            Some("plan.id"),
                            format!(
                                "plan `{plan_id}` is recurring: with `customer.id` a session either charges a one-off plan or \
                                 changes the plan of `subscription.id`; to start a new subscription send `customer.email` \
                                 instead of `customer.id`, or use POST /subscriptions"
                            ),
                        ));
                    }
                };
                (flow, plan)
            }
        };
        let options = apply_options(SessionOptions::default(), new.options);
        let now = self.now();
        let mut session = ClientSession {
            id: ids::new_session_id(),
            flow,
            plan: session_plan(&plan, customer.country),
            due_now: plan.price.resolve(customer.country),
            customer,
            subscription: SessionSubscription {
                id: None,
                metadata: metadata("subscription.metadata", sub.metadata)?,
                proration_billing_mode: None,
            },
            payment_metadata: metadata("payment.metadata", new.payment_metadata)?,
            options,
            currency_details: None,
            expires_at: now + self.config.session_ttl,
            completed_at: None,
            payment_id: None,
            created_at: now,
            updated_at: now,
        };
        self.price_session(org, &mut session).await?;
        let session = Arc::new(session);
        self.session_writer().insert(org, session.clone()).await?;
        self.cache.sessions.put(cache::key(org, &session.id), session.clone());
        Ok(session)
    }

    /// Sets what is due now and, when asked for, the currency details.
    async fn price_session(&self, org: &str, s: &mut ClientSession) -> AppResult<()> {
        let trial = s.plan.trial.as_ref().map(|t| t.price);
        s.due_now = match (s.flow, trial) {
            (Flow::NewCustomer, Some(t)) if s.plan.plan_type == PlanType::Recurring => t,
            _ => s.plan.price,
        };
        s.currency_details = if s.options.currency_details {
            let sheet = self.rate_sheet(org).await?;
            let rates = sheet.table();
            let local = s.customer.country.map(Country::local_currency);
            Some(CurrencyDetails { plan: plan_details(s.plan.price, trial, s.due_now, local, rates) })
        } else {
            None
        };
        Ok(())
    }

    pub async fn get_session(&self, p: &Principal, id: &str) -> AppResult<Arc<ClientSession>> {
        p.require(Resource::ClientSessions, Access::Write)?;
        self.cached_session(p.org(), id).await
    }

    pub async fn update_session(&self, p: &Principal, id: &str, patch: SessionPatch) -> AppResult<ClientSession> {
        p.require(Resource::ClientSessions, Access::Write)?;
        let org = p.org();
        let mut s = {
            let mut conn = self.db.conn().await?;
            sessions::get(conn.ex(), org, id).await?.ok_or_else(|| AppError::not_found("client session", id, None))?
        };
        let now = self.now();
        if s.completed_at.is_some() {
            return Err(AppError::rule("session_completed", None, "this client session has completed its checkout and can no longer change"));
        }
        if s.is_expired(now) {
            return Err(AppError::rule("session_expired", None, "this client session has expired; create a new one"));
        }
        if let Some(c) = patch.customer {
            if s.customer.id.is_some() {
                return Err(AppError::invalid(
                    "customer",
                    "this session is for an existing customer; change the customer with PATCH /customers/{id}",
                ));
            }
            if c.id.is_some() {
                return Err(AppError::invalid("customer.id", "the customer of a session cannot be replaced; create a new session"));
            }
            if let Some(e) = c.email {
                s.customer.email = Some(validate::email("customer.email", &e)?);
            }
            if let Some(e) = c.external_id {
                s.customer.external_id = Some(validate::text("customer.external_id", &e, 255)?);
            }
            if c.country.is_some() {
                s.customer.country = c.country;
            }
            if c.metadata.is_some() {
                s.customer.metadata = metadata("customer.metadata", c.metadata)?;
            }
        }
        if patch.payment_metadata.is_some() {
            s.payment_metadata = metadata("payment.metadata", patch.payment_metadata)?;
        }
        if patch.subscription_metadata.is_some() {
            s.subscription.metadata = metadata("subscription.metadata", patch.subscription_metadata)?;
        }
        s.options = apply_options(s.options, patch.options);
        // Prices follow the plan and rates of now, for the (maybe new) country.
        let plan = self.sellable_plan(org, &s.plan.id).await?;
        s.plan = session_plan(&plan, s.customer.country);
        self.price_session(org, &mut s).await?;
        s.updated_at = now;
        let mut tx = self.db.begin().await?;
        if !sessions::update_open(tx.ex(), org, &s).await? {
            return Err(AppError::rule("session_completed", None, "this client session has completed its checkout and can no longer change"));
        }
        tx.commit().await?;
        self.remember_session(org, &s);
        Ok(s)
    }
}

fn apply_options(mut o: SessionOptions, input: Option<OptionsInput>) -> SessionOptions {
    if let Some(i) = input {
        if let Some(m) = i.payment_methods_mode {
            o.payment_methods_mode = m;
        }
        if let Some(c) = i.currency_details {
            o.currency_details = c;
        }
    }
    o
}
