import { once } from 'node:events';
import { PassThrough, Readable } from 'node:stream';
import QRCode from 'qrcode';
import yazl from 'yazl';
import type { AppContext } from '../../platform/context.ts';
import { redeemUrl } from '../grants/index.ts';
import { writeRows, type Sink } from '../exports/index.ts';
import { itemsPage, type LinkBatchRow } from './links.repo.ts';

// A batch's links as a file, generated on download and never stored: the redeem URLs are bearer secrets,
// regenerable from the grant ids (ServerSecrets.redeemToken). Streamed with back-pressure, a page of items
// at a time, so memory stays flat for 100,000 links: CSV / XLSX through the exports module's writer, the
// ZIP of QR PNGs through yazl (each PNG drawn only when the zip reaches its entry, stored uncompressed: a
// PNG is compressed already). Scale 6 (about 300 px for a redeem URL) prints sharp at flyer sizes and
// draws several times faster than larger ones — a 10,000-link ZIP is CPU-bound on the PNG encoding.
export type LinkExportFormat = 'csv' | 'xlsx' | 'zip';
export const LINK_COLUMNS = ['index', 'grant_id', 'redeem_url', 'expires_at'] as const;
const PAGE = 1000;

async function* pagesOf(ctx: AppContext, batch: LinkBatchRow) {
  let after = -1;
  for (;;) {
    const items = await itemsPage(ctx.db, batch.id, after, PAGE);
    if (!items.length) return;
    after = items[items.length - 1].idx;
    yield items.map((it) => ({
      index: it.idx + 1,
      grant_id: it.grant_id,
      redeem_url: redeemUrl(ctx.config.publicUrl, ctx.secrets, it.grant_id),
      expires_at: it.expires_at ? new Date(it.expires_at).toISOString() : null,
    }));
  }
}

/** A PassThrough the writer can wait on: `settled` resolves once the reader has taken what was written. */
function streamSink(): PassThrough & Sink {
  const out = new PassThrough() as PassThrough & Sink;
  out.settled = async () => {
    // a client that went away closes the stream: stop waiting (the next write fails and ends the writer)
    if (out.writableNeedDrain) await Promise.race([once(out, 'drain'), once(out, 'close')]);
    if (out.destroyed) throw new Error('download aborted');
  };
  return out;
}

/** The file as a stream; `onRow` hears each link written (the CLI's progress bar). */
export function linkExportStream(ctx: AppContext, batch: LinkBatchRow, format: LinkExportFormat, onRow: (n: number) => void = () => {}): Readable {
  let n = 0;
  async function* counted() {
    for await (const rows of pagesOf(ctx, batch)) {
      yield rows;
      onRow((n += rows.length));
    }
  }
  if (format !== 'zip') {
    const sink = streamSink();
    writeRows(format, LINK_COLUMNS, counted(), sink).catch((e: Error) => sink.destroy(e));
    return sink;
  }
  const zip = new yazl.ZipFile();
  const out = zip.outputStream as unknown as Readable;
  const width = String(batch.count).length;
  (async () => {
    const mtime = batch.created_at;
    for await (const rows of pagesOf(ctx, batch)) {
      for (const r of rows) {
        zip.addReadStreamLazy(`${String(r.index).padStart(width, '0')}.png`, { mtime, compress: false }, (cb) => {
          QRCode.toBuffer(r.redeem_url, { type: 'png', errorCorrectionLevel: 'M', margin: 2, scale: 6 }).then(
            (png) => {
              onRow(++n);
              cb(null, Readable.from([png]));
            },
            (e: Error) => cb(e, null as never),
          );
        });
      }
      // wait until the zip has drawn this page before reading the next: a page's closures at a time
      while ((zip as unknown as { entries: unknown[] }).entries.length > n + PAGE) {
        if (out.destroyed) return; // the client went away
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    zip.end();
  })().catch((e: Error) => out.destroy(e));
  return out;
}
