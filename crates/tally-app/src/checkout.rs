//! Checkout (§6.1 flows, §7): what the browser may see of a session, and the
//! completion of a session through the processor — card or saved card, 3-D
//! Secure, declines that leave the session usable. The browser knows only the
//! session id; no API key is involved. One checkout of a session runs at a time
//! (a lock row), and a session completes at most once.

use crate::customers;
use crate::payments::{ChargeIntent, NewSubscription, PaymentMethod};
use crate::{App, AppError, AppResult};
use jiff::tz::TimeZone;
use jiff::SignedDuration;
use tally_core::clock::to_micros;
use tally_core::customer::{Address, Customer};
use tally_core::ids;
use tally_core::pricing::{PlanDetails, plan_details};
use tally_core::Country;
use tally_core::session::{ClientSession, Flow, PaymentMethodsMode};
use tally_pay::{CardInput, ChargeOutcome, DeclineCode, PaymentType, StatusReason};
use tally_store::keys::{self, Organization};
use tally_store::payments::{self as store, PaymentMethodRecord};
use tally_store::{customers as customer_store, sessions};

/// How long one checkout attempt may hold a session.
const LOCK: SignedDuration = SignedDuration::from_secs(60);

/// How the person pays.
#[derive(Clone, Debug)]
pub enum PayWith {
    Card(CardInput),
    Saved(String),
}

/// The session as the checkout page shows it.
#[derive(Clone, Debug)]
pub struct CheckoutView {
    pub session: ClientSession,
    pub status: &'static str,
    pub saved: Vec<PaymentMethod>,
    /// The prices with their local display: what the session showed when it was
    /// created with currency details, else computed now.
    pub prices: PlanDetails,
}

/// The answer of a completion attempt.
#[derive(Clone, Debug)]
pub struct Completion {
    pub payment_id: String,
    pub status: String,
    pub status_reason: Option<StatusReason>,
    pub challenge_id: Option<String>,
}

fn session_missing(id: &str) -> AppError {
    AppError::not_found("client session", id, None)
}

fn card_error(e: tally_pay::CardError) -> AppError {
    AppError::Invalid { code: e.code, param: Some(e.field.to_string()), message: e.message }
}

impl App {
    async fn public_session(&self, id: &str) -> AppResult<(Organization, ClientSession)> {
        let mut conn = self.db.conn().await?;
        let (org_id, session) = sessions::get_public(conn.ex(), id).await?.ok_or_else(|| session_missing(id))?;
        let org = keys::get_org(conn.ex(), &org_id).await?.ok_or_else(|| session_missing(id))?;
        Ok((org, session))
    }

    /// `GET /client-session/{id}/checkout` (public).
    pub async fn checkout_view(&self, id: &str) -> AppResult<CheckoutView> {
        let (org, session) = self.public_session(id).await?;
        let status = if session.completed_at.is_some() {
            "completed"
        } else if session.is_expired(self.now()) {
            "expired"
        } else {
            "open"
        };
        let saved = match (&session.customer.id, session.options.payment_methods_mode) {
            (Some(cid), PaymentMethodsMode::SavedOrNew) if status == "open" => {
                let mut conn = self.db.conn().await?;
                store::saved_methods(conn.ex(), &org.id, cid)
                    .await?
                    .into_iter()
                    .map(PaymentMethod::from_record)
                    .collect::<AppResult<_>>()?
            }
            _ => Vec::new(),
        };
        let prices = match &session.currency_details {
            Some(d) => d.plan.clone(),
            None => {
                let sheet = self.rate_sheet(&org.id).await?;
                let rates = sheet.table();
                let local = session.customer.country.map(Country::local_currency);
                let trial = session.plan.trial.as_ref().map(|t| t.price);
                plan_details(session.plan.price, trial, session.due_now, local, rates)
            }
        };
        Ok(CheckoutView { session, status, saved, prices })
    }

    fn check_open(&self, s: &ClientSession) -> AppResult<()> {
        if s.completed_at.is_some() {
            return Err(AppError::rule("session_completed", None, "this checkout is already complete; it cannot be paid twice"));
        }
        if s.is_expired(self.now()) {
            return Err(AppError::rule("session_expired", None, "this checkout session has expired; ask the merchant for a new one"));
        }
        Ok(())
    }

    /// Runs `f` holding the session's checkout lock.
    async fn with_lock<T>(
        &self,
        id: &str,
        f: impl AsyncFnOnce(&Organization, ClientSession) -> AppResult<T>,
    ) -> AppResult<T> {
        let (org, session) = self.public_session(id).await?;
        self.check_open(&session)?;
        let token = uuid::Uuid::new_v4().to_string();
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let locked = sessions::lock(tx.ex(), &org.id, id, &token, to_micros(now), to_micros(now + LOCK)).await?;
        tx.commit().await?;
        if !locked {
            let (_, again) = self.public_session(id).await?;
            self.check_open(&again)?;
            return Err(AppError::Conflict {
                code: "checkout_in_progress",
                message: "a payment for this checkout is already being processed; wait for its result".into(),
            });
        }
        // Re-read under the lock: a checkout that finished meanwhile is seen.
        let result = match self.public_session(id).await {
            Ok((_, fresh)) => match self.check_open(&fresh) {
                Ok(()) => f(&org, fresh).await,
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        };
        let mut tx = self.db.begin().await?;
        sessions::unlock(tx.ex(), &org.id, id, &token).await?;
        tx.commit().await?;
        result
    }

    /// `POST /client-session/{id}/complete` (public).
    pub async fn complete_checkout(&self, id: &str, pay: PayWith) -> AppResult<Completion> {
        self.with_lock(id, async |org, mut session| {
            self.processor_for(org)?;
            let customer = self.checkout_customer(&org.id, &mut session).await?;
            let method = match pay {
                PayWith::Card(card) => self.vault_card(org, &customer, &card).await?,
                PayWith::Saved(pm) => {
                    if session.options.payment_methods_mode == PaymentMethodsMode::NewOnly {
                        return Err(AppError::invalid("payment_method_id", "this checkout accepts only a new card"));
                    }
                    let mut conn = self.db.conn().await?;
                    self.saved_method(conn.ex(), &org.id, &customer, Some(&pm), "payment_method_id").await?
                }
            };
            let intent = ChargeIntent {
                org,
                customer: &customer,
                method: &method,
                amount: session.due_now,
                payment_type: PaymentType::Cit,
                metadata: session.payment_metadata.clone(),
                client_session_id: Some(session.id.clone()),
                subscription: None,
            };
            let mut payment = self.open_payment(&intent).await?;
            let key = payment.id.clone();
            let outcome = self.call_processor(org, &mut payment, &method, key, false).await?;
            self.finish_checkout(org, session, payment, outcome).await
        })
        .await
    }

    /// `POST /client-session/{id}/three-d-secure` (public): the person passed
    /// (`passed`) or abandoned the challenge of a pending payment.
    pub async fn answer_challenge(&self, id: &str, challenge_id: &str, passed: bool) -> AppResult<Completion> {
        self.with_lock(id, async |org, session| {
            let mut conn = self.db.conn().await?;
            let mut payment = store::find_by_challenge(conn.ex(), &org.id, id, challenge_id)
                .await?
                .filter(|p| p.status == "PENDING")
                .ok_or_else(|| AppError::not_found("pending 3-D Secure challenge", challenge_id, Some("challenge_id")))?;
            let method_id = payment.payment_method_id.clone().unwrap_or_default();
            let method = store::get_method(conn.ex(), &org.id, &method_id)
                .await?
                .ok_or_else(|| AppError::Internal(format!("payment method {method_id} of a pending payment vanished")))?;
            drop(conn);
            let outcome = if passed {
                let key = format!("{}/3ds", payment.id);
                self.call_processor(org, &mut payment, &method, key, true).await?
            } else {
                ChargeOutcome::Incomplete
            };
            self.finish_checkout(org, session, payment, outcome).await
        })
        .await
    }

    /// Records the outcome; a success completes the session (and starts the
    /// subscription of a recurring plan), in one transaction.
    async fn finish_checkout(
        &self,
        org: &Organization,
        mut session: ClientSession,
        mut payment: tally_store::payments::PaymentRecord,
        outcome: ChargeOutcome,
    ) -> AppResult<Completion> {
        // A new customer's recurring plan starts a subscription on the terms the
        // session showed (with its trial, if the plan has one).
        let start = match session.flow {
            Flow::NewCustomer => session.plan.snapshot().map(|plan| NewSubscription {
                plan,
                with_trial: true,
                metadata: session.subscription.metadata.clone(),
            }),
            _ => None,
        };
        let mut tx = self.db.begin().await?;
        let started = self.settle_outcome(tx.ex(), &org.id, &mut payment, &outcome, start).await?;
        if outcome.is_settled() {
            let now = self.now();
            session.payment_id = Some(payment.id.clone());
            session.subscription.id = started.map(|s| s.id);
            session.completed_at = Some(now);
            session.updated_at = now;
            if !sessions::complete(tx.ex(), &org.id, &session, now).await? {
                return Err(AppError::rule("session_completed", None, "this checkout is already complete"));
            }
        }
        tx.commit().await?;
        self.remember_session(&org.id, &session);
        let status_reason = match &outcome {
            ChargeOutcome::Incomplete => Some(StatusReason::for_code(DeclineCode::AuthenticationFailed)),
            o => o.status_reason(),
        };
        Ok(Completion {
            payment_id: payment.id,
            status: payment.status,
            status_reason,
            challenge_id: payment.challenge_id,
        })
    }

    /// The paying customer: the session's existing one, or the one matched by
    /// external id / email, or a new one. The session remembers it, so a retry
    /// after a decline pays for the same customer.
    async fn checkout_customer(&self, org: &str, session: &mut ClientSession) -> AppResult<Customer> {
        let mut tx = self.db.begin().await?;
        if let Some(id) = &session.customer.id {
            let c = customers::load(tx.ex(), org, id, None).await?;
            return Ok(c);
        }
        let sc = &session.customer;
        let found = customer_store::find_match(tx.ex(), org, sc.external_id.as_deref(), sc.email.as_deref()).await?;
        let customer = match found {
            Some(c) => c,
            None => {
                let now = self.now();
                let c = Customer {
                    id: ids::new_id(ids::CUSTOMER),
                    email: sc.email.clone(),
                    external_id: sc.external_id.clone(),
                    full_name: None,
                    phone: None,
                    address: sc.country.map(|country| Address { country: Some(country), ..Address::default() }),
                    metadata: sc.metadata.clone(),
                    created_at: now,
                    updated_at: now,
                };
                customers::insert(tx.ex(), org, c).await?
            }
        };
        session.customer.id = Some(customer.id.clone());
        sessions::update_open(tx.ex(), org, session).await?;
        tx.commit().await?;
        self.remember_session(org, session);
        Ok(customer)
    }

    /// Checks the card, vaults it at the processor and records it — not yet
    /// saved on the customer: that happens when a payment with it succeeds.
    async fn vault_card(&self, org: &Organization, customer: &Customer, card: &CardInput) -> AppResult<PaymentMethodRecord> {
        let today = self.now().to_zoned(TimeZone::UTC).date();
        let checked = card.check(today).map_err(card_error)?;
        let processor = self.processor_for(org)?;
        let vaulted = match tokio::time::timeout(self.config.processor_timeout, processor.tokenize(&checked)).await {
            Ok(Ok(v)) => v,
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "the processor refused to vault a card");
                return Err(AppError::rule("processor_error", None, "the card could not be saved at the processor; try again"));
            }
            Err(_) => return Err(AppError::rule("processor_error", None, "the processor did not answer in time; try again")),
        };
        let now = self.now();
        let billing_address = checked.postal_code().map(|pc| Address { postal_code: Some(pc.to_string()), ..Address::default() });
        let record = PaymentMethodRecord {
            id: ids::new_id(ids::PAYMENT_METHOD),
            customer_id: customer.id.clone(),
            method_type: "CARD".into(),
            details: serde_json::to_value(&vaulted.details).expect("card details serialize"),
            billing_address,
            processor: processor.name().to_string(),
            processor_token: vaulted.processor_token,
            fingerprint: checked.fingerprint(),
            attached: false,
            created_at: now,
            updated_at: now,
        };
        let mut tx = self.db.begin().await?;
        store::insert_method(tx.ex(), &org.id, &record).await?;
        tx.commit().await?;
        Ok(record)
    }
}
