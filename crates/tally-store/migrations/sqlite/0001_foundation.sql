-- Foundation schema (SQLite). Keep in step with ../postgres/0001_foundation.sql:
-- the same tables, columns and indexes; only type names differ.
-- Instants are integer microseconds since the Unix epoch; JSON is stored as TEXT.

CREATE TABLE organizations (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    mode        TEXT NOT NULL CHECK (mode IN ('sandbox', 'live')),
    is_root     BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  INTEGER NOT NULL
);

CREATE TABLE api_keys (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    name            TEXT NOT NULL,
    secret_hash     TEXT NOT NULL UNIQUE,
    key_hint        TEXT NOT NULL,
    scopes          TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    revoked_at      INTEGER
);
CREATE INDEX api_keys_org ON api_keys (organization_id, created_at);

CREATE TABLE plans (
    organization_id      TEXT NOT NULL REFERENCES organizations (id),
    id                   TEXT NOT NULL,
    name                 TEXT NOT NULL,
    plan_type            TEXT NOT NULL,
    interval_unit        TEXT,
    interval_count       INTEGER,
    price                TEXT NOT NULL,
    trial_interval       TEXT,
    trial_interval_count INTEGER,
    trial_price          TEXT,
    search_text          TEXT NOT NULL,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL,
    archived_at          INTEGER,
    PRIMARY KEY (organization_id, id)
);
CREATE INDEX plans_created ON plans (organization_id, created_at);

CREATE TABLE customers (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    email           TEXT,
    email_lower     TEXT,
    external_id     TEXT,
    full_name       TEXT,
    phone           TEXT,
    address         TEXT,
    metadata        TEXT NOT NULL,
    search_text     TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE UNIQUE INDEX customers_external_id ON customers (organization_id, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX customers_email ON customers (organization_id, email_lower);
CREATE INDEX customers_created ON customers (organization_id, created_at);

CREATE TABLE client_sessions (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    body            TEXT NOT NULL,
    expires_at      INTEGER NOT NULL,
    completed_at    INTEGER,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX client_sessions_org ON client_sessions (organization_id, created_at);

CREATE TABLE exchange_rates (
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    currency        TEXT NOT NULL,
    rate            TEXT NOT NULL,
    as_of           INTEGER NOT NULL,
    PRIMARY KEY (organization_id, currency)
);

CREATE TABLE idempotency_keys (
    organization_id TEXT NOT NULL,
    idem_key        TEXT NOT NULL,
    request_hash    TEXT NOT NULL,
    status_code     INTEGER,
    response_body   TEXT,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (organization_id, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
