//! The processor boundary (§8): one object-safe [`Processor`] trait that billing
//! code calls to vault a card, charge it and refund a charge, the request and
//! answer types that cross it, and their mapping to the API's payment status and
//! `status_reason` (§8.1, §8.2). Processors live here ([`sandbox`] is the
//! built-in one of §8.4) so real ones can be added without touching billing
//! code. This crate owns no storage, no HTTP and no payment state machine: it
//! answers what the processor said, and the app decides what that does to a
//! payment or a subscription.

pub mod card;
pub mod decline;
pub mod sandbox;

pub use card::{CardBrand, CardDetails, CardError, CardInput, CheckedCard, Funding};
pub use decline::{AdviceCode, DeclineCode, StatusReason};
pub use sandbox::SandboxProcessor;

use serde::{Deserialize, Serialize};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use tally_core::Money;

/// A boxed, `Send` future: what the object-safe [`Processor`] methods return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A payment processor. Used as `Arc<dyn Processor>`.
///
/// **Idempotency.** Every [`ChargeRequest`] and [`RefundRequest`] carries an
/// `idempotency_key`. A processor must treat a repeated key as the same
/// operation: it returns the same result as the first call and never charges or
/// refunds twice. Callers derive the key from what must happen at most once
/// (the payment id, or subscription + period for a renewal, §9.4) and retry
/// with the SAME key after a timeout or a crash. Keys are global to the
/// processor instance, so they must be unique across organizations. Reusing a
/// key with different parameters is an error ([`ProcessorError::Rejected`]);
/// a new attempt (for example the charge after a passed 3-D Secure challenge)
/// needs a new key.
pub trait Processor: Send + Sync {
    /// Stable name shown in `payment_details.processor` (`"sandbox"`).
    fn name(&self) -> &'static str;

    /// Vaults the card with the processor and returns a token that is safe to
    /// store in place of the card.
    fn tokenize<'a>(
        &'a self,
        card: &'a CheckedCard,
    ) -> BoxFuture<'a, Result<VaultedCard, ProcessorError>>;

    /// Charges a vaulted card. A decline is an `Ok` outcome; `Err` means the
    /// processor could not give an answer (see [`ProcessorError::as_outcome`]).
    fn charge(&self, req: ChargeRequest) -> BoxFuture<'_, Result<ChargeResult, ProcessorError>>;

    /// Refunds (part of) a settled charge.
    fn refund(&self, req: RefundRequest) -> BoxFuture<'_, Result<RefundResult, ProcessorError>>;
}

/// A card the processor has vaulted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VaultedCard {
    /// Opaque, safe to store; never contains the card number or the CVC.
    pub processor_token: String,
    /// The card's facts, completed with the processor's BIN data (funding,
    /// issuer country) where it has them.
    pub details: CardDetails,
}

/// Who started the payment: the customer, present (`CIT`, checkout), or the
/// merchant on a saved card (`MIT`, renewals and dunning).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum PaymentType {
    Cit,
    Mit,
}

impl PaymentType {
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentType::Cit => "CIT",
            PaymentType::Mit => "MIT",
        }
    }

    pub fn parse(s: &str) -> Option<PaymentType> {
        match s {
            "CIT" => Some(PaymentType::Cit),
            "MIT" => Some(PaymentType::Mit),
            _ => None,
        }
    }
}

impl fmt::Display for PaymentType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChargeRequest {
    /// See [`Processor`]: the same key twice is one charge.
    pub idempotency_key: String,
    pub processor_token: String,
    /// Must be positive.
    pub amount: Money,
    pub payment_type: PaymentType,
    /// The customer passed a 3-D Secure challenge for this payment.
    pub three_d_secure_passed: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChargeResult {
    pub outcome: ChargeOutcome,
    /// Present whenever the processor recorded a transaction (settled or declined).
    pub processor_transaction_id: Option<String>,
    /// Issuer authorization code; present on settled charges.
    pub auth_code: Option<String>,
}

/// What the processor answered to a charge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChargeOutcome {
    Settled,
    /// The issuer said no; `advice` is the processor's (normally `decline_code.advice()`).
    Declined {
        decline_code: DeclineCode,
        advice: AdviceCode,
    },
    /// The processor failed (`processor_error`, `processor_timeout`).
    Failed {
        decline_code: DeclineCode,
    },
    /// A risk or workflow rule stopped the payment (`workflow_blocked`).
    Blocked,
    /// 3-D Secure: the customer must pass the challenge, then the app charges
    /// again (new idempotency key) with `three_d_secure_passed`.
    RequiresAction {
        challenge_id: String,
    },
    /// The customer abandoned or failed authentication (`authentication_failed`).
    /// Processors do not answer this to a charge; the app records it when a
    /// challenge is abandoned.
    Incomplete,
}

impl ChargeOutcome {
    /// The payment's `payment_status` (§8.1) for this outcome.
    pub fn payment_status(&self) -> &'static str {
        match self {
            ChargeOutcome::Settled => "SETTLED",
            ChargeOutcome::Declined { .. } => "DECLINED",
            ChargeOutcome::Failed { .. } => "FAILED",
            ChargeOutcome::Blocked => "BLOCKED",
            ChargeOutcome::RequiresAction { .. } => "PENDING",
            ChargeOutcome::Incomplete => "INCOMPLETE",
        }
    }

    /// The payment's `status_reason` (§8.2); `None` when settled or pending.
    pub fn status_reason(&self) -> Option<StatusReason> {
        match self {
            ChargeOutcome::Settled | ChargeOutcome::RequiresAction { .. } => None,
            ChargeOutcome::Declined {
                decline_code,
                advice,
            } => Some(StatusReason::with_advice(*decline_code, *advice)),
            ChargeOutcome::Failed { decline_code } => Some(StatusReason::for_code(*decline_code)),
            ChargeOutcome::Blocked => Some(StatusReason::for_code(DeclineCode::WorkflowBlocked)),
            ChargeOutcome::Incomplete => {
                Some(StatusReason::for_code(DeclineCode::AuthenticationFailed))
            }
        }
    }

    /// A declined outcome with the code's own advice.
    pub fn declined(decline_code: DeclineCode) -> ChargeOutcome {
        ChargeOutcome::Declined {
            decline_code,
            advice: decline_code.advice(),
        }
    }

    pub fn is_settled(&self) -> bool {
        matches!(self, ChargeOutcome::Settled)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundRequest {
    /// See [`Processor`]: the same key twice is one refund.
    pub idempotency_key: String,
    pub processor_transaction_id: String,
    /// Positive, in the charge's currency.
    pub amount: Money,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum RefundStatus {
    Succeeded,
    Pending,
    Failed,
}

impl RefundStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RefundStatus::Succeeded => "SUCCEEDED",
            RefundStatus::Pending => "PENDING",
            RefundStatus::Failed => "FAILED",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundResult {
    pub processor_refund_id: String,
    pub status: RefundStatus,
}

/// The processor gave no answer to the request.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProcessorError {
    /// No answer in time; the operation may or may not have happened. Retry
    /// with the same idempotency key to find out.
    #[error("the payment processor did not answer in time")]
    Timeout,
    #[error("the payment processor is unavailable: {0}")]
    Unavailable(String),
    /// The request was refused as invalid (unknown token or transaction, bad
    /// amount, idempotency key reused with other parameters). Retrying the same
    /// request will not help.
    #[error("the payment processor rejected the request: {0}")]
    Rejected(String),
}

impl ProcessorError {
    /// Whether retrying the same request (same key) may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            ProcessorError::Timeout | ProcessorError::Unavailable(_)
        )
    }

    /// The outcome to record when a charge ends with this error: `FAILED` with
    /// `processor_timeout` for a timeout, `processor_error` otherwise.
    pub fn as_outcome(&self) -> ChargeOutcome {
        let decline_code = match self {
            ProcessorError::Timeout => DeclineCode::ProcessorTimeout,
            ProcessorError::Unavailable(_) | ProcessorError::Rejected(_) => {
                DeclineCode::ProcessorError
            }
        };
        ChargeOutcome::Failed { decline_code }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_map_to_api_statuses_and_reasons() {
        use AdviceCode::*;
        use DeclineCode as D;
        type Case = (
            ChargeOutcome,
            &'static str,
            Option<(AdviceCode, DeclineCode)>,
        );
        let cases: Vec<Case> = vec![
            (ChargeOutcome::Settled, "SETTLED", None),
            (
                ChargeOutcome::declined(D::InsufficientFunds),
                "DECLINED",
                Some((TryAgainLater, D::InsufficientFunds)),
            ),
            (
                ChargeOutcome::declined(D::CardLostOrStolen),
                "DECLINED",
                Some((DoNotTryAgain, D::CardLostOrStolen)),
            ),
            (
                ChargeOutcome::Declined {
                    decline_code: D::DoNotHonor,
                    advice: DoNotTryAgain,
                },
                "DECLINED",
                Some((DoNotTryAgain, D::DoNotHonor)),
            ),
            (
                ChargeOutcome::Failed {
                    decline_code: D::ProcessorError,
                },
                "FAILED",
                Some((TryAgainLater, D::ProcessorError)),
            ),
            (
                ChargeOutcome::Failed {
                    decline_code: D::ProcessorTimeout,
                },
                "FAILED",
                Some((TryAgainLater, D::ProcessorTimeout)),
            ),
            (
                ChargeOutcome::Blocked,
                "BLOCKED",
                Some((DoNotTryAgain, D::WorkflowBlocked)),
            ),
            (
                ChargeOutcome::RequiresAction {
                    challenge_id: "c".into(),
                },
                "PENDING",
                None,
            ),
            (
                ChargeOutcome::Incomplete,
                "INCOMPLETE",
                Some((TryAgainLater, D::AuthenticationFailed)),
            ),
        ];
        for (outcome, status, reason) in cases {
            assert_eq!(outcome.payment_status(), status, "{outcome:?}");
            let got = outcome.status_reason();
            assert_eq!(
                got.as_ref().map(|r| (r.advice_code, r.decline_code)),
                reason,
                "{outcome:?}"
            );
            if let Some(r) = got {
                assert_eq!(r.message, r.decline_code.message());
            }
        }
    }

    #[test]
    fn processor_errors_become_failed_outcomes() {
        assert_eq!(
            ProcessorError::Timeout.as_outcome(),
            ChargeOutcome::Failed {
                decline_code: DeclineCode::ProcessorTimeout
            }
        );
        assert_eq!(
            ProcessorError::Unavailable("down".into()).as_outcome(),
            ChargeOutcome::Failed {
                decline_code: DeclineCode::ProcessorError
            }
        );
        assert!(ProcessorError::Timeout.is_retryable());
        assert!(!ProcessorError::Rejected("x".into()).is_retryable());
    }

    #[test]
    fn payment_type_strings() {
        for t in [PaymentType::Cit, PaymentType::Mit] {
            assert_eq!(PaymentType::parse(t.as_str()), Some(t));
            assert_eq!(serde_json::to_string(&t).unwrap(), format!("\"{t}\""));
        }
        assert_eq!(PaymentType::Cit.as_str(), "CIT");
        assert_eq!(PaymentType::Mit.as_str(), "MIT");
        assert_eq!(PaymentType::parse("cit"), None);
    }
}
