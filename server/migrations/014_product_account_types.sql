-- A direct recharge's account is validated per product (issue 5 §2): which kinds of platform account the
-- product's suppliers take. mobile: an 11-digit mainland mobile number; qq: a QQ number (5–11 digits, no
-- leading 0; Tencent Video members often sign in with one); uid: a platform uid (letters first); email.
ALTER TABLE products ADD COLUMN account_types text[] NOT NULL DEFAULT ARRAY['mobile', 'uid']
  CHECK (cardinality(account_types) BETWEEN 1 AND 4 AND account_types <@ ARRAY['mobile', 'qq', 'uid', 'email']);
