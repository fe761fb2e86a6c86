-- Charter training: a version's lessons and quiz (in the charter document), and each person's results.
ALTER TABLE charters ADD COLUMN training jsonb;

CREATE TABLE charter_quiz_results (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    person_id bigint NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    charter_id bigint NOT NULL REFERENCES charters (id),
    correct integer NOT NULL CHECK (correct >= 0),
    question_count integer NOT NULL CHECK (question_count > 0),
    percent integer NOT NULL CHECK (percent BETWEEN 0 AND 100),
    passed boolean NOT NULL,
    answers jsonb NOT NULL,
    taken_at timestamptz NOT NULL DEFAULT now()
);
-- has_passed_training (opt-in and renewal), my_training_results and training_completion
CREATE INDEX charter_quiz_results_by_charter ON charter_quiz_results (charter_id, person_id, taken_at DESC);
