-- Procurement (采货) and reconciliation (对账), issue 5 §2.
--
-- Buying codes: per card-code product a reorder quantity (on/off); purchase orders whose id is the
-- customer_order_no the supplier sees; at most ONE open purchase order per product (the partial unique index
-- below is what makes two concurrent scans buy once). The states are those of purchase.machine.ts; the index
-- predicate names the live ones because an index predicate cannot be derived at run time
-- (purchase.machine.test.ts checks that they agree with the machine).
CREATE TABLE procurement_settings (
  product_id        text PRIMARY KEY,
  reorder_quantity  integer NOT NULL CHECK (reorder_quantity BETWEEN 1 AND 10000),
  enabled           boolean NOT NULL DEFAULT true,
  updated_by        text NOT NULL DEFAULT 'system',
  updated_at        timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE purchase_orders (
  id                   text PRIMARY KEY,             -- po_…, also the customer_order_no
  product_id           text NOT NULL,
  supplier_id          text NOT NULL,
  supplier_product_id  text NOT NULL,
  quantity             integer NOT NULL CHECK (quantity >= 1),
  -- the agreed cost per code (the product's supplier list at the time), 分
  unit_cost_fen        bigint NOT NULL CHECK (unit_cost_fen >= 0),
  reason               text NOT NULL CHECK (reason IN ('safety_stock', 'manual')),
  state                text NOT NULL DEFAULT 'created'
                       CHECK (state IN ('created', 'submitting', 'accepted', 'unknown', 'succeeded', 'failed', 'rejected')),
  supplier_state       text,
  supplier_order_id    text,
  -- what the supplier said it charged (分), once known
  price_fen            bigint,
  submits              integer NOT NULL DEFAULT 0,
  polls                integer NOT NULL DEFAULT 0,
  not_found_count      integer NOT NULL DEFAULT 0,
  not_found_since      timestamptz,
  result_code          integer,
  result_message       text,
  -- the batch the codes went into, and how many
  batch_id             text,
  received_count       integer,
  created_by           text NOT NULL DEFAULT 'system',
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  submitted_at         timestamptz,
  finished_at          timestamptz
);
CREATE UNIQUE INDEX purchase_orders_one_open ON purchase_orders (product_id)
  WHERE state IN ('created', 'submitting', 'accepted', 'unknown');
CREATE INDEX purchase_orders_product_idx ON purchase_orders (product_id, created_at DESC);
CREATE INDEX purchase_orders_supplier_idx ON purchase_orders (supplier_id, finished_at);

-- Every exchange with the supplier about a purchase order (submit, query, recover). Facts only: never a code.
CREATE TABLE purchase_events (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  purchase_id    text NOT NULL REFERENCES purchase_orders(id),
  kind           text NOT NULL CHECK (kind IN ('submit', 'query', 'recover', 'store')),
  outcome        text NOT NULL,
  supplier_code  integer,
  detail         jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX purchase_events_purchase_idx ON purchase_events (purchase_id, id);

-- Supplier bills: one per supplier and China-time day; importing the day again replaces its lines.
CREATE TABLE supplier_bills (
  id           text PRIMARY KEY,                     -- bil_…
  supplier_id  text NOT NULL,
  day          date NOT NULL,
  source       text NOT NULL CHECK (source IN ('upload', 'fetch')),
  line_count   integer NOT NULL,
  imported_by  text NOT NULL,
  imported_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (supplier_id, day)
);

-- A bill's lines. The charge account is kept masked only (never in full).
CREATE TABLE supplier_bill_lines (
  bill_id              text NOT NULL REFERENCES supplier_bills(id) ON DELETE CASCADE,
  line_no              integer NOT NULL,
  supplier_order_id    text NOT NULL,
  customer_order_no    text NOT NULL,
  supplier_product_id  text NOT NULL,
  account_masked       text,
  buy_num              integer NOT NULL,
  price_fen            bigint NOT NULL,
  order_state          text NOT NULL,
  finished_at          text,
  PRIMARY KEY (bill_id, line_no)
);
