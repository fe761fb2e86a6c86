-- The campaign multiplier a ledger row's points were computed with, when one applied (NULL: none), so that
-- a person's history can say why a share or a click earned more than the network's rule gives.
ALTER TABLE points_ledger ADD COLUMN multiplier numeric(6, 2);
