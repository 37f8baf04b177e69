import type { ProTableProps } from '@ant-design/pro-components';

// What every server-paginated list of the console shares: 20 rows a page, the query form's labels sized to
// their text, a reload button and no column/density settings (the columns are chosen per page).
export const LIST_TABLE = {
  pagination: { defaultPageSize: 20, showSizeChanger: true },
  search: { labelWidth: 'auto' },
  options: { reload: true, density: false, setting: false },
} satisfies Partial<ProTableProps<Record<string, unknown>, Record<string, unknown>>>;
