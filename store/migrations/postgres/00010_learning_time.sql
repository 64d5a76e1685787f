-- +goose Up
-- The instant up to which a user's learning time has been credited, whatever session (chat or
-- Live) credited it. A learning-session credit starts no earlier, so parallel sessions, and
-- sessions whose conversations were deleted, never count the same wall-clock seconds twice. It
-- is written under the user's row lock, and only ever moves forward.
ALTER TABLE users ADD COLUMN learning_credited_until timestamptz;

-- +goose Down
ALTER TABLE users DROP COLUMN learning_credited_until;
