-- Upstream suppliers (DESIGN §11) and each product's ordered supplier list (the failover order).
-- The app_secret is wrapped by the master key like client secrets (context 'supplier-secret:<id>'), re-wrapped
-- by `quanyi keys rotate`; the app_key is an identifier and stays readable (shown masked).
CREATE TABLE suppliers (
  id                    text PRIMARY KEY,
  name                  text NOT NULL UNIQUE,
  adapter               text NOT NULL,
  endpoint              text NOT NULL,
  app_key               text NOT NULL,
  app_secret_wrapped    bytea NOT NULL,
  master_key_id         text NOT NULL,
  status                text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  -- last balance the supplier reported (分) and when; null until the first successful poll
  balance               bigint,
  balance_checked_at    timestamptz,
  -- a low-balance alert fires when the balance falls below this (分); null: never
  low_balance_threshold bigint CHECK (low_balance_threshold >= 0),
  -- true from the poll that saw the balance cross below the threshold until one sees it back above:
  -- the alert is raised once per crossing, not on every poll
  low_balance_alerted   boolean NOT NULL DEFAULT false,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE product_suppliers (
  product_id           text NOT NULL REFERENCES products(id),
  position             integer NOT NULL CHECK (position >= 1),
  supplier_id          text NOT NULL REFERENCES suppliers(id),
  supplier_product_id  text NOT NULL,
  unit_cost            bigint NOT NULL CHECK (unit_cost >= 0),
  PRIMARY KEY (product_id, position),
  -- one supplier appears at most once in a product's list
  UNIQUE (product_id, supplier_id)
);
CREATE INDEX product_suppliers_supplier_idx ON product_suppliers (supplier_id);
