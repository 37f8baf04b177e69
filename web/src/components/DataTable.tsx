import { theme } from 'antd';
import type { ReactNode } from 'react';

// The small table shown beside a chart (its figures in text, for reading exact values and for screen
// readers). A plain <table>: antd's Table brings sorting, filtering, pagination and virtual lists (~45 KB
// gzipped) that a few rows of figures do not need, and the dashboard route has a 600 KB budget.
export interface DataColumn<T> {
  title: string;
  render: (row: T) => ReactNode;
  numeric?: boolean;
}

export function DataTable<T>({ caption, columns, rows, rowKey }: { caption: string; columns: DataColumn<T>[]; rows: T[]; rowKey: (row: T) => string }) {
  const { token } = theme.useToken();
  const cell = (numeric?: boolean) => ({
    padding: `${token.paddingXS}px ${token.paddingSM}px`,
    borderBottom: `1px solid ${token.colorBorderSecondary}`,
    textAlign: numeric ? ('right' as const) : ('left' as const),
    fontVariantNumeric: 'tabular-nums',
  });
  return (
    <table style={{ width: '100%', borderCollapse: 'collapse', fontSize: token.fontSize, color: token.colorText }}>
      <caption style={{ position: 'absolute', width: 1, height: 1, overflow: 'hidden', clip: 'rect(0 0 0 0)' }}>{caption}</caption>
      <thead>
        <tr style={{ background: token.colorFillAlter }}>
          {columns.map((c) => (
            <th key={c.title} scope="col" style={{ ...cell(c.numeric), fontWeight: token.fontWeightStrong }}>
              {c.title}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={rowKey(r)}>
            {columns.map((c) => (
              <td key={c.title} style={cell(c.numeric)}>
                {c.render(r)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
