/// <reference types="@tarojs/taro" />

declare module '*.png';
declare module '*.gif';
declare module '*.jpg';
declare module '*.jpeg';
declare module '*.svg';
declare module '*.css';
declare module '*.less';
declare module '*.scss';
declare module '*.sass';
declare module '*.styl';

declare namespace NodeJS {
  interface ProcessEnv {
    /** Which platform this build targets. */
    TARO_ENV: 'weapp' | 'swan' | 'alipay' | 'h5' | 'rn' | 'tt' | 'quickapp' | 'qq' | 'jd';
    /** API origin for the weapp build, e.g. `https://xiangan.example.gov.cn` (no trailing /api). Unused in h5 (same origin). */
    TARO_APP_API_BASE?: string;
    /** Optional: mini-program id used in share paths / docs. */
    TARO_APP_ID?: string;
  }
}

/** The WeChat global, present only in the weapp runtime. */
declare const wx: any;
