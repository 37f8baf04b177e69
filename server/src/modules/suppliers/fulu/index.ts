// The fulu adapter's surface for the suppliers module's index.ts (which re-exports it).
export { fuluAdapter } from './fulu.adapter.ts';
export { yuanToFen, fenToYuan } from './money.ts';
export { parseBill } from './bill.ts';
