export default definePageConfig({ navigationBarTitleText: '我发布的宣传', enablePullDownRefresh: true });
