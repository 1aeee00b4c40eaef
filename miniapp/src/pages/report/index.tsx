// Placeholder created by the shell so the build works; the feature's owner replaces this page.
import { Empty, PageShell } from '../../components';

export default function Placeholder() {
  return (
    <PageShell title='隐患随手拍'>
      <Empty text='隐患随手拍 功能建设中' />
    </PageShell>
  );
}
