export default definePageConfig({ navigationBarTitleText: '安全宣传', enablePullDownRefresh: true });
