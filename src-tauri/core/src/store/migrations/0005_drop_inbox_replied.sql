-- Migration 4 shipped an index for Home's median response time. Home now computes both
-- periods in one pass without it, and keeping it cost every bot reply an index write on the
-- message hot path (p99 +0.7 ms), so it goes. Databases made after it was taken out of the
-- build never had it, hence IF EXISTS.
DROP INDEX IF EXISTS inbox_replied;
