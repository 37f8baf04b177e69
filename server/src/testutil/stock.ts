// Code counts by status for a product (tests check the real rows), through inventory's front door.
export { codeCounts } from '../modules/inventory/index.ts';
