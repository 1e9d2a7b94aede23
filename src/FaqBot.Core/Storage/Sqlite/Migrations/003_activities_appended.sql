-- Issue 14: activities move to a rowid table. Keyed by (conversation, seq) WITHOUT ROWID, each message landed
-- in its own conversation's leaf page, scattered over the tree, and a reply of a few kilobytes (a quote) kept about
-- 1 KB in that leaf and the rest in overflow pages: every message rewrote several pages of its own. In a rowid table
-- new rows are appended to the last leaf page, which the messages committed together share; (conversation, seq)
-- stays unique through a small index. The rows are copied in the order they were written.
CREATE TABLE activities_appended (
    id INTEGER PRIMARY KEY,
    conversation_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    ts TEXT NOT NULL,
    json TEXT NOT NULL);
INSERT INTO activities_appended (conversation_id, seq, ts, json) SELECT conversation_id, seq, ts, json FROM activities ORDER BY ts, conversation_id, seq;
DROP TABLE activities;
ALTER TABLE activities_appended RENAME TO activities;
CREATE UNIQUE INDEX ux_activities_conversation_seq ON activities(conversation_id, seq);
