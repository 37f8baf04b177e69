import fs from 'node:fs';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { verifyAudit, type VerifyResult } from './audit.service.ts';
import { HeadSignatureError, parseExpectedHead, signHead, verifySignedHead, type ExpectedHead } from './audit-head.ts';
import { EXIT, printJson } from '../../platform/cli/output.ts';
import type { AppContext } from '../../platform/context.ts';
import type { CommandEnv } from '../../platform/module.ts';
import { validationFailed } from '../../platform/errors.ts';

/** Verifies the chain with a progress bar on stderr (stdout stays clean for --json). */
async function verifyWithProgress(ctx: AppContext, json: boolean, expectHead?: ExpectedHead): Promise<VerifyResult> {
  const bar = json ? null : new cliProgress.SingleBar({ stream: process.stderr, format: 'verifying [{bar}] {value}/{total} events', hideCursor: true }, cliProgress.Presets.shades_classic);
  let started = false;
  const r = await verifyAudit(
    ctx.db,
    (checked, total) => {
      if (!bar) return;
      if (!started) bar.start(total, 0);
      started = true;
      bar.update(checked);
    },
    { expectHead },
  );
  bar?.stop();
  return r;
}

function reportBroken(r: Extract<VerifyResult, { ok: false }>, json: boolean) {
  if (json) printJson(r);
  else process.stderr.write(`audit chain BROKEN at event ${r.broken_seq}: ${r.reason} (${r.events_checked} events verified before it)\n`);
  return EXIT.integrity;
}

export function registerAudit(program: Command, env: CommandEnv) {
  const audit = program.command('audit').description('the append-only audit log');
  audit
    .command('verify')
    .description('recompute the hash chain; exit 0 when intact, 7 naming the first broken event otherwise')
    .option('--expect-head <SEQ:HASH>', 'the chain must still contain this head (from `audit head`): catches deleted newest events')
    .option('--expect-head-file <file>', 'the same from a signed head file (`audit head --json --out FILE`); its signature is checked first')
    .option('--json', 'print JSON')
    .action(async (o) => {
      await env.run('audit verify', Boolean(o.json), async (ctx) => {
        let expectHead: ExpectedHead | undefined;
        if (o.expectHead) expectHead = parseExpectedHead(String(o.expectHead));
        if (o.expectHeadFile) {
          let file: unknown;
          try {
            file = JSON.parse(fs.readFileSync(String(o.expectHeadFile), 'utf8'));
          } catch (e) {
            throw validationFailed([{ field: 'expect-head-file', message: `cannot be read as JSON: ${(e as Error).message}` }], 'The head file cannot be read.');
          }
          try {
            expectHead = verifySignedHead(ctx.keyring, file);
          } catch (e) {
            if (!(e instanceof HeadSignatureError)) throw e;
            if (o.json) printJson({ ok: false, reason: e.message });
            else process.stderr.write(`audit head file REFUSED: ${e.message}\n`);
            return EXIT.integrity;
          }
        }
        const r = await verifyWithProgress(ctx, Boolean(o.json), expectHead);
        if (!r.ok) return reportBroken(r, Boolean(o.json));
        if (o.json) printJson(r);
        else process.stdout.write(`audit chain intact: ${r.events} events, head ${r.head_hash.slice(0, 16)}…${expectHead ? ` (contains the expected head, event ${expectHead.seq})` : ''}\n`);
        return EXIT.ok;
      });
    });
  audit
    .command('head')
    .description('verify the chain and print its head (SEQ:HASH), signed with a key derived from the master key; keep it outside the database for `audit verify --expect-head`')
    .option('--out <file>', 'also write the signed head as JSON to this file')
    .option('--json', 'print the signed head as JSON')
    .action(async (o) => {
      await env.run('audit head', Boolean(o.json), async (ctx) => {
        const r = await verifyWithProgress(ctx, Boolean(o.json));
        if (!r.ok) return reportBroken(r, Boolean(o.json));
        const signed = signHead(ctx.keyring, { seq: r.events, hash: r.head_hash });
        if (o.out) fs.writeFileSync(String(o.out), JSON.stringify(signed, null, 2) + '\n', { mode: 0o644 });
        if (o.json) printJson(signed);
        else process.stdout.write(`${signed.seq}:${signed.hash}\n`);
        return EXIT.ok;
      });
    });
}
