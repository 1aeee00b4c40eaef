/**
 * Pages. Each feature owns the marked sections below — add your pages between your markers only.
 * Resident pages live in the main package (pages/…); officer pages in the `officer` subpackage
 * (paths relative to `officer/`). The first page is the launch page.
 */
import { COLOR } from './styles/colors';
export default defineAppConfig({
  pages: [
    // shell pages
    'pages/index/index',
    'pages/login/index',
    'pages/me/index',
    'pages/pick-village/index',
    'pages/notices/index',
    // end shell pages

    // hazards pages
    'pages/report/index',
    'pages/my-reports/index',
    'pages/hazard/index',
    // end hazards pages

    // pledges pages
    'pages/pledges/index',
    'pages/pledge-sign/index',
    'pages/pledge-view/index',
    // end pledges pages

    // publicity pages
    'pages/feed/index',
    'pages/message/index',
    // end publicity pages

    // fieldwork pages
    // end fieldwork pages

    // admin pages
    'pages/invite/index',
    // end admin pages
  ],
  subPackages: [
    {
      root: 'officer',
      pages: [
        // hazards pages
        'ledger/index',
        'map/index',
        'hazard/index',
        'monthly/index',
        // end hazards pages

        // pledges pages
        'campaigns/index',
        'campaign/index',
        // end pledges pages

        // publicity pages
        'publish/index',
        'messages/index',
        'reach/index',
        // end publicity pages

        // fieldwork pages
        'fieldwork/index',
        'sites/index',
        'incidents/index',
        // end fieldwork pages

        // stats pages
        'stats/index',
        // end stats pages
      ],
    },
    {
      // administration: units, invitations, people, pledge templates (admins; town officers within their town)
      root: 'admin',
      pages: ['index/index', 'units/index', 'invitations/index', 'people/index', 'templates/index'],
    },
  ],
  // officers mostly open the ledger: fetch it on Wi-Fi in the background once they reach home
  preloadRule: {
    'pages/index/index': { network: 'wifi', packages: ['officer'] },
  },
  window: {
    backgroundTextStyle: 'dark',
    navigationBarBackgroundColor: COLOR.primary,
    navigationBarTitleText: '乡安',
    navigationBarTextStyle: 'white',
    backgroundColor: COLOR.bg,
  },
  permission: {
    'scope.userLocation': { desc: '您的位置信息将用于上报隐患时记录隐患所在地点' },
  },
  requiredPrivateInfos: ['getLocation', 'chooseLocation'],
  __usePrivacyCheck__: true,
  lazyCodeLoading: 'requiredComponents',
});
