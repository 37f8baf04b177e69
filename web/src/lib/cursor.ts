import { useMemo } from 'react';

// ProTable pages by number; the API pages by cursor (`limit`, `cursor` → `next_cursor`). This remembers the
// cursor that opens each page the table has reached, and reports a total one past the rows seen while the
// server has more, so the pager always offers exactly the next page. Changing a filter starts again at page 1.
export interface CursorPage<T> {
  data: T[];
  next_cursor?: string | null;
}

type TableParams = { current?: number; pageSize?: number; keyword?: string } & Record<string, unknown>;

export function useCursorRequest<T, F extends Record<string, unknown>>(fetchPage: (q: F & { limit: number; cursor?: string }) => Promise<CursorPage<T>>) {
  return useMemo(() => {
    let cursors = new Map<number, string | undefined>([[1, undefined]]);
    let lastKey = '';
    return async (params: TableParams) => {
      const { current = 1, pageSize = 20, keyword: _keyword, ...rest } = params;
      // ProTable sends '' for a cleared field; the API treats absent as "any"
      const filters = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined && v !== '' && v !== null)) as F;
      const key = JSON.stringify([filters, pageSize]);
      if (key !== lastKey) {
        cursors = new Map([[1, undefined]]);
        lastKey = key;
      }
      const page = cursors.has(current) ? current : 1;
      const cursor = cursors.get(page);
      const res = await fetchPage({ ...filters, limit: pageSize, ...(cursor ? { cursor } : {}) });
      if (res.next_cursor) cursors.set(page + 1, res.next_cursor);
      return { data: res.data, success: true, total: (page - 1) * pageSize + res.data.length + (res.next_cursor ? 1 : 0) };
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
}
