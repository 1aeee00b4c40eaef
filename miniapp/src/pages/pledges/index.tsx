// Placeholder created by the shell so the build works; the feature's owner replaces this page.
import { Empty, PageShell } from '../../components';

export default function Placeholder() {
  return (
    <PageShell title='签承诺书'>
      <Empty text='签承诺书 功能建设中' />
    </PageShell>
  );
}
