-- Inventory: the expiry sweep finds available codes past their expiry without walking the claim index of
-- every product. Partial, so codes without an expiry (the common case) cost nothing here.
CREATE INDEX codes_expiry_idx ON codes (expires_at) WHERE status = 'available' AND expires_at IS NOT NULL;
