-- Bundles (组合套餐) and choice packs (自选权益包), issue 7 §5.
--
-- Model: a bundle or choice pack is a product made of other products (`product_components`, in order; a
-- choice pack's k of n in `product_bundles.pick_count`). Issuing one writes a PARENT grant of the bundle
-- product (the one the client holds: redeem link, idempotency key, out_order_no) and one CHILD grant per
-- component product (`grants.parent_grant_id`), each a plain grant of its own kind: a card-code child holds
-- its code, a direct-recharge child is `pending` with its recharge order. So the grant machine, the expiry
-- sweeper, the recharge flow and the analytics counters (per component product) work on children unchanged,
-- and each component is fulfilled and tracked on its own. A choice pack's children are written when the
-- recipient picks (`choice_picks`: one row per pack grant, its primary key makes a second pick fail).
ALTER TABLE products DROP CONSTRAINT products_kind_check;
ALTER TABLE products ADD CONSTRAINT products_kind_check
  CHECK (kind IN ('card_code', 'direct_recharge', 'link', 'bundle', 'choice_pack'));

CREATE TABLE product_bundles (
  product_id  text PRIMARY KEY REFERENCES products(id),
  -- choice pack: how many components the recipient picks; NULL for a bundle (all of them)
  pick_count  integer CHECK (pick_count > 0),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE product_components (
  bundle_id     text NOT NULL REFERENCES product_bundles(product_id),
  position      integer NOT NULL CHECK (position >= 1),
  component_id  text NOT NULL REFERENCES products(id),
  PRIMARY KEY (bundle_id, position),
  UNIQUE (bundle_id, component_id)
);
CREATE INDEX product_components_component_idx ON product_components (component_id);

ALTER TABLE grants ADD COLUMN parent_grant_id text REFERENCES grants(id);
CREATE INDEX grants_parent_idx ON grants (parent_grant_id) WHERE parent_grant_id IS NOT NULL;

CREATE TABLE choice_picks (
  grant_id    text PRIMARY KEY REFERENCES grants(id),
  products    text[] NOT NULL,
  picked_at   timestamptz NOT NULL DEFAULT now()
);
