import { rawFetch, toApiError } from '../../api/client.ts';

/**
 * Downloads a finished export. Not a plain link: every admin request, downloads too, must carry the console
 * header (the server's CSRF defence), which an <a href> cannot send; so fetch it and hand the browser a blob.
 */
export async function downloadExport(url: string): Promise<void> {
  const res = await rawFetch(url, { method: 'GET' });
  if (!res.ok) throw toApiError(res, await res.json().catch(() => undefined));
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'export';
  const href = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  a.click();
  // the click has handed the blob to the download manager; free it on the next tick
  setTimeout(() => URL.revokeObjectURL(href), 0);
}
