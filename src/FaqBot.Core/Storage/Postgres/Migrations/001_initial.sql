-- FaqBot's schema on PostgreSQL. Times are timestamptz (UTC); documents (activities, conversation state)
-- are text holding JSON, as FaqBot writes and reads them whole. Applied in one transaction by the migrator.
CREATE TABLE conversations (
    id text PRIMARY KEY,
    user_id text NOT NULL,
    handoff text NOT NULL,
    priority integer NOT NULL DEFAULT 0,
    escalated_at timestamptz,
    owner_id text,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version bigint NOT NULL DEFAULT 0,
    last_seq bigint NOT NULL DEFAULT 0,
    last_ts timestamptz,
    state_json text NOT NULL);
CREATE INDEX ix_conversations_handoff ON conversations(handoff);
CREATE INDEX ix_conversations_updated ON conversations(updated_at);

CREATE TABLE activities (
    conversation_id text NOT NULL,
    seq bigint NOT NULL,
    ts timestamptz NOT NULL,
    json text NOT NULL,
    PRIMARY KEY (conversation_id, seq));

CREATE TABLE feedback (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id text NOT NULL,
    activity_id text NOT NULL,
    reaction text NOT NULL,
    question text,
    outcome text,
    cited_json text NOT NULL,
    at timestamptz NOT NULL);
CREATE INDEX ix_feedback_conversation ON feedback(conversation_id);
CREATE INDEX ix_feedback_at ON feedback(at);

CREATE TABLE turns (
    conversation_id text NOT NULL,
    seq bigint NOT NULL,
    processed_at timestamptz,
    outcome text,
    reason text,
    claimed_by text,
    lease_until timestamptz,
    PRIMARY KEY (conversation_id, seq));
CREATE INDEX ix_turns_unprocessed ON turns(lease_until) WHERE processed_at IS NULL;

CREATE TABLE callbacks (
    id text PRIMARY KEY,
    conversation_id text NOT NULL,
    name text NOT NULL,
    contact text NOT NULL,
    consent boolean NOT NULL,
    created_at timestamptz NOT NULL,
    done_at timestamptz,
    done_by text);
CREATE INDEX ix_callbacks_open ON callbacks(done_at, created_at);
CREATE INDEX ix_callbacks_conversation ON callbacks(conversation_id);

CREATE TABLE staff (
    id text PRIMARY KEY,
    email text NOT NULL UNIQUE,
    name text NOT NULL,
    role text NOT NULL,
    password_hash text NOT NULL,
    disabled boolean NOT NULL DEFAULT false,
    failed_sign_ins integer NOT NULL DEFAULT 0,
    lockout_end timestamptz,
    created_at timestamptz NOT NULL);
CREATE TABLE staff_sessions (
    token_hash text PRIMARY KEY,
    staff_id text NOT NULL REFERENCES staff(id),
    csrf_token text NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL);
CREATE INDEX ix_staff_sessions_staff ON staff_sessions(staff_id);

CREATE TABLE staff_notes (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id text NOT NULL,
    staff_id text NOT NULL,
    staff_name text NOT NULL,
    text text NOT NULL,
    at timestamptz NOT NULL);
CREATE INDEX ix_staff_notes_conversation ON staff_notes(conversation_id);

CREATE TABLE saved_replies (
    id text PRIMARY KEY,
    title text NOT NULL,
    text text NOT NULL,
    updated_at timestamptz NOT NULL,
    updated_by text NOT NULL);

CREATE TABLE taught_questions (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    question text NOT NULL,
    source text NOT NULL,
    section text NOT NULL,
    passage text NOT NULL,
    taught_by text NOT NULL,
    taught_at timestamptz NOT NULL);
CREATE TABLE article_requests (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    question text NOT NULL,
    requested_by text NOT NULL,
    requested_at timestamptz NOT NULL);

CREATE TABLE audit_log (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at timestamptz NOT NULL,
    actor text NOT NULL,
    action text NOT NULL,
    outcome text NOT NULL,
    target text,
    address text);
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS
    $$ BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

CREATE TABLE sign_in_throttles (
    key text PRIMARY KEY,
    failures integer NOT NULL,
    last_failure_at timestamptz NOT NULL,
    blocked_until timestamptz);

CREATE TABLE bot_connector_conversations (conversation_id text PRIMARY KEY, reference_json text NOT NULL);
CREATE TABLE bot_connector_activities (local_id text PRIMARY KEY, channel_id text NOT NULL);

CREATE TABLE data_protection_keys (
    name text PRIMARY KEY,
    xml text NOT NULL,
    created_at timestamptz NOT NULL);
CREATE TABLE secrets (
    name text PRIMARY KEY,
    value text NOT NULL,
    created_at timestamptz NOT NULL);
CREATE TABLE staff_presence (
    staff_id text NOT NULL,
    instance_id text NOT NULL,
    connection_id text NOT NULL,
    seen_at timestamptz NOT NULL,
    PRIMARY KEY (staff_id, instance_id, connection_id));
CREATE INDEX ix_staff_presence_seen ON staff_presence(seen_at);
