//! The built-in sandbox processor (§8.4): deterministic by card number, in
//! memory, no network. It owns the test-card table, its opaque tokens
//! (`sbx_tok_<behaviour class>_<random id>`, never the number), per-key
//! idempotency of charges and refunds, and the transactions it settled. It must
//! not be used for live organizations (§2: sandbox organizations only), keeps
//! nothing across restarts, and never stores a card number or a CVC.

use crate::card::{CheckedCard, Funding};
use crate::{
    BoxFuture, ChargeOutcome, ChargeRequest, ChargeResult, DeclineCode, PaymentType, Processor,
    ProcessorError, RefundRequest, RefundResult, RefundStatus, VaultedCard,
};
use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;
use tally_core::Money;

/// What a sandbox card does when charged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Behaviour {
    Settle,
    Decline(DeclineCode),
    Fail(DeclineCode),
    /// 3-D Secure on customer-initiated charges.
    ThreeDSecure,
    /// Vaults and settles at checkout (CIT); every merchant-initiated charge
    /// (renewals, dunning) declines with `insufficient_funds`.
    DeclineMit,
}

/// The behaviour classes as they appear in tokens.
const CLASSES: [(&str, Behaviour); 8] = [
    ("ok", Behaviour::Settle),
    ("insufficient_funds", Behaviour::Decline(DeclineCode::InsufficientFunds)),
    ("card_declined", Behaviour::Decline(DeclineCode::CardDeclined)),
    ("expired_card", Behaviour::Decline(DeclineCode::ExpiredCard)),
    ("lost_or_stolen", Behaviour::Decline(DeclineCode::CardLostOrStolen)),
    ("processor_error", Behaviour::Fail(DeclineCode::ProcessorError)),
    ("3ds", Behaviour::ThreeDSecure),
    ("mit_declines", Behaviour::DeclineMit),
];

/// The test cards of §8.4, plus three settling cards that only exist to show a
/// `debit` or `prepaid` funding. All are US-issued.
const TEST_CARDS: [(&str, Behaviour, Funding); 14] = [
    ("4242424242424242", Behaviour::Settle, Funding::Credit),
    ("4111111111111111", Behaviour::Settle, Funding::Credit),
    ("5555555555554444", Behaviour::Settle, Funding::Credit),
    ("4000000000009995", Behaviour::Decline(DeclineCode::InsufficientFunds), Funding::Credit),
    ("4000000000000002", Behaviour::Decline(DeclineCode::CardDeclined), Funding::Credit),
    ("4000000000000069", Behaviour::Decline(DeclineCode::ExpiredCard), Funding::Credit),
    ("4000000000009979", Behaviour::Decline(DeclineCode::CardLostOrStolen), Funding::Credit),
    ("4000000000000119", Behaviour::Fail(DeclineCode::ProcessorError), Funding::Credit),
    ("4000000000003220", Behaviour::ThreeDSecure, Funding::Credit),
    ("4000000000000341", Behaviour::DeclineMit, Funding::Credit),
    ("4000056655665556", Behaviour::Settle, Funding::Debit),
    ("5200828282828210", Behaviour::Settle, Funding::Debit),
    ("5105105105105100", Behaviour::Settle, Funding::Prepaid),
    ("378282246310005", Behaviour::Settle, Funding::Credit),
];

const TEST_CARD_COUNTRY: &str = "US";
const TOKEN_PREFIX: &str = "sbx_tok_";

impl Behaviour {
    fn class(self) -> &'static str {
        CLASSES
            .iter()
            .find(|(_, b)| *b == self)
            .map(|(c, _)| *c)
            .expect("every behaviour has a class")
    }

    fn outcome(self, payment_type: PaymentType, three_d_secure_passed: bool) -> ChargeOutcome {
        match self {
            Behaviour::Settle => ChargeOutcome::Settled,
            Behaviour::Decline(code) => ChargeOutcome::declined(code),
            Behaviour::Fail(decline_code) => ChargeOutcome::Failed { decline_code },
            Behaviour::ThreeDSecure => {
                // A merchant-initiated charge rides on the authentication the
                // customer gave when the card was set up.
                if payment_type == PaymentType::Mit || three_d_secure_passed {
                    ChargeOutcome::Settled
                } else {
                    ChargeOutcome::RequiresAction {
                        challenge_id: format!("sbx_3ds_{}", uuid::Uuid::new_v4()),
                    }
                }
            }
            Behaviour::DeclineMit => match payment_type {
                PaymentType::Cit => ChargeOutcome::Settled,
                PaymentType::Mit => ChargeOutcome::declined(DeclineCode::InsufficientFunds),
            },
        }
    }
}

fn token_for(behaviour: Behaviour) -> String {
    format!(
        "{TOKEN_PREFIX}{}_{}",
        behaviour.class(),
        uuid::Uuid::new_v4().simple()
    )
}

fn behaviour_of_token(token: &str) -> Option<Behaviour> {
    let (class, id) = token.strip_prefix(TOKEN_PREFIX)?.rsplit_once('_')?;
    if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    CLASSES.iter().find(|(c, _)| *c == class).map(|(_, b)| *b)
}

fn auth_code() -> String {
    const ALPHABET: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let id = uuid::Uuid::new_v4();
    id.as_bytes()[..6]
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect()
}

struct Transaction {
    amount: Money,
    settled: bool,
    refunded: i64,
}

#[derive(Default)]
struct State {
    /// idempotency key → (the request first seen with it, its result)
    charges: HashMap<String, (ChargeRequest, ChargeResult)>,
    refunds: HashMap<String, (RefundRequest, RefundResult)>,
    transactions: HashMap<String, Transaction>,
    charge_count: u64,
    refund_count: u64,
}

/// The sandbox processor of §8.4. Cheap to share (`Arc<dyn Processor>`); state
/// (idempotency records, transactions) lives in memory for the life of the
/// value and grows with use — fine for a sandbox, not for production.
pub struct SandboxProcessor {
    latency: Duration,
    state: Mutex<State>,
}

impl Default for SandboxProcessor {
    fn default() -> SandboxProcessor {
        SandboxProcessor::new()
    }
}

impl fmt::Debug for SandboxProcessor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SandboxProcessor")
            .field("latency", &self.latency)
            .finish_non_exhaustive()
    }
}

impl SandboxProcessor {
    /// A sandbox that answers at once (usable without a tokio runtime).
    pub fn new() -> SandboxProcessor {
        SandboxProcessor {
            latency: Duration::ZERO,
            state: Mutex::new(State::default()),
        }
    }

    /// A sandbox that waits `latency` (on the tokio timer) before every answer,
    /// to look like a network processor. Needs a tokio runtime when non-zero.
    pub fn with_latency(latency: Duration) -> SandboxProcessor {
        SandboxProcessor {
            latency,
            ..SandboxProcessor::new()
        }
    }

    /// Charges actually processed, whatever their outcome; replays of an
    /// idempotency key do not count.
    pub fn charge_count(&self) -> u64 {
        self.lock().charge_count
    }

    /// Refunds actually processed; replays do not count.
    pub fn refund_count(&self) -> u64 {
        self.lock().refund_count
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    async fn pause(&self) {
        if !self.latency.is_zero() {
            tokio::time::sleep(self.latency).await;
        }
    }

    fn vault(card: &CheckedCard) -> Result<VaultedCard, ProcessorError> {
        if card.cvc().is_empty() {
            return Err(ProcessorError::Rejected(
                "a card is vaulted with its CVC".into(),
            ));
        }
        let mut details = card.details();
        let known = TEST_CARDS.iter().find(|(n, _, _)| *n == card.number());
        let behaviour = match known {
            Some((_, behaviour, funding)) => {
                details.funding = *funding;
                details.country = Some(TEST_CARD_COUNTRY.to_owned());
                *behaviour
            }
            None => Behaviour::Settle,
        };
        Ok(VaultedCard {
            processor_token: token_for(behaviour),
            details,
        })
    }

    fn charge_now(&self, req: ChargeRequest) -> Result<ChargeResult, ProcessorError> {
        if req.idempotency_key.is_empty() {
            return Err(ProcessorError::Rejected(
                "every charge needs an idempotency key".into(),
            ));
        }
        if req.amount.amount <= 0 {
            return Err(ProcessorError::Rejected(format!(
                "charge amount must be positive; got {}",
                req.amount.amount
            )));
        }
        let behaviour = behaviour_of_token(&req.processor_token).ok_or_else(|| {
            ProcessorError::Rejected("unknown sandbox processor token".into())
        })?;

        // Look up and record under one lock: two concurrent calls with the same
        // key make one charge.
        let mut state = self.lock();
        if let Some((first, result)) = state.charges.get(&req.idempotency_key) {
            return if *first == req {
                Ok(result.clone())
            } else {
                Err(ProcessorError::Rejected(format!(
                    "idempotency key {:?} was already used for a different charge; use a new key for a new attempt",
                    req.idempotency_key
                )))
            };
        }
        let outcome = behaviour.outcome(req.payment_type, req.three_d_secure_passed);
        let recorded = match outcome {
            ChargeOutcome::Settled => Some(true),
            ChargeOutcome::Declined { .. } => Some(false),
            _ => None,
        };
        let processor_transaction_id = recorded.map(|settled| {
            let id = format!("sbx_txn_{}", uuid::Uuid::new_v4());
            state.transactions.insert(
                id.clone(),
                Transaction {
                    amount: req.amount,
                    settled,
                    refunded: 0,
                },
            );
            id
        });
        let result = ChargeResult {
            auth_code: outcome.is_settled().then(auth_code),
            outcome,
            processor_transaction_id,
        };
        state.charge_count += 1;
        state
            .charges
            .insert(req.idempotency_key.clone(), (req, result.clone()));
        Ok(result)
    }

    fn refund_now(&self, req: RefundRequest) -> Result<RefundResult, ProcessorError> {
        if req.idempotency_key.is_empty() {
            return Err(ProcessorError::Rejected(
                "every refund needs an idempotency key".into(),
            ));
        }
        if req.amount.amount <= 0 {
            return Err(ProcessorError::Rejected(format!(
                "refund amount must be positive; got {}",
                req.amount.amount
            )));
        }
        let mut state = self.lock();
        if let Some((first, result)) = state.refunds.get(&req.idempotency_key) {
            return if *first == req {
                Ok(result.clone())
            } else {
                Err(ProcessorError::Rejected(format!(
                    "idempotency key {:?} was already used for a different refund",
                    req.idempotency_key
                )))
            };
        }
        let txn = state
            .transactions
            .get_mut(&req.processor_transaction_id)
            .ok_or_else(|| {
                ProcessorError::Rejected(format!(
                    "unknown transaction {:?}",
                    req.processor_transaction_id
                ))
            })?;
        if !txn.settled {
            return Err(ProcessorError::Rejected(
                "only a settled transaction can be refunded".into(),
            ));
        }
        if req.amount.currency != txn.amount.currency {
            return Err(ProcessorError::Rejected(format!(
                "refund currency {} differs from the charge currency {}",
                req.amount.currency.code(),
                txn.amount.currency.code()
            )));
        }
        let left = txn.amount.amount - txn.refunded;
        if req.amount.amount > left {
            return Err(ProcessorError::Rejected(format!(
                "refund of {} exceeds the {left} left to refund on the transaction",
                req.amount.amount
            )));
        }
        txn.refunded += req.amount.amount;
        let result = RefundResult {
            processor_refund_id: format!("sbx_re_{}", uuid::Uuid::new_v4()),
            status: RefundStatus::Succeeded,
        };
        state.refund_count += 1;
        state
            .refunds
            .insert(req.idempotency_key.clone(), (req, result.clone()));
        Ok(result)
    }
}

impl Processor for SandboxProcessor {
    fn name(&self) -> &'static str {
        "sandbox"
    }

    fn tokenize<'a>(
        &'a self,
        card: &'a CheckedCard,
    ) -> BoxFuture<'a, Result<VaultedCard, ProcessorError>> {
        Box::pin(async move {
            self.pause().await;
            SandboxProcessor::vault(card)
        })
    }

    fn charge(&self, req: ChargeRequest) -> BoxFuture<'_, Result<ChargeResult, ProcessorError>> {
        Box::pin(async move {
            self.pause().await;
            self.charge_now(req)
        })
    }

    fn refund(&self, req: RefundRequest) -> BoxFuture<'_, Result<RefundResult, ProcessorError>> {
        Box::pin(async move {
            self.pause().await;
            self.refund_now(req)
        })
    }
}
