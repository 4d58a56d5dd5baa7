-- A step's registered output (e.g. a token made on the first master) is kept with its journal row,
-- so a retried task can give it to later steps without running the step again.
ALTER TABLE task_step_hosts ADD COLUMN output TEXT;

-- Another process (`koctl task cancel`) asks the process running a task to stop it.
ALTER TABLE tasks ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0 CHECK (cancel_requested IN (0, 1));
