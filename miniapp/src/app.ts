import { useLaunch } from '@tarojs/taro';
import type { PropsWithChildren } from 'react';
import { session } from './store/session';
import { startDraftAutoSend } from './utils/hazard-drafts';
import { installPrivacyHandler } from './utils/privacy';
import './app.scss';

function App({ children }: PropsWithChildren) {
  useLaunch(() => {
    installPrivacyHandler();
    void session.bootstrap();
    startDraftAutoSend(); // offline report drafts go out when the network returns (and after a restart)
  });
  return children;
}

export default App;
