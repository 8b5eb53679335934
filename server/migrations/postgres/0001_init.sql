-- webwx serve: accounts with their leases, the event outbox, the action queue, API tokens.
-- Times are Unix milliseconds of the writing node's clock.
CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    uin TEXT,
    nick_name TEXT,
    qr_payload TEXT,
    last_error TEXT,
    owner TEXT,
    lease_until BIGINT NOT NULL DEFAULT 0,
    fence BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX accounts_lease ON accounts (state, lease_until);
CREATE INDEX accounts_owner ON accounts (owner);

-- What a session resumes from: its saved state (the cursor; rewritten with every batch) and its
-- contacts (rewritten when they change). Apart from `accounts`, whose rows the lease heartbeat
-- rewrites, so that a heartbeat does not rewrite them too.
CREATE TABLE sessions (
    account_id TEXT PRIMARY KEY,
    session TEXT,
    contacts TEXT
);

CREATE TABLE events (
    id BIGSERIAL PRIMARY KEY,
    account_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    dedup TEXT,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    delivered_at BIGINT,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL DEFAULT 0,
    claim TEXT,
    claim_until BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX events_dedup ON events (account_id, dedup);
CREATE INDEX events_account ON events (account_id, id);
CREATE INDEX events_pending ON events (delivered_at, next_attempt_at);
CREATE INDEX events_age ON events (created_at);

CREATE TABLE actions (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    args TEXT NOT NULL,
    local_id TEXT,
    file BYTEA,
    status TEXT NOT NULL,
    result TEXT,
    error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX actions_open ON actions (account_id, status);
CREATE INDEX actions_age ON actions (updated_at);
CREATE INDEX actions_pending ON actions (status);

CREATE TABLE tokens (
    id TEXT PRIMARY KEY,
    hash TEXT NOT NULL UNIQUE,
    accounts TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- The nodes and where their API answers (a node that does not hold an account forwards what
-- only the holder can do, such as a media download).
CREATE TABLE nodes (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    seen_at BIGINT NOT NULL
);
