import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { detectFormat, rowsOf, type ImportFormat } from './detect.ts';
import { interpretRows, parseExpiry, type ParsedRow } from './rows.ts';
import { splitTxtLine } from './txt.ts';

async function parse(format: ImportFormat, input: Readable | string): Promise<ParsedRow[]> {
  const stream = typeof input === 'string' ? Readable.from([Buffer.from(input)]) : input;
  const out: ParsedRow[] = [];
  for await (const r of interpretRows(rowsOf(format, stream), { now: new Date('2026-01-01T00:00:00Z') })) out.push(r);
  return out;
}

describe('CSV', () => {
  it('reads a header row with card_number,password,expires_at', async () => {
    const rows = await parse('csv', '\uFEFFcard_number,password,expires_at\r\nC1,P1,2027-01-31\r\n"C,2","P""2",\r\n');
    expect(rows).toEqual([
      { line: 2, secret: { card_number: 'C1', password: 'P1' }, expiresAt: new Date('2027-01-31T23:59:59.999Z') },
      { line: 3, secret: { card_number: 'C,2', password: 'P"2' }, expiresAt: null },
    ]);
  });

  it('reads header-less pairs, single codes and urls, guessing from the width', async () => {
    const rows = await parse('csv', 'C1,P1\nCODE-ONLY\nhttps://x.example/r/1\nCODE2,2027-05-01T08:00:00+08:00\n');
    expect(rows.map((r) => ('secret' in r ? r.secret : r.error))).toEqual([
      { card_number: 'C1', password: 'P1' },
      { code: 'CODE-ONLY' },
      { url: 'https://x.example/r/1' },
      { code: 'CODE2' },
    ]);
    expect((rows[3] as { expiresAt: Date }).expiresAt.toISOString()).toBe('2027-05-01T00:00:00.000Z');
  });

  it('reads a code/url header in either order and Chinese header names', async () => {
    expect(await parse('csv', 'expires_at,code\n2027-01-01,K1\n')).toEqual([{ line: 2, secret: { code: 'K1' }, expiresAt: new Date('2027-01-01T23:59:59.999Z') }]);
    expect(await parse('csv', '卡号,密码\nA,B\n')).toEqual([{ line: 2, secret: { card_number: 'A', password: 'B' }, expiresAt: null }]);
    expect(await parse('csv', 'url\nhttps://a.example/1\nnot-a-url\n')).toEqual([
      { line: 2, secret: { url: 'https://a.example/1' }, expiresAt: null },
      { line: 3, error: 'url must start with http:// or https://' },
    ]);
  });

  it('rejects malformed rows with a reason and keeps line numbers across blank lines', async () => {
    const long = 'x'.repeat(513);
    const rows = await parse('csv', `card_number,password,expires_at\nA,,\n\n,,\nB,P,yesterday\nC,P,2020-01-01\n${long},P,\nD,P,2027-01-01,extra\n`);
    expect(rows).toEqual([
      { line: 2, error: 'empty password' },
      { line: 4, error: 'empty row' },
      { line: 5, error: expect.stringContaining('invalid expires_at') },
      { line: 6, error: 'already expired (expires_at 2020-01-01T23:59:59.999Z)' },
      { line: 7, error: 'code too long (more than 512 characters)' },
      { line: 8, secret: { card_number: 'D', password: 'P' }, expiresAt: new Date('2027-01-01T23:59:59.999Z') },
    ]);
  });

  it('refuses rows wider than any known shape', async () => {
    expect(await parse('csv', 'a,b,c,d\n')).toEqual([{ line: 1, error: expect.stringContaining('too many columns (4)') }]);
  });
});

describe('TXT', () => {
  it('splits on ----, tab, comma and whitespace', () => {
    expect(splitTxtLine('C1----P1')).toEqual(['C1', 'P1']);
    expect(splitTxtLine('C1\tP1')).toEqual(['C1', 'P1']);
    expect(splitTxtLine('C1,P1')).toEqual(['C1', 'P1']);
    expect(splitTxtLine('  C1   P1 ')).toEqual(['C1', 'P1']);
    expect(splitTxtLine('C1----P1----2027-01-01')).toEqual(['C1', 'P1', '2027-01-01']);
  });

  it('reads a file mixing separators, with line numbers', async () => {
    const rows = await parse('txt', 'A1----B1\nA2\tB2\r\n\nA3,B3\nA4 B4\nSINGLECODE\nA5----\n');
    expect(rows).toEqual([
      { line: 1, secret: { card_number: 'A1', password: 'B1' }, expiresAt: null },
      { line: 2, secret: { card_number: 'A2', password: 'B2' }, expiresAt: null },
      { line: 4, secret: { card_number: 'A3', password: 'B3' }, expiresAt: null },
      { line: 5, secret: { card_number: 'A4', password: 'B4' }, expiresAt: null },
      { line: 6, secret: { code: 'SINGLECODE' }, expiresAt: null },
      { line: 7, error: 'empty password' },
    ]);
  });
});

describe('XLSX', () => {
  it('streams the first worksheet: header, numbers, dates, hyperlinks', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'qy-xlsx-')), 'codes.xlsx');
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('codes');
    ws.addRow(['card_number', 'password', 'expires_at']);
    ws.addRow(['X1', 'Y1', new Date('2027-03-01T00:00:00Z')]);
    ws.addRow([123456789, 'Y2']);
    ws.addRow([{ text: 'X3', hyperlink: 'https://example.com' }, 'Y3']);
    ws.addRow(['X4', '']);
    wb.addWorksheet('other').addRow(['IGNORED', 'ROW']);
    await wb.xlsx.writeFile(file);
    const rows = await parse('xlsx', fs.createReadStream(file));
    expect(rows).toEqual([
      { line: 2, secret: { card_number: 'X1', password: 'Y1' }, expiresAt: new Date('2027-03-01T00:00:00Z') },
      { line: 3, secret: { card_number: '123456789', password: 'Y2' }, expiresAt: null },
      { line: 4, secret: { card_number: 'X3', password: 'Y3' }, expiresAt: null },
      { line: 5, error: 'empty password' },
    ]);
  });

  it('says clearly when the file is not a workbook', async () => {
    await expect(parse('xlsx', 'just text, not a zip')).rejects.toMatchObject({ code: 'invalid_file' });
  });
});

describe('format and expiry', () => {
  it('detects the format from the extension or an explicit choice', () => {
    expect(detectFormat('a.CSV')).toBe('csv');
    expect(detectFormat('a.txt')).toBe('txt');
    expect(detectFormat('a.xlsx')).toBe('xlsx');
    expect(detectFormat('a.dat', 'txt')).toBe('txt');
    expect(() => detectFormat('a.pdf')).toThrow(/csv, .txt or .xlsx/);
  });

  it('parses ISO dates: bare date = end of day UTC, no zone = UTC', () => {
    expect(parseExpiry('2027-01-02')?.toISOString()).toBe('2027-01-02T23:59:59.999Z');
    expect(parseExpiry('2027/01/02 10:00')?.toISOString()).toBe('2027-01-02T10:00:00.000Z');
    expect(parseExpiry('2027-01-02T10:00:00+08:00')?.toISOString()).toBe('2027-01-02T02:00:00.000Z');
    expect(parseExpiry('2027-13-45')).toBeNull();
    expect(parseExpiry('soon')).toBeNull();
  });
});

describe('import honesty (issue 5 §4)', () => {
  it('CODE---- is a card number with an empty password, not a single code', async () => {
    expect(await parse('txt', 'CODE----\nCODE2----  \n')).toEqual([
      { line: 1, error: 'empty password' },
      { line: 2, error: 'empty password' },
    ]);
  });
  it('----PWD says the card number is empty (not "empty row")', async () => {
    expect(await parse('txt', '----PWD\n\tPWD\n')).toEqual([
      { line: 1, error: 'empty card number' },
      { line: 2, error: 'empty card number' },
    ]);
  });
  it('A----B----C is one field too many (not an "invalid expires_at"); a real third-field date still works', async () => {
    expect(await parse('txt', 'A----B----C\nA2----B2----2027-01-01\nA3----B3----\n')).toEqual([
      { line: 1, error: expect.stringMatching(/^too many fields \(3\)/) },
      { line: 2, secret: { card_number: 'A2', password: 'B2' }, expiresAt: new Date('2027-01-01T23:59:59.999Z') },
      { line: 3, secret: { card_number: 'A3', password: 'B3' }, expiresAt: null },
    ]);
  });
  it('a line longer than 4 KB is reported as too long, and the next lines still read (CR, LF, CRLF)', async () => {
    const long = 'x'.repeat(5000);
    const rows = await parse('txt', Readable.from([Buffer.from('A1----B1\r\n' + long.slice(0, 2500)), Buffer.from(long.slice(2500) + '\rA2----B2\r'), Buffer.from('\nA3\n')]));
    expect(rows).toEqual([
      { line: 1, secret: { card_number: 'A1', password: 'B1' }, expiresAt: null },
      { line: 2, error: 'row too long (more than 4096 bytes)' },
      { line: 3, secret: { card_number: 'A2', password: 'B2' }, expiresAt: null },
      { line: 4, secret: { code: 'A3' }, expiresAt: null },
    ]);
  });
});
