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
    (
        "insufficient_funds",
        Behaviour::Decline(DeclineCode::InsufficientFunds),
    ),
    (
        "card_declined",
        Behaviour::Decline(DeclineCode::CardDeclined),
    ),
    ("expired_card", Behaviour::Decline(DeclineCode::ExpiredCard)),
    (
        "lost_or_stolen",
        Behaviour::Decline(DeclineCode::CardLostOrStolen),
    ),
    (
        "processor_error",
        Behaviour::Fail(DeclineCode::ProcessorError),
    ),
    ("3ds", Behaviour::ThreeDSecure),
    ("mit_declines", Behaviour::DeclineMit),
];

/// The test cards of §8.4, plus three settling cards that only exist to show a
/// `debit` or `prepaid` funding. All are US-issued.
const TEST_CARDS: [(&str, Behaviour, Funding); 14] = [
    ("4242424242424242", Behaviour::Settle, Funding::Credit),
    ("4111111111111111", Behaviour::Settle, Funding::Credit),
    ("5555555555554444", Behaviour::Settle, Funding::Credit),
    (
        "4000000000009995",
        Behaviour::Decline(DeclineCode::InsufficientFunds),
        Funding::Credit,
    ),
    (
        "4000000000000002",
        Behaviour::Decline(DeclineCode::CardDeclined),
        Funding::Credit,
    ),
    (
        "4000000000000069",
        Behaviour::Decline(DeclineCode::ExpiredCard),
        Funding::Credit,
    ),
    (
        "4000000000009979",
        Behaviour::Decline(DeclineCode::CardLostOrStolen),
        Funding::Credit,
    ),
    (
        "4000000000000119",
        Behaviour::Fail(DeclineCode::ProcessorError),
        Funding::Credit,
    ),
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
        let behaviour = behaviour_of_token(&req.processor_token)
            .ok_or_else(|| ProcessorError::Rejected("unknown sandbox processor token".into()))?;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::tests::{input, today};
    use crate::{AdviceCode, CardBrand};
    use std::sync::Arc;
    use tally_core::Currency;

    fn usd(amount: i64) -> Money {
        Money::new(amount, Currency::parse("USD").unwrap())
    }

    async fn vault(p: &dyn Processor, number: &str) -> VaultedCard {
        let card = input(number).check(today()).expect("a valid test card");
        p.tokenize(&card)
            .await
            .expect("the sandbox vaults every valid card")
    }

    fn charge_req(key: &str, token: &str, payment_type: PaymentType) -> ChargeRequest {
        ChargeRequest {
            idempotency_key: key.to_owned(),
            processor_token: token.to_owned(),
            amount: usd(1999),
            payment_type,
            three_d_secure_passed: false,
        }
    }

    fn refund_req(key: &str, txn: &str, amount: i64) -> RefundRequest {
        RefundRequest {
            idempotency_key: key.to_owned(),
            processor_transaction_id: txn.to_owned(),
            amount: usd(amount),
        }
    }

    async fn settled_txn(p: &SandboxProcessor, key: &str) -> String {
        let card = vault(p, "4242424242424242").await;
        let r = p
            .charge(charge_req(key, &card.processor_token, PaymentType::Cit))
            .await
            .unwrap();
        assert_eq!(r.outcome, ChargeOutcome::Settled);
        r.processor_transaction_id.unwrap()
    }

    /// Expected (status, decline code, advice) for a CIT and an MIT charge.
    type Expect = (&'static str, Option<(DeclineCode, AdviceCode)>);

    #[tokio::test]
    async fn every_card_of_section_8_4() {
        use AdviceCode::*;
        use DeclineCode as D;
        const SETTLED: Expect = ("SETTLED", None);
        let table: [(&str, Expect, Expect); 11] = [
            ("4242424242424242", SETTLED, SETTLED),
            ("4111111111111111", SETTLED, SETTLED),
            ("5555555555554444", SETTLED, SETTLED),
            (
                "4000000000009995",
                ("DECLINED", Some((D::InsufficientFunds, TryAgainLater))),
                ("DECLINED", Some((D::InsufficientFunds, TryAgainLater))),
            ),
            (
                "4000000000000002",
                ("DECLINED", Some((D::CardDeclined, TryAgainLater))),
                ("DECLINED", Some((D::CardDeclined, TryAgainLater))),
            ),
            (
                "4000000000000069",
                ("DECLINED", Some((D::ExpiredCard, DoNotTryAgain))),
                ("DECLINED", Some((D::ExpiredCard, DoNotTryAgain))),
            ),
            (
                "4000000000009979",
                ("DECLINED", Some((D::CardLostOrStolen, DoNotTryAgain))),
                ("DECLINED", Some((D::CardLostOrStolen, DoNotTryAgain))),
            ),
            (
                "4000000000000119",
                ("FAILED", Some((D::ProcessorError, TryAgainLater))),
                ("FAILED", Some((D::ProcessorError, TryAgainLater))),
            ),
            // 3-D Secure: a challenge at checkout; renewals ride on it.
            ("4000000000003220", ("PENDING", None), SETTLED),
            // Attaches and pays at checkout; every renewal declines.
            (
                "4000000000000341",
                SETTLED,
                ("DECLINED", Some((D::InsufficientFunds, TryAgainLater))),
            ),
            // Any other Luhn-valid number succeeds.
            ("6011111111111117", SETTLED, SETTLED),
        ];
        let p = SandboxProcessor::new();
        for (i, (number, cit, mit)) in table.into_iter().enumerate() {
            let card = vault(&p, number).await;
            assert!(card.processor_token.starts_with("sbx_tok_"), "{card:?}");
            assert!(!card.processor_token.contains(number), "{card:?}");
            assert_eq!(card.details.last4, number[12..]);
            for (payment_type, (status, reason)) in
                [(PaymentType::Cit, cit), (PaymentType::Mit, mit)]
            {
                let key = format!("{i}-{payment_type}");
                let r = p
                    .charge(charge_req(&key, &card.processor_token, payment_type))
                    .await
                    .unwrap();
                let what = format!("{number} {payment_type}: {r:?}");
                assert_eq!(r.outcome.payment_status(), status, "{what}");
                let got = r
                    .outcome
                    .status_reason()
                    .map(|s| (s.decline_code, s.advice_code));
                assert_eq!(got, reason, "{what}");
                match r.outcome {
                    ChargeOutcome::Settled => {
                        assert!(
                            r.processor_transaction_id
                                .as_deref()
                                .unwrap()
                                .starts_with("sbx_txn_"),
                            "{what}"
                        );
                        let code = r.auth_code.as_deref().unwrap();
                        assert_eq!(code.len(), 6, "{what}");
                        assert!(
                            code.bytes()
                                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
                        );
                    }
                    ChargeOutcome::Declined { .. } => {
                        assert!(r.processor_transaction_id.is_some(), "{what}");
                        assert_eq!(r.auth_code, None, "{what}");
                    }
                    _ => {
                        assert_eq!(r.processor_transaction_id, None, "{what}");
                        assert_eq!(r.auth_code, None, "{what}");
                    }
                }
            }
        }
        assert_eq!(p.charge_count(), 22);
    }

    #[tokio::test]
    async fn three_d_secure_challenge_then_pass() {
        let p = SandboxProcessor::new();
        let card = vault(&p, "4000 0000 0000 3220").await;
        let first = p
            .charge(charge_req("pay_1", &card.processor_token, PaymentType::Cit))
            .await
            .unwrap();
        let ChargeOutcome::RequiresAction { challenge_id } = &first.outcome else {
            panic!("expected a challenge: {first:?}");
        };
        assert!(challenge_id.starts_with("sbx_3ds_"));

        // Retrying the same key replays the challenge; passing it is a new attempt.
        let again = p
            .charge(charge_req("pay_1", &card.processor_token, PaymentType::Cit))
            .await
            .unwrap();
        assert_eq!(again, first);
        let mut passed = charge_req("pay_1", &card.processor_token, PaymentType::Cit);
        passed.three_d_secure_passed = true;
        assert!(matches!(
            p.charge(passed.clone()).await,
            Err(ProcessorError::Rejected(m)) if m.contains("new key")
        ));
        passed.idempotency_key = "pay_1/3ds".into();
        let done = p.charge(passed).await.unwrap();
        assert_eq!(done.outcome, ChargeOutcome::Settled);
        assert_eq!(p.charge_count(), 2);
    }

    #[tokio::test]
    async fn vaulting_adds_bin_data_for_test_cards() {
        let p = SandboxProcessor::new();
        let visa = vault(&p, "4242424242424242").await.details;
        assert_eq!(visa.brand, CardBrand::Visa);
        assert_eq!(visa.funding, Funding::Credit);
        assert_eq!(visa.country.as_deref(), Some("US"));
        assert_eq!(visa.bin, "424242");

        let debit = vault(&p, "4000056655665556").await.details;
        assert_eq!(debit.funding, Funding::Debit);
        let prepaid = vault(&p, "5105105105105100").await.details;
        assert_eq!(
            (prepaid.brand, prepaid.funding),
            (CardBrand::Mastercard, Funding::Prepaid)
        );

        let mut amex = input("378282246310005");
        amex.cvc = "1234".into();
        let amex = p.tokenize(&amex.check(today()).unwrap()).await.unwrap();
        assert_eq!(amex.details.brand, CardBrand::Amex);

        let other = vault(&p, "6011111111111117").await.details;
        assert_eq!((other.funding, other.country), (Funding::Unknown, None));
    }

    #[test]
    fn test_cards_are_valid_and_tokens_round_trip() {
        for (number, behaviour, _) in TEST_CARDS {
            assert!(crate::card::luhn_valid(number), "{number}");
            let token = token_for(behaviour);
            assert_eq!(behaviour_of_token(&token), Some(behaviour), "{token}");
        }
        for (class, behaviour) in CLASSES {
            assert_eq!(behaviour.class(), class);
        }
    }

    #[tokio::test]
    async fn tokens_are_opaque_and_checked() {
        let p = SandboxProcessor::new();
        let a = vault(&p, "4242424242424242").await.processor_token;
        let b = vault(&p, "4242424242424242").await.processor_token;
        assert_ne!(a, b, "each vaulting gets its own random id");
        for bad in [
            "",
            "4242424242424242",
            "sbx_tok_ok",
            "sbx_tok_ok_xyz",
            "sbx_tok_no_such_class_0123456789abcdef0123456789abcdef",
        ] {
            let r = p.charge(charge_req("k", bad, PaymentType::Cit)).await;
            assert!(
                matches!(r, Err(ProcessorError::Rejected(_))),
                "{bad:?}: {r:?}"
            );
        }
        let mut zero = charge_req("k", &a, PaymentType::Cit);
        zero.amount = usd(0);
        assert!(matches!(
            p.charge(zero).await,
            Err(ProcessorError::Rejected(_))
        ));
        let no_key = charge_req("", &a, PaymentType::Cit);
        assert!(matches!(
            p.charge(no_key).await,
            Err(ProcessorError::Rejected(_))
        ));
        assert_eq!(p.charge_count(), 0);
    }

    #[tokio::test]
    async fn same_key_twice_is_one_charge() {
        let p = SandboxProcessor::new();
        let card = vault(&p, "4242424242424242").await;
        let req = charge_req("sub_1/period_3", &card.processor_token, PaymentType::Mit);
        let first = p.charge(req.clone()).await.unwrap();
        let second = p.charge(req.clone()).await.unwrap();
        assert_eq!(first, second);
        assert_eq!(p.charge_count(), 1);

        // A declined result replays too.
        let declining = vault(&p, "4000000000009995").await;
        let d = charge_req(
            "sub_2/period_1",
            &declining.processor_token,
            PaymentType::Mit,
        );
        let d1 = p.charge(d.clone()).await.unwrap();
        assert_eq!(p.charge(d).await.unwrap(), d1);
        assert_eq!(p.charge_count(), 2);

        // The same key with other parameters is refused and charges nothing.
        let mut other = req.clone();
        other.amount = usd(2999);
        assert!(matches!(
            p.charge(other).await,
            Err(ProcessorError::Rejected(_))
        ));
        assert_eq!(p.charge_count(), 2);

        // A new key is a new charge.
        let mut next = req;
        next.idempotency_key = "sub_1/period_4".into();
        let third = p.charge(next).await.unwrap();
        assert_ne!(
            third.processor_transaction_id,
            first.processor_transaction_id
        );
        assert_eq!(p.charge_count(), 3);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_same_key_is_one_charge() {
        let p: Arc<dyn Processor> =
            Arc::new(SandboxProcessor::with_latency(Duration::from_millis(5)));
        let card = vault(p.as_ref(), "4242424242424242").await;
        let req = charge_req("pay_concurrent", &card.processor_token, PaymentType::Cit);
        let (a, b) = (Arc::clone(&p), Arc::clone(&p));
        let (ra, rb) = (req.clone(), req);
        let (x, y) = tokio::join!(
            tokio::spawn(async move { a.charge(ra).await }),
            tokio::spawn(async move { b.charge(rb).await }),
        );
        let (x, y) = (x.unwrap().unwrap(), y.unwrap().unwrap());
        assert_eq!(x, y);
        assert_eq!(x.outcome, ChargeOutcome::Settled);
        assert_eq!(p.name(), "sandbox");
    }

    #[tokio::test]
    async fn concurrent_same_key_counts_once() {
        let p = SandboxProcessor::with_latency(Duration::from_millis(5));
        let card = vault(&p, "4111111111111111").await;
        let req = charge_req("pay_join", &card.processor_token, PaymentType::Cit);
        let (x, y) = tokio::join!(p.charge(req.clone()), p.charge(req));
        assert_eq!(x.unwrap(), y.unwrap());
        assert_eq!(p.charge_count(), 1);
    }

    #[tokio::test]
    async fn refunds() {
        let p = SandboxProcessor::new();
        let txn = settled_txn(&p, "pay_r").await;

        let r1 = p.refund(refund_req("re_1", &txn, 999)).await.unwrap();
        assert_eq!(r1.status, RefundStatus::Succeeded);
        assert!(r1.processor_refund_id.starts_with("sbx_re_"));
        // Replay: same refund, not refunded twice.
        assert_eq!(p.refund(refund_req("re_1", &txn, 999)).await.unwrap(), r1);
        assert_eq!(p.refund_count(), 1);
        // Same key, other amount: refused.
        assert!(matches!(
            p.refund(refund_req("re_1", &txn, 5)).await,
            Err(ProcessorError::Rejected(_))
        ));

        // 1999 charged, 999 refunded: 1001 is too much, 1000 is exactly the rest.
        assert!(matches!(
            p.refund(refund_req("re_2", &txn, 1001)).await,
            Err(ProcessorError::Rejected(m)) if m.contains("1000 left")
        ));
        let r2 = p.refund(refund_req("re_3", &txn, 1000)).await.unwrap();
        assert_ne!(r2.processor_refund_id, r1.processor_refund_id);
        assert!(matches!(
            p.refund(refund_req("re_4", &txn, 1)).await,
            Err(ProcessorError::Rejected(_))
        ));
        assert_eq!(p.refund_count(), 2);
    }

    #[tokio::test]
    async fn refunds_are_refused_when_they_cannot_apply() {
        let p = SandboxProcessor::new();
        let txn = settled_txn(&p, "pay_x").await;
        for amount in [0, -5] {
            assert!(matches!(
                p.refund(refund_req("re_a", &txn, amount)).await,
                Err(ProcessorError::Rejected(_))
            ));
        }
        assert!(matches!(
            p.refund(refund_req("re_b", "sbx_txn_unknown", 100)).await,
            Err(ProcessorError::Rejected(m)) if m.contains("unknown transaction")
        ));
        let mut eur = refund_req("re_c", &txn, 100);
        eur.amount = Money::new(100, Currency::parse("EUR").unwrap());
        assert!(matches!(
            p.refund(eur).await,
            Err(ProcessorError::Rejected(_))
        ));

        let declining = vault(&p, "4000000000000002").await;
        let declined = p
            .charge(charge_req(
                "pay_d",
                &declining.processor_token,
                PaymentType::Cit,
            ))
            .await
            .unwrap();
        let declined_txn = declined.processor_transaction_id.unwrap();
        assert!(matches!(
            p.refund(refund_req("re_d", &declined_txn, 100)).await,
            Err(ProcessorError::Rejected(m)) if m.contains("settled")
        ));
        assert_eq!(p.refund_count(), 0);
    }

    #[test]
    fn answers_without_a_runtime_when_latency_is_zero() {
        // The zero-latency sandbox never touches the tokio timer.
        let p = SandboxProcessor::new();
        let card = input("4242424242424242").check(today()).unwrap();
        let fut = p.tokenize(&card);
        let vaulted = block_on(fut).unwrap();
        let r = block_on(p.charge(charge_req("k", &vaulted.processor_token, PaymentType::Cit)));
        assert_eq!(r.unwrap().outcome, ChargeOutcome::Settled);
    }

    /// Polls a future that is ready on first poll.
    fn block_on<T>(mut fut: BoxFuture<'_, T>) -> T {
        use std::task::{Context, Poll, Waker};
        match fut.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(v) => v,
            Poll::Pending => panic!("the zero-latency sandbox must answer at once"),
        }
    }
}
