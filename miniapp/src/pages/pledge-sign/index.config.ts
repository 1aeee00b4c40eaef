export default definePageConfig({ navigationBarTitleText: '签署承诺书', pageOrientation: 'auto', enableShareAppMessage: true } as any);
