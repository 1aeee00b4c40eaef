import { useLaunch } from '@tarojs/taro';
import type { PropsWithChildren } from 'react';
import { elder } from './store/elder';
import { session } from './store/session';
import { startDraftAutoSend } from './utils/hazard-drafts';
import { installPrivacyHandler } from './utils/privacy';
import './app.scss';

function App({ children }: PropsWithChildren) {
  useLaunch(() => {
    installPrivacyHandler();
    // 长辈模式 follows the signed-in user's choice (or the phone's font setting)
    elder.forUser(null);
    session.subscribe(() => elder.forUser(session.get().me ? String(session.get().me!.id) : null));
    void session.bootstrap();
    startDraftAutoSend(); // offline report drafts go out when the network returns (and after a restart)
  });
  return children;
}

export default App;
