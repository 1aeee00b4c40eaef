// Placeholder created by the shell so the build works; the feature's owner replaces this page.
import { Empty, PageShell } from '../../components';

export default function Placeholder() {
  return (
    <PageShell title='承诺书活动'>
      <Empty text='承诺书活动 功能建设中' />
    </PageShell>
  );
}
