import { Route, Routes } from 'react-router';
import { NotFound } from '../../components/Guard.tsx';
import { GrantDetail } from './GrantDetail.tsx';
import { GrantsTable } from './GrantsTable.tsx';

// /grants is the search, /grants/:id one grant with its whole trail (the route table mounts this page at
// /grants/*, so the detail needs no entry of its own and keeps the grants menu item selected).
export default function GrantsPage() {
  return (
    <Routes>
      <Route index element={<GrantsTable />} />
      <Route path=":id" element={<GrantDetail />} />
      <Route path="*" element={<NotFound />} />
    </Routes>
  );
}
