export default definePageConfig({ navigationBarTitleText: '承诺书活动' });
