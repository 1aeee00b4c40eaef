import { defineConfig, type UserConfigExport } from '@tarojs/cli';
import devConfig from './dev';
import prodConfig from './prod';

// A release weapp without an https TARO_APP_API_BASE is refused (see weapp-api-base.js)

const { checkWeappApiBase } = require('./weapp-api-base');
// h5: the first page's chunk is preloaded from index.html (see route-preload.js)
const { RoutePreloadPlugin } = require('./route-preload');
// h5: the entry page's static first frame, drawn from index.html before the app runs (see first-frame.js)
const { FirstFramePlugin } = require('./first-frame');
const { HAZARD_CATEGORY_LABELS, HAZARD_STATUS_LABELS, ROLE_LABELS } = require('@xiangan/shared');

// https://docs.taro.zone/docs/config
export default defineConfig<'webpack5'>(async (merge) => {
  const refused = checkWeappApiBase();
  if (refused) {
    console.error(`\n✘ weapp build refused: ${refused}\n`);
    process.exit(1);
  }
  const baseConfig: UserConfigExport<'webpack5'> = {
    projectName: 'xiangan-miniapp',
    date: '2025-11-23',
    designWidth: 750,
    deviceRatio: {
      640: 2.34 / 2,
      750: 1,
      375: 2,
      828: 1.81 / 2,
    },
    sourceRoot: 'src',
    // weapp and h5 builds must not overwrite each other
    outputRoot: `dist/${process.env.TARO_ENV}`,
    plugins: [],
    // Taro inlines TARO_APP_* only when set; define it always so an unset value is '' rather than a
    // reference to `process`, which does not exist in the weapp runtime.
    defineConstants: {
      'process.env.TARO_APP_API_BASE': JSON.stringify(process.env.TARO_APP_API_BASE ?? ''),
    },
    // the share-card image (services/share.ts) must be a file in the weapp package, not an inlined data URL
    copy: {
      patterns: process.env.TARO_ENV === 'weapp' ? [{ from: 'src/assets/share-pledge.png', to: 'dist/weapp/assets/share-pledge.png' }] : [],
      options: {},
    },
    framework: 'react',
    compiler: {
      type: 'webpack5',
      // prebundle pulls node_modules through an esbuild step that trips on pnpm's layout
      prebundle: { enable: false },
    },
    cache: { enable: false },
    alias: {
      '@': require('path').resolve(__dirname, '..', 'src'),
    },
    mini: {
      postcss: {
        pxtransform: { enable: true, config: {} },
        cssModules: { enable: false, config: { namingPattern: 'module', generateScopedName: '[name]__[local]___[hash:base64:5]' } },
      },
      // keep the main package lean: shared runtime chunks only
      optimizeMainPackage: { enable: true },
    },
    h5: {
      // Page chunks are loaded on demand, and Taro's own split only looks at initial chunks: each page carried its
      // own ~96 KB copy of the component library. One shared async chunk for it (and one for the F2 charts, which
      // only the stats page draws) is fetched once and cached for a year.
      webpackChain(chain) {
        // launch/login/token key as in src/app.config.ts and src/services/config.ts
        chain.plugin('xa-route-preload').use(RoutePreloadPlugin, [{ launch: 'pages/index/index', login: 'pages/login/index', tokenKey: 'xa_token' }]);
        // after route-preload (its head script must come first in index.html); keys as in store/session.ts and store/elder.ts
        chain.plugin('xa-first-frame').use(FirstFramePlugin, [
          {
            file: require('path').resolve(__dirname, '..', 'src', 'first-frames.json'),
            launch: 'pages/index/index',
            login: 'pages/login/index',
            tokenKey: 'xa_token',
            meKey: 'xa_me',
            elderKey: 'xa_elder_',
            largeFontPx: 20,
            // the labels the data pages' first screens show (the frame draws the early GET's answer with them)
            labels: { category: HAZARD_CATEGORY_LABELS, status: HAZARD_STATUS_LABELS, role: ROLE_LABELS },
          },
        ]);
        chain.optimization.merge({
          splitChunks: {
            cacheGroups: {
              taroComponents: {
                name: 'taro-components',
                test: /[\\/]node_modules[\\/](\.pnpm[\\/][^\\/]+[\\/]node_modules[\\/])?@tarojs[\\/](components|components-react)[\\/]/,
                chunks: 'all',
                priority: 200,
                enforce: true,
                reuseExistingChunk: true,
              },
              charts: {
                name: 'charts',
                test: /[\\/]node_modules[\\/](\.pnpm[\\/][^\\/]+[\\/]node_modules[\\/])?@antv[\\/]/,
                chunks: 'async',
                priority: 150,
                enforce: true,
              },
            },
          },
        });
      },
      publicPath: '/',
      staticDirectory: 'static',
      router: { mode: 'hash' },
      output: {
        filename: 'js/[name].[hash:8].js',
        chunkFilename: 'js/[name].[chunkhash:8].js',
      },
      miniCssExtractPluginOption: {
        ignoreOrder: true,
        filename: 'css/[name].[hash].css',
        chunkFilename: 'css/[name].[chunkhash].css',
      },
      postcss: {
        autoprefixer: { enable: true, config: {} },
        pxtransform: { enable: true, config: {} },
        cssModules: { enable: false, config: { namingPattern: 'module', generateScopedName: '[name]__[local]___[hash:base64:5]' } },
      },
    },
  };
  if (process.env.NODE_ENV === 'development') return merge({}, baseConfig, devConfig);
  return merge({}, baseConfig, prodConfig);
});
