-- Payments, payment methods, refunds, subscription records, and the checkout
-- lock of client sessions (PostgreSQL). Keep in step with ../sqlite/0002_payments.sql.

ALTER TABLE client_sessions ADD COLUMN lock_token TEXT;
ALTER TABLE client_sessions ADD COLUMN lock_expires_at BIGINT;

CREATE TABLE payment_methods (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    customer_id     TEXT NOT NULL REFERENCES customers (id),
    method_type     TEXT NOT NULL,
    details         TEXT NOT NULL,
    billing_address TEXT,
    processor       TEXT NOT NULL,
    processor_token TEXT NOT NULL,
    fingerprint     TEXT NOT NULL,
    attached        BOOLEAN NOT NULL DEFAULT FALSE,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX payment_methods_customer ON payment_methods (customer_id, created_at);

CREATE TABLE subscriptions (
    id                   TEXT PRIMARY KEY,
    organization_id      TEXT NOT NULL REFERENCES organizations (id),
    customer_id          TEXT NOT NULL REFERENCES customers (id),
    status               TEXT NOT NULL,
    plan                 TEXT NOT NULL,
    payment_method_id    TEXT REFERENCES payment_methods (id),
    anchor_at            BIGINT NOT NULL,
    current_period_start BIGINT NOT NULL,
    current_period_end   BIGINT NOT NULL,
    next_billing_date    BIGINT,
    past_due             TEXT,
    cancel_at            BIGINT,
    cancelled_at         BIGINT,
    metadata             TEXT NOT NULL,
    search_text          TEXT NOT NULL,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL
);
CREATE INDEX subscriptions_customer ON subscriptions (customer_id, created_at);
CREATE INDEX subscriptions_created ON subscriptions (organization_id, created_at);

CREATE TABLE payments (
    id                       TEXT PRIMARY KEY,
    organization_id          TEXT NOT NULL REFERENCES organizations (id),
    customer_id              TEXT NOT NULL REFERENCES customers (id),
    payment_method_id        TEXT REFERENCES payment_methods (id),
    subscription_id          TEXT,
    client_session_id        TEXT,
    amount                   BIGINT NOT NULL,
    currency                 TEXT NOT NULL,
    amount_usd               BIGINT NOT NULL,
    payment_type             TEXT NOT NULL,
    status                   TEXT NOT NULL,
    status_reason            TEXT,
    processor                TEXT NOT NULL,
    processor_transaction_id TEXT,
    auth_code                TEXT,
    challenge_id             TEXT,
    refunded_amount          BIGINT NOT NULL DEFAULT 0,
    metadata                 TEXT NOT NULL,
    search_text              TEXT NOT NULL,
    created_at               BIGINT NOT NULL,
    updated_at               BIGINT NOT NULL
);
CREATE INDEX payments_created ON payments (organization_id, created_at);
CREATE INDEX payments_customer ON payments (customer_id, created_at);
CREATE INDEX payments_session ON payments (client_session_id);

CREATE TABLE refunds (
    id                  TEXT PRIMARY KEY,
    organization_id     TEXT NOT NULL REFERENCES organizations (id),
    payment_id          TEXT NOT NULL REFERENCES payments (id),
    amount              BIGINT NOT NULL,
    currency            TEXT NOT NULL,
    status              TEXT NOT NULL,
    reason              TEXT,
    processor_refund_id TEXT,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);
CREATE INDEX refunds_payment ON refunds (payment_id, created_at);
