//! The decline vocabulary of §8.2: every `decline_code` the API may show, the
//! `advice_code` each one carries, and the human message for it, in one table.
//! It owns only words and their mapping; it must not decide outcomes (processors
//! do) nor change payment state (the app does).

use serde::{Deserialize, Serialize};
use std::fmt;

/// `status_reason.advice_code`: whether retrying the same card can succeed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdviceCode {
    TryAgainLater,
    DoNotTryAgain,
}

impl AdviceCode {
    pub fn as_str(self) -> &'static str {
        match self {
            AdviceCode::TryAgainLater => "try_again_later",
            AdviceCode::DoNotTryAgain => "do_not_try_again",
        }
    }

    pub fn parse(s: &str) -> Option<AdviceCode> {
        match s {
            "try_again_later" => Some(AdviceCode::TryAgainLater),
            "do_not_try_again" => Some(AdviceCode::DoNotTryAgain),
            _ => None,
        }
    }
}

impl fmt::Display for AdviceCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `status_reason.decline_code`: exactly the codes of §8.2.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeclineCode {
    InsufficientFunds,
    DoNotHonor,
    WithdrawalLimitExceeded,
    IssuerUnavailable,
    CardDeclined,
    CardLostOrStolen,
    InvalidCardNumber,
    ExpiredCard,
    SuspectedFraud,
    InvalidCvc,
    WorkflowBlocked,
    ProcessorError,
    ProcessorTimeout,
    AuthenticationFailed,
}

impl DeclineCode {
    /// Every code, in the order §8.2 lists them.
    pub const ALL: [DeclineCode; 14] = [
        DeclineCode::InsufficientFunds,
        DeclineCode::DoNotHonor,
        DeclineCode::WithdrawalLimitExceeded,
        DeclineCode::IssuerUnavailable,
        DeclineCode::CardDeclined,
        DeclineCode::CardLostOrStolen,
        DeclineCode::InvalidCardNumber,
        DeclineCode::ExpiredCard,
        DeclineCode::SuspectedFraud,
        DeclineCode::InvalidCvc,
        DeclineCode::WorkflowBlocked,
        DeclineCode::ProcessorError,
        DeclineCode::ProcessorTimeout,
        DeclineCode::AuthenticationFailed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DeclineCode::InsufficientFunds => "insufficient_funds",
            DeclineCode::DoNotHonor => "do_not_honor",
            DeclineCode::WithdrawalLimitExceeded => "withdrawal_limit_exceeded",
            DeclineCode::IssuerUnavailable => "issuer_unavailable",
            DeclineCode::CardDeclined => "card_declined",
            DeclineCode::CardLostOrStolen => "card_lost_or_stolen",
            DeclineCode::InvalidCardNumber => "invalid_card_number",
            DeclineCode::ExpiredCard => "expired_card",
            DeclineCode::SuspectedFraud => "suspected_fraud",
            DeclineCode::InvalidCvc => "invalid_cvc",
            DeclineCode::WorkflowBlocked => "workflow_blocked",
            DeclineCode::ProcessorError => "processor_error",
            DeclineCode::ProcessorTimeout => "processor_timeout",
            DeclineCode::AuthenticationFailed => "authentication_failed",
        }
    }

    pub fn parse(s: &str) -> Option<DeclineCode> {
        DeclineCode::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The advice §8.2 attaches to the code. §8.2 gives none for
    /// `workflow_blocked` and `authentication_failed`: a blocking rule would block
    /// the same attempt again (`do_not_try_again`), while a customer who did not
    /// finish 3-D Secure may well finish it next time (`try_again_later`).
    pub fn advice(self) -> AdviceCode {
        match self {
            DeclineCode::InsufficientFunds
            | DeclineCode::DoNotHonor
            | DeclineCode::WithdrawalLimitExceeded
            | DeclineCode::IssuerUnavailable
            | DeclineCode::CardDeclined
            | DeclineCode::ProcessorError
            | DeclineCode::ProcessorTimeout
            | DeclineCode::AuthenticationFailed => AdviceCode::TryAgainLater,
            DeclineCode::CardLostOrStolen
            | DeclineCode::InvalidCardNumber
            | DeclineCode::ExpiredCard
            | DeclineCode::SuspectedFraud
            | DeclineCode::InvalidCvc
            | DeclineCode::WorkflowBlocked => AdviceCode::DoNotTryAgain,
        }
    }

    /// A message for the customer or the integrator; it never names the card.
    pub fn message(self) -> &'static str {
        match self {
            DeclineCode::InsufficientFunds => {
                "The card has insufficient funds to complete the payment."
            }
            DeclineCode::DoNotHonor => {
                "The card issuer declined the payment without giving a reason."
            }
            DeclineCode::WithdrawalLimitExceeded => {
                "The payment exceeds the card's spending or withdrawal limit."
            }
            DeclineCode::IssuerUnavailable => {
                "The card issuer could not be reached; try again later."
            }
            DeclineCode::CardDeclined => "The card was declined.",
            DeclineCode::CardLostOrStolen => "The card has been reported lost or stolen.",
            DeclineCode::InvalidCardNumber => "The card number is invalid.",
            DeclineCode::ExpiredCard => "The card has expired.",
            DeclineCode::SuspectedFraud => "The payment was declined as suspected fraud.",
            DeclineCode::InvalidCvc => "The card's security code (CVC) is incorrect.",
            DeclineCode::WorkflowBlocked => "The payment was blocked by a risk or workflow rule.",
            DeclineCode::ProcessorError => {
                "The payment processor returned an error; try again later."
            }
            DeclineCode::ProcessorTimeout => {
                "The payment processor did not answer in time; try again later."
            }
            DeclineCode::AuthenticationFailed => {
                "The customer did not complete 3-D Secure authentication."
            }
        }
    }
}

impl fmt::Display for DeclineCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The payment's `status_reason` object (§8.1), serialized exactly as the API
/// shows it: `{"advice_code", "decline_code", "message"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusReason {
    pub advice_code: AdviceCode,
    pub decline_code: DeclineCode,
    pub message: String,
}

impl StatusReason {
    /// The reason for `code` with its own advice and message.
    pub fn for_code(code: DeclineCode) -> StatusReason {
        StatusReason::with_advice(code, code.advice())
    }

    /// The reason for `code` with the advice the processor gave.
    pub fn with_advice(code: DeclineCode, advice: AdviceCode) -> StatusReason {
        StatusReason {
            advice_code: advice,
            decline_code: code,
            message: code.message().to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advice_follows_section_8_2() {
        use DeclineCode::*;
        let try_again = [
            InsufficientFunds,
            DoNotHonor,
            WithdrawalLimitExceeded,
            IssuerUnavailable,
            CardDeclined,
            ProcessorError,
            ProcessorTimeout,
        ];
        let never = [
            CardLostOrStolen,
            InvalidCardNumber,
            ExpiredCard,
            SuspectedFraud,
            InvalidCvc,
        ];
        for c in try_again {
            assert_eq!(c.advice(), AdviceCode::TryAgainLater, "{c}");
        }
        for c in never {
            assert_eq!(c.advice(), AdviceCode::DoNotTryAgain, "{c}");
        }
        assert_eq!(WorkflowBlocked.advice(), AdviceCode::DoNotTryAgain);
        assert_eq!(AuthenticationFailed.advice(), AdviceCode::TryAgainLater);
    }

    #[test]
    fn strings_round_trip_and_match_serde() {
        let mut seen = std::collections::HashSet::new();
        for c in DeclineCode::ALL {
            assert!(seen.insert(c.as_str()), "duplicate {c}");
            assert_eq!(DeclineCode::parse(c.as_str()), Some(c));
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.as_str()));
            assert!(!c.message().is_empty());
        }
        assert_eq!(DeclineCode::parse("stolen_card"), None);
        for a in [AdviceCode::TryAgainLater, AdviceCode::DoNotTryAgain] {
            assert_eq!(AdviceCode::parse(a.as_str()), Some(a));
            assert_eq!(serde_json::to_string(&a).unwrap(), format!("\"{a}\""));
        }
    }

    #[test]
    fn status_reason_serializes_as_the_api_object() {
        let r = StatusReason::for_code(DeclineCode::InsufficientFunds);
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(
            v,
            serde_json::json!({
                "advice_code": "try_again_later",
                "decline_code": "insufficient_funds",
                "message": "The card has insufficient funds to complete the payment."
            })
        );
    }
}
