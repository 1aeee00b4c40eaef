import { useLaunch } from '@tarojs/taro';
import type { PropsWithChildren } from 'react';
import { session } from './store/session';
import { installPrivacyHandler } from './utils/privacy';
import './app.scss';

function App({ children }: PropsWithChildren) {
  useLaunch(() => {
    installPrivacyHandler();
    void session.bootstrap();
  });
  return children;
}

export default App;
