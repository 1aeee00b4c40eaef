export default definePageConfig({ navigationBarTitleText: '签署进度', enableShareAppMessage: true } as Parameters<typeof definePageConfig>[0]);
