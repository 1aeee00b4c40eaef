import { useLaunch } from '@tarojs/taro';
import type { PropsWithChildren } from 'react';
import { elder } from './store/elder';
import { session } from './store/session';
import { startDraftAutoSend } from './utils/hazard-drafts';
import { installPrivacyHandler } from './platform/privacy';
import './app.scss';

const userKey = () => (session.get().me ? String(session.get().me!.id) : null);
// 长辈模式 follows the signed-in user's choice (or the phone's font setting). Decided before the first page draws
// (a user resumed from the cached profile is known already), so no page is drawn small and then enlarged.
elder.forUser(userKey());

function App({ children }: PropsWithChildren) {
  useLaunch(() => {
    installPrivacyHandler();
    elder.forUser(userKey());
    session.subscribe(() => elder.forUser(userKey()));
    void session.bootstrap();
    startDraftAutoSend(); // offline report drafts go out when the network returns (and after a restart)
  });
  return children;
}

export default App;
