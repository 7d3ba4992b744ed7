-- Street address of the restaurant (docs/merchant.md): copied into each order at placement so
-- riders are told where to collect. Nullable without a default: no table rewrite; merchants
-- onboarded before it have none until UpsertMerchant sets one.
ALTER TABLE merchants ADD COLUMN address text;
