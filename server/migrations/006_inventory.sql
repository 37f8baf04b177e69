-- Inventory (issue 5): imports commit in chunks on the embedded database, so a batch being imported and its
-- codes must exist without being visible. A batch is 'importing' and its codes 'staged' (outside the claim
-- index, not counted in stock) until the import's final step makes them 'completed' / 'available'; a failed
-- or crashed import's staged rows are deleted. Code moves are declared in modules/inventory/code.machine.ts.
ALTER TABLE codes DROP CONSTRAINT codes_status_check;
ALTER TABLE codes ADD CONSTRAINT codes_status_check
  CHECK (status IN ('staged', 'available', 'reserved', 'delivered', 'expired', 'voided'));

ALTER TABLE batches DROP CONSTRAINT batches_status_check;
ALTER TABLE batches ADD CONSTRAINT batches_status_check CHECK (status IN ('importing', 'completed', 'voided'));

-- Codes bought from a supplier (procurement): one batch per purchase order, whatever the retries.
ALTER TABLE batches ADD COLUMN purchase_order_no text;
CREATE UNIQUE INDEX batches_purchase_order_idx ON batches (supplier, purchase_order_no) WHERE purchase_order_no IS NOT NULL;

-- Finding the leftovers of an interrupted import without walking every batch.
CREATE INDEX batches_importing_idx ON batches (id) WHERE status = 'importing';
