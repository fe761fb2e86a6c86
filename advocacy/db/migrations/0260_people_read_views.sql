-- Read views the people domain offers the others (advocacy/people/README in its service's docstring): who a
-- person or a team is by internal and public id, nothing more. Other domains' SQL joins these, never the
-- people and teams tables; PostgreSQL inlines such simple views, so a join costs what it cost before.
CREATE VIEW person_refs AS SELECT id, public_id FROM people;
CREATE VIEW team_refs AS SELECT id, public_id FROM teams;
