export default definePageConfig({ navigationBarTitleText: '签署承诺书', pageOrientation: 'auto', enableShareAppMessage: true } as Parameters<
  typeof definePageConfig
>[0]);
