-- The schema FaqBot created before it had migrations (issue 15), in one place. Every statement is
-- "IF NOT EXISTS" so that a database made by that code is adopted as it is; an ALTER ... ADD COLUMN
-- whose column exists already is skipped by the migrator (such databases added them at start-up).
-- One statement per line-ending semicolon.
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    handoff TEXT NOT NULL,
    priority INTEGER NOT NULL DEFAULT 0,
    escalated_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    state_json TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ix_conversations_handoff ON conversations(handoff);
CREATE TABLE IF NOT EXISTS activities (
    conversation_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    ts TEXT NOT NULL,
    json TEXT NOT NULL,
    PRIMARY KEY (conversation_id, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT NOT NULL,
    activity_id TEXT NOT NULL,
    reaction TEXT NOT NULL,
    question TEXT,
    outcome TEXT,
    cited_json TEXT NOT NULL,
    at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ix_feedback_conversation ON feedback(conversation_id);
CREATE TABLE IF NOT EXISTS turns (
    conversation_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    processed_at TEXT,
    PRIMARY KEY (conversation_id, seq)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ix_turns_unprocessed ON turns(processed_at) WHERE processed_at IS NULL;
ALTER TABLE turns ADD COLUMN outcome TEXT;
ALTER TABLE turns ADD COLUMN reason TEXT;
CREATE INDEX IF NOT EXISTS ix_turns_processed ON turns(processed_at) WHERE processed_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS callbacks (
    id TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL,
    name TEXT NOT NULL,
    contact TEXT NOT NULL,
    consent INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    done_at TEXT,
    done_by TEXT);
CREATE INDEX IF NOT EXISTS ix_callbacks_open ON callbacks(done_at, created_at);
CREATE TABLE IF NOT EXISTS staff (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    failed_sign_ins INTEGER NOT NULL DEFAULT 0,
    lockout_end TEXT,
    created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS staff_sessions (
    token_hash TEXT PRIMARY KEY,
    staff_id TEXT NOT NULL REFERENCES staff(id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ix_staff_sessions_staff ON staff_sessions(staff_id);
CREATE TABLE IF NOT EXISTS staff_notes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT NOT NULL,
    staff_id TEXT NOT NULL,
    staff_name TEXT NOT NULL,
    text TEXT NOT NULL,
    at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ix_staff_notes_conversation ON staff_notes(conversation_id);
CREATE TABLE IF NOT EXISTS saved_replies (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS taught_questions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    question TEXT NOT NULL,
    source TEXT NOT NULL,
    section TEXT NOT NULL,
    passage TEXT NOT NULL,
    taught_by TEXT NOT NULL,
    taught_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS article_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    question TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    requested_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    outcome TEXT NOT NULL,
    target TEXT,
    address TEXT);
CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TABLE IF NOT EXISTS sign_in_throttles (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_failure_at TEXT NOT NULL,
    blocked_until TEXT);
CREATE TABLE IF NOT EXISTS bot_connector_conversations (conversation_id TEXT PRIMARY KEY, reference_json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS bot_connector_activities (local_id TEXT PRIMARY KEY, channel_id TEXT NOT NULL) WITHOUT ROWID;
