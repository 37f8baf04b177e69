// The settings every server-paginated list of the console shares (spread into <ProTable>): 20 rows a page,
// the query form's labels sized to fit, and only the reload button in the toolbar.
export const LIST_TABLE = {
  pagination: { defaultPageSize: 20, showSizeChanger: true },
  search: { labelWidth: 'auto' as const },
  options: { reload: true, density: false, setting: false },
};
