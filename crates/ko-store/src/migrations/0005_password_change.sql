-- A user whose password was set by someone else (the first `admin` of `koctl serve`) must change it
-- at the next login before doing anything else.
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1));
