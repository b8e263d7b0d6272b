//! Payments (§8): charging a saved card through the organization's processor,
//! the payment record, refunds, and the effects of a successful first charge
//! (the card is saved, a subscription starts). Shared by checkout (CIT) and
//! `POST /payments` (MIT).

use crate::access::Principal;
use crate::customers;
use crate::list::ListParams;
use crate::{App, AppError, AppResult};
use jiff::Timestamp;
use tally_core::access::{Access, Mode, Resource};
use tally_core::customer::Customer;
use tally_core::ids;
use tally_core::plan::Plan;
use tally_core::subscription::{PlanSnapshot, Subscription, SubscriptionStatus, first_period};
use tally_core::validate::{self, Metadata};
use tally_core::{Country, Currency, Money};
use tally_pay::{
    CardDetails, ChargeOutcome, ChargeRequest, DeclineCode, PaymentType, Processor, ProcessorError, RefundRequest,
    StatusReason,
};
use tally_store::keys::Organization;
use tally_store::list::Page;
use tally_store::payments::{self as store, PaymentMethodRecord};
pub use tally_store::payments::{PaymentRecord, RefundRecord};
use tally_store::{Ex, subscriptions};

/// A saved card as the API shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct PaymentMethod {
    pub id: String,
    pub customer_id: String,
    pub card: CardDetails,
    pub billing_address: Option<tally_core::customer::Address>,
    pub created_at: Timestamp,
}

impl PaymentMethod {
    pub(crate) fn from_record(r: PaymentMethodRecord) -> AppResult<PaymentMethod> {
        Ok(PaymentMethod {
            card: serde_json::from_value(r.details).map_err(|e| AppError::Internal(format!("card details: {e}")))?,
            id: r.id,
            customer_id: r.customer_id,
            billing_address: r.billing_address,
            created_at: r.created_at,
        })
    }
}

/// A payment with what the API embeds in it.
#[derive(Clone, Debug)]
pub struct PaymentView {
    pub payment: PaymentRecord,
    pub status_reason: Option<StatusReason>,
    pub customer: Customer,
    pub payment_method: Option<PaymentMethod>,
    pub subscription: Option<(String, SubscriptionStatus)>,
}

/// A customer with their saved cards and subscriptions (§5).
#[derive(Clone, Debug)]
pub struct CustomerView {
    pub customer: Customer,
    pub payment_methods: Vec<PaymentMethod>,
    pub subscriptions: Vec<Subscription>,
}

/// `POST /payments`.
#[derive(Clone, Debug, Default)]
pub struct NewPayment {
    pub customer_id: Option<String>,
    pub plan_id: Option<String>,
    pub subscription_id: Option<String>,
    pub payment_method_id: Option<String>,
    pub metadata: Option<Metadata>,
}

/// `POST /payments/refund/{id}`.
#[derive(Clone, Debug, Default)]
pub struct NewRefund {
    pub amount: Option<i64>,
    pub reason: Option<String>,
}

/// What a charge is for: enough to record it and to act on success.
pub(crate) struct ChargeIntent<'a> {
    pub org: &'a Organization,
    pub customer: &'a Customer,
    pub method: &'a PaymentMethodRecord,
    pub amount: Money,
    pub payment_type: PaymentType,
    pub metadata: Metadata,
    pub client_session_id: Option<String>,
    /// Starts a subscription on success (recurring plans).
    pub subscription: Option<NewSubscription>,
}

pub(crate) struct NewSubscription {
    pub plan: PlanSnapshot,
    pub with_trial: bool,
    pub metadata: Metadata,
}

pub(crate) fn decline_reason(outcome: &ChargeOutcome) -> Option<serde_json::Value> {
    outcome.status_reason().map(|r| serde_json::to_value(r).expect("a status reason serializes"))
}

fn processor_failure(e: &ProcessorError) -> ChargeOutcome {
    tracing::warn!(error = %e, "processor call failed");
    e.as_outcome()
}

pub(crate) async fn load_payment(ex: Ex<'_>, org: &str, id: &str) -> AppResult<PaymentRecord> {
    store::get_payment(ex, org, id).await?.ok_or_else(|| AppError::not_found("payment", id, None))
}

impl App {
    /// The processor that serves `org`: the sandbox for sandbox organizations.
    pub(crate) fn processor_for(&self, org: &Organization) -> AppResult<&dyn Processor> {
        match org.mode {
            Mode::Sandbox => Ok(self.sandbox.as_ref()),
            Mode::Live => Err(AppError::rule(
                "processor_unavailable",
                None,
                "this organization is in live mode and no live payment processor is configured on this server",
            )),
        }
    }

    /// `amount` in US cents at the organization's current rates (0 if unknown).
    pub(crate) async fn amount_usd(&self, org: &str, amount: Money) -> AppResult<i64> {
        let sheet = self.rate_sheet(org).await?;
        let rates = sheet.table();
        Ok(rates.convert(amount, Currency::usd()).map(|m| m.amount).unwrap_or(0))
    }

    /// Records a PENDING payment before the processor is called, so that a crash
    /// in between leaves a trace rather than a lost charge.
    pub(crate) async fn open_payment(&self, intent: &ChargeIntent<'_>) -> AppResult<PaymentRecord> {
        let now = self.now();
        let payment = PaymentRecord {
            id: ids::new_id(ids::PAYMENT),
            customer_id: intent.customer.id.clone(),
            payment_method_id: Some(intent.method.id.clone()),
            subscription_id: None,
            client_session_id: intent.client_session_id.clone(),
            amount: intent.amount,
            amount_usd: self.amount_usd(&intent.org.id, intent.amount).await?,
            payment_type: intent.payment_type.as_str().to_string(),
            status: "PENDING".into(),
            status_reason: None,
            processor: intent.method.processor.clone(),
            processor_transaction_id: None,
            auth_code: None,
            challenge_id: None,
            refunded_amount: 0,
            metadata: intent.metadata.clone(),
            created_at: now,
            updated_at: now,
        };
        let mut tx = self.db.begin().await?;
        store::insert_payment(tx.ex(), &intent.org.id, &payment).await?;
        tx.commit().await?;
        Ok(payment)
    }

    /// Asks the processor for `payment`'s money (idempotency key: `key`).
    pub(crate) async fn call_processor(
        &self,
        org: &Organization,
        payment: &mut PaymentRecord,
        method: &PaymentMethodRecord,
        key: String,
        three_d_secure_passed: bool,
    ) -> AppResult<ChargeOutcome> {
        if payment.amount.amount == 0 {
            // Nothing is due (a free trial): the card was checked and vaulted;
            // there is nothing to charge.
            return Ok(ChargeOutcome::Settled);
        }
        let processor = self.processor_for(org)?;
        let request = ChargeRequest {
            idempotency_key: key,
            processor_token: method.processor_token.clone(),
            amount: payment.amount,
            payment_type: PaymentType::parse(&payment.payment_type).unwrap_or(PaymentType::Cit),
            three_d_secure_passed,
        };
        let outcome = match tokio::time::timeout(self.config.processor_timeout, processor.charge(request)).await {
            Ok(Ok(result)) => {
                payment.processor_transaction_id = result.processor_transaction_id.or(payment.processor_transaction_id.take());
                payment.auth_code = result.auth_code;
                result.outcome
            }
            Ok(Err(e)) => processor_failure(&e),
            Err(_) => ChargeOutcome::Failed { decline_code: DeclineCode::ProcessorTimeout },
        };
        Ok(outcome)
    }

    /// Writes the outcome; on success saves the card and starts the
    /// subscription, all in one transaction. Returns the subscription started.
    pub(crate) async fn settle_outcome(
        &self,
        ex: Ex<'_>,
        org: &str,
        payment: &mut PaymentRecord,
        outcome: &ChargeOutcome,
        start: Option<NewSubscription>,
    ) -> AppResult<Option<Subscription>> {
        let mut ex = ex;
        let now = self.now();
        payment.status = outcome.payment_status().to_string();
        payment.status_reason = decline_reason(outcome);
        payment.challenge_id = match outcome {
            ChargeOutcome::RequiresAction { challenge_id } => Some(challenge_id.clone()),
            _ => None,
        };
        payment.updated_at = now;
        let mut started = None;
        if outcome.is_settled() {
            if let Some(pm) = &payment.payment_method_id {
                store::attach_method(ex.reborrow(), org, pm, now).await?;
            }
            if let Some(new) = start {
                let (status, anchor, end) = first_period(&new.plan, now, new.with_trial)
                    .ok_or_else(|| AppError::Internal("subscription period past year 9999".into()))?;
                let sub = Subscription {
                    id: ids::new_id(ids::SUBSCRIPTION),
                    customer_id: payment.customer_id.clone(),
                    status,
                    plan: new.plan,
                    payment_method_id: payment.payment_method_id.clone(),
                    anchor_at: anchor,
                    current_period_start: now,
                    current_period_end: end,
                    next_billing_date: Some(end),
                    past_due: None,
                    cancel_at: None,
                    cancelled_at: None,
                    metadata: new.metadata,
                    created_at: now,
                    updated_at: now,
                };
                subscriptions::insert(ex.reborrow(), org, &sub).await?;
                payment.subscription_id = Some(sub.id.clone());
                started = Some(sub);
            }
        }
        store::update_payment(ex, org, payment).await?;
        Ok(started)
    }

    pub(crate) async fn payment_view(&self, ex: Ex<'_>, org: &str, payment: PaymentRecord) -> AppResult<PaymentView> {
        let mut ex = ex;
        let customer = customers::load(ex.reborrow(), org, &payment.customer_id, None).await?;
        let payment_method = match &payment.payment_method_id {
            Some(id) => store::get_method(ex.reborrow(), org, id).await?.map(PaymentMethod::from_record).transpose()?,
            None => None,
        };
        let subscription = match &payment.subscription_id {
            Some(id) => subscriptions::get(ex.reborrow(), org, id).await?.map(|s| (s.id, s.status)),
            None => None,
        };
        let status_reason = payment.status_reason.clone().and_then(|r| serde_json::from_value(r).ok());
        Ok(PaymentView { payment, status_reason, customer, payment_method, subscription })
    }

    pub async fn get_payment(&self, p: &Principal, id: &str) -> AppResult<PaymentView> {
        p.require(Resource::Payments, Access::Read)?;
        let mut conn = self.db.conn().await?;
        let payment = load_payment(conn.ex(), p.org(), id).await?;
        self.payment_view(conn.ex(), p.org(), payment).await
    }

    pub async fn list_payments(&self, p: &Principal, params: &ListParams) -> AppResult<Page<PaymentView>> {
        p.require(Resource::Payments, Access::Read)?;
        let q = params.check(store::SORTS)?;
        let mut conn = self.db.conn().await?;
        let page = store::list_payments(conn.ex(), p.org(), &q).await?;
        let mut items = Vec::with_capacity(page.items.len());
        for payment in page.items {
            items.push(self.payment_view(conn.ex(), p.org(), payment).await?);
        }
        Ok(Page { items, total: page.total })
    }

    /// A customer with saved cards and subscriptions.
    pub async fn customer_view(&self, ex: Ex<'_>, org: &str, customer: Customer) -> AppResult<CustomerView> {
        let mut ex = ex;
        let payment_methods = store::saved_methods(ex.reborrow(), org, &customer.id)
            .await?
            .into_iter()
            .map(PaymentMethod::from_record)
            .collect::<AppResult<_>>()?;
        let subscriptions = subscriptions::of_customer(ex, org, &customer.id).await?;
        Ok(CustomerView { customer, payment_methods, subscriptions })
    }

    /// `POST /payments`: charge a saved card now (MIT), synchronously. A recurring
    /// plan starts a subscription on success. Declines are answered as a payment.
    pub async fn create_payment(&self, p: &Principal, new: NewPayment) -> AppResult<PaymentView> {
        p.require(Resource::Payments, Access::Write)?;
        let org = &p.organization;
        let customer_id = new.customer_id.ok_or_else(|| AppError::invalid("customer.id", "is required"))?;
        let plan_id = new.plan_id.ok_or_else(|| AppError::invalid("plan.id", "is required"))?;
        if new.subscription_id.is_some() {
            return Err(AppError::rule(
                "flow_unavailable",
                Some("subscription.id"),
                "plan changes through POST /payments are not available on this server yet",
            ));
        }
        let metadata = new.metadata.unwrap_or_default();
        validate::metadata("metadata", &metadata)?;
        // Never hold a pooled connection while something else takes one: a full
        // pool would wait for itself.
        let plan = self.sellable_plan(&org.id, &plan_id).await?;
        let mut conn = self.db.conn().await?;
        let customer = customers::load(conn.ex(), &org.id, &customer_id, Some("customer.id")).await?;
        let method = self.saved_method(conn.ex(), &org.id, &customer, new.payment_method_id.as_deref(), "payment_method_id").await?;
        drop(conn);
        self.processor_for(org)?;
        let country = customer.country();
        let (amount, subscription) = first_charge(&plan, country);
        let intent = ChargeIntent {
            org,
            customer: &customer,
            method: &method,
            amount,
            payment_type: PaymentType::Mit,
            metadata,
            client_session_id: None,
            subscription,
        };
        let mut payment = self.open_payment(&intent).await?;
        let key = payment.id.clone();
        let outcome = self.call_processor(org, &mut payment, &method, key, false).await?;
        let mut tx = self.db.begin().await?;
        self.settle_outcome(tx.ex(), &org.id, &mut payment, &outcome, intent.subscription).await?;
        let view = self.payment_view(tx.ex(), &org.id, payment).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// The card to charge: the one named (it must be the customer's, saved), or
    /// the customer's newest saved card.
    pub(crate) async fn saved_method(
        &self,
        ex: Ex<'_>,
        org: &str,
        customer: &Customer,
        id: Option<&str>,
        param: &str,
    ) -> AppResult<PaymentMethodRecord> {
        match id {
            Some(id) => store::get_method(ex, org, id)
                .await?
                .filter(|m| m.customer_id == customer.id && m.attached)
                .ok_or_else(|| AppError::not_found("saved payment method of this customer", id, Some(param))),
            None => store::saved_methods(ex, org, &customer.id).await?.into_iter().next().ok_or_else(|| {
                AppError::rule(
                    "invalid_request",
                    Some("customer.id"),
                    format!("customer `{}` has no saved payment method; a checkout saves one", customer.id),
                )
            }),
        }
    }

    /// `POST /payments/refund/{id}`: partial or full, only SETTLING/SETTLED,
    /// never beyond the amount. The payment keeps its status.
    pub async fn refund_payment(&self, p: &Principal, id: &str, new: NewRefund) -> AppResult<(RefundRecord, PaymentView)> {
        p.require(Resource::Refunds, Access::Write)?;
        let org = &p.organization;
        let payment = {
            let mut conn = self.db.conn().await?;
            load_payment(conn.ex(), &org.id, id).await?
        };
        if !matches!(payment.status.as_str(), "SETTLING" | "SETTLED") {
            return Err(AppError::rule(
                "payment_not_refundable",
                None,
                format!("payment `{id}` is {}; only SETTLING or SETTLED payments can be refunded", payment.status),
            ));
        }
        let remaining = payment.amount.amount - payment.refunded_amount;
        let amount = new.amount.unwrap_or(remaining);
        if amount <= 0 {
            let why = if new.amount.is_some() { "must be greater than 0" } else { "nothing is left to refund" };
            return Err(AppError::invalid("amount", why));
        }
        if amount > remaining {
            return Err(AppError::invalid(
                "amount",
                format!("{amount} is more than the {remaining} left to refund of this payment (amount {}, refunded {})", payment.amount.amount, payment.refunded_amount),
            ));
        }
        let reason = new.reason.map(|r| validate::text("reason", &r, 500)).transpose()?;
        let now = self.now();
        let mut refund = RefundRecord {
            id: ids::new_id(ids::REFUND),
            payment_id: payment.id.clone(),
            amount: Money::new(amount, payment.amount.currency),
            status: "PENDING".into(),
            reason,
            processor_refund_id: None,
            created_at: now,
            updated_at: now,
        };
        // Reserve first, so concurrent refunds can never exceed the payment.
        let mut tx = self.db.begin().await?;
        if !store::reserve_refund(tx.ex(), &org.id, &payment.id, amount, now).await? {
            return Err(AppError::invalid("amount", "the payment changed meanwhile: the refund would exceed what is left"));
        }
        store::insert_refund(tx.ex(), &org.id, &refund).await?;
        tx.commit().await?;

        let result = match (&payment.processor_transaction_id, self.processor_for(org)) {
            (Some(txn), Ok(processor)) => {
                let req = RefundRequest { idempotency_key: refund.id.clone(), processor_transaction_id: txn.clone(), amount: refund.amount };
                match tokio::time::timeout(self.config.processor_timeout, processor.refund(req)).await {
                    Ok(r) => r.map_err(|e| e.to_string()),
                    Err(_) => Err("the processor did not answer in time".to_string()),
                }
            }
            // A zero-amount verification has nothing at the processor.
            (None, _) => Err("this payment has no processor transaction to refund".to_string()),
            (_, Err(e)) => Err(e.to_string()),
        };
        let mut tx = self.db.begin().await?;
        refund.updated_at = self.now();
        let failure = match result {
            Ok(r) => {
                refund.status = r.status.as_str().to_string();
                refund.processor_refund_id = Some(r.processor_refund_id);
                None
            }
            Err(why) => {
                refund.status = "FAILED".into();
                store::release_refund(tx.ex(), &org.id, &payment.id, amount, refund.updated_at).await?;
                Some(why)
            }
        };
        store::update_refund(tx.ex(), &org.id, &refund).await?;
        let payment = load_payment(tx.ex(), &org.id, id).await?;
        let view = self.payment_view(tx.ex(), &org.id, payment).await?;
        tx.commit().await?;
        if let Some(why) = failure {
            return Err(AppError::rule("refund_failed", None, format!("the refund failed: {why}")));
        }
        Ok((refund, view))
    }
}

/// What the first charge of `plan` is for a customer in `country`: the trial
/// price when the plan has a trial, else the price; and the subscription to start.
fn first_charge(plan: &Plan, country: Option<Country>) -> (Money, Option<NewSubscription>) {
    match PlanSnapshot::of(plan, country) {
        None => (plan.price.resolve(country), None),
        Some(snapshot) => {
            let amount = snapshot.trial_price.unwrap_or(snapshot.price);
            (amount, Some(NewSubscription { plan: snapshot, with_trial: true, metadata: Metadata::new() }))
        }
    }
}
