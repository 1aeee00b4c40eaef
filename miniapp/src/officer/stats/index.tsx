// Placeholder created by the shell so the build works; the feature's owner replaces this page.
import { Empty, PageShell } from '../../components';

export default function Placeholder() {
  return (
    <PageShell title='统计与总结'>
      <Empty text='统计与总结 功能建设中' />
    </PageShell>
  );
}
