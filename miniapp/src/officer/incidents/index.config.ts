export default definePageConfig({ navigationBarTitleText: '事故和事件' });
